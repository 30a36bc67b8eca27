"""The periodic work of approvals (Celery beat, ``approvals.tasks``): deemed acceptance (Art. 32), 容缺
materials overdue, and due dates recomputed after the work calendar changed. Each case is locked and
re-checked in its own transaction, so a scan run twice, or next to a clerk, does each thing once."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.audit import audited_save
from portal.exceptions import ConflictError
from portal.workcalendar import services as calendar

from .. import deadlines
from ..constants import RUNNING_STATES, CaseState
from ..models import Case, SubApproval
from .closure import case_terminate
from .common import recompute_due_dates, today
from .decision import after_check_due_of, licence_due_of
from .intake import case_deem_accept
from .parallel import co_department_limit


def deem_accepted_scan(*, day: datetime.date | None = None, batch: int = 500) -> int:
    """Art. 32: accept every submitted case left unanswered past the whole of its 5th working day (counted
    from receipt, or from the complete correction), as of the day that count started."""
    cutoff = deadlines.acceptance_cutoff(day or today())
    ids = list(
        Case.objects.filter(state=CaseState.SUBMITTED, answer_from__lte=cutoff).values_list("pk", flat=True)[
            :batch
        ]
    )
    done = 0
    for pk in ids:
        try:
            case_deem_accept(case=Case(pk=pk))
            done += 1
        except ConflictError:
            continue  # someone answered meanwhile
    return done


def deferred_overdue_scan(*, day: datetime.date | None = None) -> int:
    """容缺: terminate the cases whose deferred materials did not arrive by their date."""
    ids = list(
        Case.objects.filter(
            state__in=list(RUNNING_STATES),
            deferred_supply_by__lt=day or today(),
            deferred_supplied_at__isnull=True,
        )
        .exclude(deferred_materials=[])
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        try:
            case_terminate(
                case=Case(pk=pk), actor=None, reason=_("容缺材料未在承诺期限内补齐，依法终止办理。")
            )
            done += 1
        except ConflictError:
            continue
    return done


def recompute_open_cases() -> int:
    """After the work calendar changed (an admin's edit, a seed, an import): recompute the due dates of
    every running case. Each moved case is locked and saved in its own transaction with a history row
    (actor: the system, reason ``calendar_changed``): no silent update; a year now published clears
    "provisional"."""
    changed = 0
    ids = list(Case.objects.filter(state__in=list(RUNNING_STATES)).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update()
                .filter(pk=pk, state__in=list(RUNNING_STATES))
                .prefetch_related("suspensions")
                .first()
            )
            if case is None:
                continue
            before = (case.promised_due, case.statutory_due, case.due_provisional)
            recompute_due_dates(case)
            if before != (case.promised_due, case.statutory_due, case.due_provisional):
                audited_save(case, actor=None, reason=CALENDAR_CHANGED)
                changed += 1
            _recompute_co_department_dates(case)
    return changed + _recompute_decided_dates()


def _recompute_co_department_dates(case: Case) -> None:
    """并联: an unanswered co-department's own due date moves with the calendar too (saved with history)."""
    if case.mode != "parallel" or case.accepted_on is None:
        return
    snapshot = case.application.item_snapshot or {}
    entries = {int(e["id"]): e for e in snapshot.get("co_departments") or [] if e.get("id") is not None}
    for sub in SubApproval.objects.select_for_update().filter(case=case, answer=""):
        entry = entries.get(sub.department_id, {})
        limit = co_department_limit(entry=entry, snapshot=snapshot, promised_limit=case.promised_limit)
        due = calendar.add_days(case.accepted_on, limit, unit=case.limit_unit).date
        if due != sub.due_on:
            sub.due_on = due
            audited_save(sub, actor=None, reason=CALENDAR_CHANGED)


def _recompute_decided_dates() -> int:
    """The due dates after a decision move with the calendar too: the licence (Art. 44, until delivered)
    and the 告知承诺 after-check (until recorded). Each moved case saved with a history row."""
    changed = 0
    ids = list(
        Case.objects.filter(
            Q(state=CaseState.APPROVED, licence_due__isnull=False)
            | Q(after_check_due__isnull=False, after_checked_at__isnull=True, concluded_on__isnull=False)
        )
        .exclude(state=CaseState.REVOKED)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("application").filter(pk=pk).first()
            if case is None or case.concluded_on is None:
                continue
            before = (case.licence_due, case.after_check_due)
            if case.state == CaseState.APPROVED and case.licence_due is not None:
                case.licence_due = licence_due_of(case.concluded_on)
            if case.after_check_due is not None and case.after_checked_at is None:
                case.after_check_due = after_check_due_of(case, case.concluded_on)
            if before != (case.licence_due, case.after_check_due):
                audited_save(case, actor=None, reason=CALENDAR_CHANGED)
                changed += 1
    return changed


# The history reason of a case whose due dates moved because the work calendar changed.
CALENDAR_CHANGED = "calendar_changed"
