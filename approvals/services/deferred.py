"""容缺受理 (accept with deferred materials, DESIGN §2): the result waits until the deferred materials
arrive; the window or the applicant records their arrival. (Materials not supplied by their date end the
case: ``scans.deferred_overdue_scan``.)"""

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User

from ..constants import CaseAction
from ..models import Case
from .common import lock_case, record_transition


@transaction.atomic
def case_supply_deferred(*, case: Case, actor: User, note: str = "") -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.SUPPLY_DEFERRED)
    case.supply_deferred()
    case.deferred_supplied_at = timezone.now()
    return record_transition(
        case=case,
        action=CaseAction.SUPPLY_DEFERRED,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={"materials": case.deferred_materials},
    )
