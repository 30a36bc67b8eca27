"""Not accepting an application (不予受理, DESIGN §3; 行政许可法 Art. 32). The window may say yes alone, never
no alone: the clerk proposes a refusal with its reasons and legal basis, and the head of the case's
department approves it (the case is not accepted) or sends it back (the window goes on) in the portal. Both
steps are in the case's transition log and both are notified. Nobody signs off by typing a name."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify

from ..constants import CaseAction
from ..models import Case
from .common import base_context, lock_case, record_transition, staff_with_roles

# The remedies every refusal notice states (行政许可法 Art. 38(2); 行政复议法, 行政诉讼法).
REFUSAL_REMEDIES = gettext_lazy(
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内"
    "依法向人民法院提起行政诉讼。"
)


def refusal_remedies() -> str:
    return str(REFUSAL_REMEDIES)


@transaction.atomic
def case_propose_refusal(*, case: Case, actor: User, reasons: str, legal_basis: str) -> Case:
    """The window proposes not to accept, with the reasons and the legal basis; the window supervisors
    and the heads of the case's department are asked to sign off (DESIGN §3)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.PROPOSE_REFUSAL)
    if not reasons.strip():
        raise ApplicationError(_("请说明不予受理的理由。"), extra={"reasons": [_("此项为必填项。")]})
    if not legal_basis.strip():
        raise ApplicationError(_("请写明不予受理的法律依据。"), extra={"legal_basis": [_("此项为必填项。")]})
    signers = staff_with_roles(case.department_id, Role.HEAD) + list(
        User.objects.filter(is_window_supervisor=True, is_active=True, groups__name=Role.CLERK).distinct()
    )
    heads = list({user.pk: user for user in signers if user.pk != actor.pk}.values())
    if not heads:
        raise ApplicationError(
            _("承办部门没有可以签批的负责人，不能提请不予受理，请联系部门。"),
            extra={"reasons": [_("承办部门没有负责人账号。")]},
        )
    case.propose_refusal()
    case.refusal_proposed_by = actor
    case.refusal_reasons = reasons
    case.refusal_basis = legal_basis
    record_transition(
        case=case,
        action=CaseAction.PROPOSE_REFUSAL,
        from_state=from_state,
        actor=actor,
        reason=reasons,
        data={"legal_basis": legal_basis},
    )
    for head in heads:
        notify(
            recipient=head,
            event="staff.refusal_proposed",
            context={**base_context(case), "reasons": reasons, "legal_basis": legal_basis},
            case=case,
        )
    return case


@transaction.atomic
def case_refuse(*, case: Case, actor: User, note: str = "") -> Case:
    """The head of the case's department signs off the window's proposal: the application is not
    accepted. The applicant is told the reasons, the legal basis and the remedies."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REFUSE)
    proposer = case.refusal_proposed_by
    case.refuse()
    case.remedies = refusal_remedies()
    record_transition(
        case=case,
        action=CaseAction.REFUSE,
        from_state=from_state,
        actor=actor,
        reason=case.refusal_reasons,
        data={
            "legal_basis": case.refusal_basis,
            "proposed_by": proposer.username if proposer else "",
            "approved_by": actor.username,
            "note": note,
            "remedies": case.remedies,
        },
    )
    notify(
        recipient=case.applicant,
        event="case.not_accepted",
        context={
            **base_context(case),
            "reason": case.refusal_reasons,
            "legal_basis": case.refusal_basis,
            "remedies": case.remedies,
        },
        case=case,
    )
    if proposer is not None:
        notify(
            recipient=proposer,
            event="staff.refusal_decided",
            context={**base_context(case), "approved": True, "note": note},
            case=case,
        )
    return case


@transaction.atomic
def case_reject_refusal(*, case: Case, actor: User, reason: str) -> Case:
    """The head sends the window's refusal proposal back, with why: the window goes on (accept or ask
    for a correction)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REJECT_REFUSAL)
    if not reason.strip():
        raise ApplicationError(_("请说明退回的理由。"), extra={"reason": [_("此项为必填项。")]})
    proposer = case.refusal_proposed_by
    data = {
        "proposed_by": proposer.username if proposer else "",
        "proposal_reasons": case.refusal_reasons,
        "proposal_legal_basis": case.refusal_basis,
    }
    case.reject_refusal()
    case.refusal_reasons = ""
    case.refusal_basis = ""
    record_transition(
        case=case,
        action=CaseAction.REJECT_REFUSAL,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data=data,
    )
    if proposer is not None:
        notify(
            recipient=proposer,
            event="staff.refusal_decided",
            context={**base_context(case), "approved": False, "note": reason},
            case=case,
        )
    return case
