"""The decision (决定, DESIGN §3): approval or denial by the owning department's decider (never the
reviewer), an instant item (即办件) or a notification-commitment (告知承诺) approved on the spot, and the
revocation of a commitment found false at the after-check. A decision invites the applicant to rate the
service (DESIGN §6)."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import flows
from portal.accounts.models import User
from portal.exceptions import ApplicationError, ConflictError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from ..constants import LICENCE_DELIVERY_DAYS, AfterCheckResult, CaseAction
from ..models import Case
from .common import base_context, conclude, enter_step, lock_case, record_transition
from .delivery import deliver_electronically_on_approval
from .parallel import record_deemed_consent

DEFAULT_REMEDIES = gettext_lazy(
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
)
# 告知承诺: the after-check is due this many working days after the approval unless the item says.
DEFAULT_AFTER_CHECK_DAYS = 20


def licence_due_of(concluded_on: datetime.date) -> datetime.date:
    """Art. 44: the 10th working day after the approval (recomputed when the work calendar changes)."""
    return calendar.add_days(concluded_on, LICENCE_DELIVERY_DAYS).date


def after_check_due_of(case: Case, concluded_on: datetime.date) -> datetime.date:
    """告知承诺: the after-check is due the item's number of working days after the approval."""
    days = int((case.application.item_snapshot or {}).get("after_check_days") or DEFAULT_AFTER_CHECK_DAYS)
    return calendar.add_days(concluded_on, days).date


def _approved(
    case: Case,
    *,
    action: str,
    from_state: str,
    actor: User,
    opinion: str,
    data: dict[str, Any] | None = None,
) -> Case:
    """What every approval does once the transition fired: the decider, the conclusion, the delivery
    step, the after-check date of a commitment, the log, the applicant told and invited to rate."""
    data = dict(data or {})
    case.decider = actor
    case.holder = None
    case.decision_reasons = opinion
    concluded_on = conclude(case)
    enter_step(case, "delivery", concluded_on)
    # Art. 44: the licence is due within 10 working days of the approval, watched until delivered.
    case.licence_due = licence_due_of(concluded_on)
    data["licence_due"] = case.licence_due.isoformat()
    if case.mode == "commitment":
        after_check_due = after_check_due_of(case, concluded_on)
        case.after_check_due = after_check_due
        data["after_check_due"] = after_check_due.isoformat()
    data["elapsed_days"] = case.elapsed_days
    record_transition(case=case, action=action, from_state=from_state, actor=actor, reason=opinion, data=data)
    flows.case_approved(case=case)
    notify(recipient=case.applicant, event="case.approved", context=base_context(case), case=case)
    deliver_electronically_on_approval(case)
    flows.case_decided(case=case)
    return case


@transaction.atomic
def case_approve(*, case: Case, actor: User, opinion: str = "") -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.APPROVE)
    # 并联: every co-department has answered or let its limit pass, no disagreement unresolved (else 409)
    data = record_deemed_consent(case) if case.mode == "parallel" else {}
    case.approve()
    return _approved(
        case, action=CaseAction.APPROVE, from_state=from_state, actor=actor, opinion=opinion, data=data
    )


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


def _revoked(case: Case, *, from_state: str, actor: User, reason: str) -> Case:
    case.revoke()
    case.after_checked_at = timezone.now()
    case.after_check_result = AfterCheckResult.FAILED
    record_transition(
        case=case,
        action=CaseAction.REVOKE,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={"after_check_result": AfterCheckResult.FAILED.value},
    )
    flows.case_revoked(case=case, reason=reason)
    notify(
        recipient=case.applicant,
        event="case.revoked",
        context={**base_context(case), "reason": reason},
        case=case,
    )
    return case


@transaction.atomic
def case_revoke(*, case: Case, actor: User, reason: str) -> Case:
    """告知承诺: the after-check found the commitment false; the approval is revoked."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REVOKE)
    return _revoked(case, from_state=from_state, actor=actor, reason=reason)


@transaction.atomic
def case_record_after_check(*, case: Case, actor: User, result: str, note: str) -> Case:
    """告知承诺 after-check (事后核查, DESIGN §2–3): the department records what it found. Passed: the
    approval stands and the check is closed. Failed (the commitment was false): the approval is revoked,
    the applicant told why."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.RECORD_AFTER_CHECK)
    if result not in AfterCheckResult.values:
        raise ApplicationError(_("请选择核查结果。"), extra={"result": [_("不是有效的选项。")]})
    if not note.strip():
        raise ApplicationError(_("请填写核查情况。"), extra={"note": [_("此项为必填项。")]})
    if result == AfterCheckResult.FAILED:
        return _revoked(case, from_state=from_state, actor=actor, reason=note)
    case.record_after_check()
    case.after_checked_at = timezone.now()
    case.after_check_result = AfterCheckResult.PASSED
    record_transition(
        case=case,
        action=CaseAction.RECORD_AFTER_CHECK,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={"after_check_result": result, "after_check_due": str(case.after_check_due or "")},
    )
    notify(
        recipient=case.applicant,
        event="case.after_check_passed",
        context={**base_context(case), "note": note},
        case=case,
    )
    return case
