"""Special procedures (特别程序, Art. 45: hearing, tendering, inspection, testing, quarantine, appraisal,
expert review): the clock stops while one runs, and the applicant is told why and for how long
(DESIGN §4)."""

from django.db import transaction

from portal.accounts.models import User
from portal.audit import audited_save
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from ..constants import CaseAction, SuspensionKind
from ..models import Case, Suspension
from .common import base_context, due_dates_context, lock_case, recompute_due_dates, record_transition, today


@transaction.atomic
def case_suspend(*, case: Case, actor: User, kind: str, reason: str, expected_days: int) -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.SUSPEND)
    case.suspend()
    suspension = Suspension(
        case=case, kind=kind, reason=reason, expected_days=expected_days, started_on=today(), started_by=actor
    )
    audited_save(suspension, actor=actor, reason=CaseAction.SUSPEND)
    record_transition(
        case=case,
        action=CaseAction.SUSPEND,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={"kind": kind, "expected_days": expected_days},
    )
    context = {
        **base_context(case),
        "kind": str(SuspensionKind(kind).label),
        "reason": reason,
        "expected_days": expected_days,
    }
    notify(recipient=case.applicant, event="case.suspended", context=context, case=case)
    return case


@transaction.atomic
def case_resume(*, case: Case, actor: User, note: str = "") -> Case:
    """The procedure ended: its working days are taken out of the count and both due dates move."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.RESUME)
    case.resume()
    day = today()
    open_one = case.suspensions.filter(resumed_on__isnull=True).order_by("-started_on").first()
    taken = 0
    if open_one is not None:
        open_one.resumed_on = day
        audited_save(open_one, actor=actor, reason=CaseAction.RESUME)
        taken = calendar.count_days(open_one.started_on, day, unit=case.limit_unit)
    case.suspended_days += taken
    recompute_due_dates(case)
    if case.step_due is not None and taken:
        case.step_due = calendar.add_days(case.step_due, taken, unit=case.limit_unit).date
    dates = due_dates_context(case)
    record_transition(
        case=case,
        action=CaseAction.RESUME,
        from_state=from_state,
        actor=actor,
        reason=note,
        data={"suspended_days": taken, **dates},
    )
    notify(recipient=case.applicant, event="case.resumed", context={**base_context(case), **dates}, case=case)
    return case
