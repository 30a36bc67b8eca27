"""Cases that end without a decision (DESIGN §3): withdrawn by the applicant before a decision, or
terminated (容缺 materials not supplied in time, the applicant no longer answering). Their clock stops."""

from django.db import transaction

from portal.accounts.models import User
from portal.notifications.services import notify

from ..constants import CaseAction
from ..models import Case
from .common import base_context, lock_case, record_transition


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str = "") -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.WITHDRAW)
    case.withdraw()
    case.holder = None
    record_transition(
        case=case, action=CaseAction.WITHDRAW, from_state=from_state, actor=actor, reason=reason
    )
    notify(
        recipient=case.applicant,
        event="case.withdrawn",
        context={**base_context(case), "reason": reason},
        case=case,
    )
    return case


@transaction.atomic
def case_terminate(*, case: Case, actor: User | None, reason: str) -> Case:
    """By the department's decider or head; ``actor=None``: the system (``scans.deferred_overdue_scan``)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.TERMINATE)
    case.terminate()
    case.holder = None
    record_transition(
        case=case, action=CaseAction.TERMINATE, from_state=from_state, actor=actor, reason=reason
    )
    notify(
        recipient=case.applicant,
        event="case.terminated",
        context={**base_context(case), "reason": reason},
        case=case,
    )
    return case
