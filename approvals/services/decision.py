"""The decision (决定, DESIGN §3): approval or denial by the owning department's decider (never the
reviewer), an instant item (即办件) or a notification-commitment (告知承诺) approved on the spot, and the
revocation of a commitment found false at the after-check. A decision invites the applicant to rate the
service (DESIGN §6)."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import flows
from portal.accounts.models import User
from portal.exceptions import ConflictError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from ..constants import LICENCE_DELIVERY_DAYS, CaseAction
from ..models import Case
from .common import base_context, conclude, enter_step, lock_case, record_transition
from .parallel import record_deemed_consent

DEFAULT_REMEDIES = gettext_lazy(
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
)
# 告知承诺: the after-check is due this many working days after the approval unless the item says.
DEFAULT_AFTER_CHECK_DAYS = 20


def _approved(case: Case, *, action: str, from_state: str, actor: User, opinion: str) -> Case:
    """What every approval does once the transition fired: the decider, the conclusion, the delivery
    step, the after-check date of a commitment, the log, the applicant told and invited to rate."""
    data: dict[str, Any] = {}
    if case.mode == "parallel":
        data["deemed_consent"] = record_deemed_consent(case)
    case.decider = actor
    case.holder = None
    case.decision_reasons = opinion
    concluded_on = conclude(case)
    enter_step(case, "delivery", concluded_on)
    # Art. 44: the licence is due within 10 working days of the approval, watched until delivered.
    case.licence_due = calendar.add_days(concluded_on, LICENCE_DELIVERY_DAYS).date
    data["licence_due"] = case.licence_due.isoformat()
    if case.mode == "commitment":
        days = int((case.application.item_snapshot or {}).get("after_check_days") or DEFAULT_AFTER_CHECK_DAYS)
        after_check_due = calendar.add_days(concluded_on, days).date
        case.after_check_due = after_check_due
        data["after_check_due"] = after_check_due.isoformat()
    data["elapsed_days"] = case.elapsed_days
    record_transition(case=case, action=action, from_state=from_state, actor=actor, reason=opinion, data=data)
    notify(recipient=case.applicant, event="case.approved", context=base_context(case), case=case)
    flows.case_decided(case=case)
    return case


@transaction.atomic
def case_approve(*, case: Case, actor: User, opinion: str = "") -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.APPROVE)
    case.approve()
    return _approved(case, action=CaseAction.APPROVE, from_state=from_state, actor=actor, opinion=opinion)


@transaction.atomic
def case_approve_on_the_spot(*, case: Case, actor: User, note: str = "") -> Case:
    """即办件 decided in the same visit; 告知承诺 approved on the applicant's signed commitment."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.APPROVE_ON_THE_SPOT)
    if case.mode == "commitment" and not case.application.commitment_signed:
        raise ConflictError(_("申请人未签署告知承诺书，不能按告知承诺办理。"))
    case.approve_on_the_spot()
    return _approved(
        case, action=CaseAction.APPROVE_ON_THE_SPOT, from_state=from_state, actor=actor, opinion=note
    )


@transaction.atomic
def case_deny(*, case: Case, actor: User, reasons: str, remedies: str = "") -> Case:
    """A denial carries its reasons and the applicant's remedies (the legal wording unless given)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.DENY)
    case.deny()
    case.decider = actor
    case.holder = None
    case.decision_reasons = reasons
    case.remedies = remedies or str(DEFAULT_REMEDIES)
    concluded_on = conclude(case)
    enter_step(case, "delivery", concluded_on)
    record_transition(
        case=case,
        action=CaseAction.DENY,
        from_state=from_state,
        actor=actor,
        reason=reasons,
        data={"remedies": case.remedies, "elapsed_days": case.elapsed_days},
    )
    context = {**base_context(case), "reasons": case.decision_reasons, "remedies": case.remedies}
    notify(recipient=case.applicant, event="case.denied", context=context, case=case)
    flows.case_decided(case=case)
    return case


@transaction.atomic
def case_revoke(*, case: Case, actor: User, reason: str) -> Case:
    """告知承诺: the after-check found the commitment false; the approval is revoked."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REVOKE)
    case.revoke()
    case.after_checked_at = timezone.now()
    record_transition(case=case, action=CaseAction.REVOKE, from_state=from_state, actor=actor, reason=reason)
    notify(
        recipient=case.applicant,
        event="case.revoked",
        context={**base_context(case), "reason": reason},
        case=case,
    )
    return case
