"""Review (审查, DESIGN §3): the owning department's reviewer takes the case, writes the review opinion and
sends it to a decider, who is never the reviewer (两岗审核)."""

from django.db import transaction

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.notifications.services import notify

from ..constants import CaseAction
from ..models import Case
from .common import base_context, enter_step, lock_case, record_transition, staff_with_roles, today


@transaction.atomic
def case_start_review(*, case: Case, actor: User, note: str = "") -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.START_REVIEW)
    case.start_review()
    case.reviewer = actor
    case.holder = actor
    return record_transition(
        case=case, action=CaseAction.START_REVIEW, from_state=from_state, actor=actor, reason=note
    )


@transaction.atomic
def case_send_to_decision(*, case: Case, actor: User, opinion: str) -> Case:
    """The review opinion goes to the department's deciders (other than the reviewer)."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.SEND_TO_DECISION)
    case.send_to_decision()
    case.holder = None
    case.opinion_by = actor  # 两岗审核: this person may not decide the case
    enter_step(case, "decision", today())
    record_transition(
        case=case, action=CaseAction.SEND_TO_DECISION, from_state=from_state, actor=actor, reason=opinion
    )
    for decider in staff_with_roles(case.department_id, Role.DECIDER):
        if decider.pk != actor.pk:
            notify(
                recipient=decider,
                event="staff.new_work",
                context={**base_context(case), "queue": "decision"},
                case=case,
            )
    return case
