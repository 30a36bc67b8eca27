"""Scheduled work of approvals: recompute on calendar change, deemed acceptance, overdue deferred materials."""

import datetime

from approvals import tasks
from approvals.constants import CaseState
from approvals.models import Case
from portal.workcalendar import importer
from portal.workcalendar.models import CalendarDay

from .conftest import at

D = datetime.date


def test_calendar_change_queues_the_recompute_on_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.recompute_open_cases, "delay", lambda *a, **k: queued.append(True))
    with django_capture_on_commit_callbacks(execute=True):
        importer.apply(importer.parse("date,kind,name\n2026-09-28,holiday,临时调整\n"))
        assert queued == []  # only once the change is committed
    assert queued == [True]


def test_recompute_moves_open_cases_only(world):
    with at(2026, 9, 24):
        open_case = world.case()
        assert world.fire(world.clerk, open_case, "accept").status_code == 200
        closed = world.case()
        world.fire(world.clerk, closed, "accept")
        world.fire(world.citizen, closed, "withdraw", reason="不办了")
    open_case.refresh_from_db()
    closed.refresh_from_db()
    assert open_case.promised_due == D(2026, 10, 9)
    # An extra day off on Mon 09-28 (the calendar was corrected) pushes the open case by one working day.
    CalendarDay.objects.create(date=D(2026, 9, 28), kind="holiday", name="临时调整")
    assert tasks.recompute_open_cases() == 1
    assert tasks.recompute_open_cases() == 0  # idempotent
    assert Case.objects.get(pk=open_case.pk).promised_due == D(2026, 10, 10)
    assert Case.objects.get(pk=closed.pk).promised_due == closed.promised_due


def test_deem_accepted_scan_is_batched_and_idempotent(world):
    from approvals.services.scans import deem_accepted_scan

    with at(2026, 3, 2):
        cases = [world.case() for _ in range(3)]
    with at(2026, 3, 10):  # the day after Mon 03-09, the 5th working day after Mon 03-02
        assert deem_accepted_scan(batch=2) == 2
        assert deem_accepted_scan(batch=2) == 1
        assert deem_accepted_scan() == 0
    for case in cases:
        case = Case.objects.get(pk=case.pk)
        assert case.state == CaseState.ACCEPTED and case.accepted_on == D(2026, 3, 2)
        assert case.transitions.filter(name="deem_accept", actor=None).count() == 1
