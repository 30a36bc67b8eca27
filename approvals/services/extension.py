"""Extension of the statutory limit (延期, Art. 42): by the department head, up to 10 more working days
(15 for a case handled jointly, limit 45). The applicant is told the reason and the new date."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify

from .. import deadlines
from ..constants import CaseAction
from ..models import Case
from .common import base_context, due_dates_context, lock_case, recompute_due_dates, record_transition


@transaction.atomic
def case_extend(*, case: Case, actor: User, days: int, reason: str) -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.EXTEND)
    allowed = deadlines.extension_max(case.statutory_limit) - case.extension_days
    if days > allowed:
        raise ApplicationError(
            _("延期不得超过法定上限，本件最多还可延长%(n)s个工作日。") % {"n": max(allowed, 0)},
            extra={"days": [_("超过法定可延长的期限。")]},
        )
    case.extend()
    case.extension_days += days
    recompute_due_dates(case)
    statutory_due = due_dates_context(case)["statutory_due"]
    record_transition(
        case=case,
        action=CaseAction.EXTEND,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={"days": days, "statutory_due": statutory_due},
    )
    context = {**base_context(case), "statutory_due": statutory_due, "reason": reason}
    notify(recipient=case.applicant, event="case.extended", context=context, case=case)
    return case
