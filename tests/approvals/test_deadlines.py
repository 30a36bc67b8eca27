"""Deadline arithmetic of approvals.deadlines against hand-computed 2026 dates (DESIGN §4)."""

import datetime

import pytest

from approvals import deadlines
from portal.workcalendar.seed import seed_years

D = datetime.date


@pytest.fixture
def cal(db):
    seed_years([2025, 2026])


def test_national_day_week_is_skipped(cal):
    # Accepted Wed 09-30: 10-01..07 off, 10-08 Thu, 10-09 Fri, Sat 10-10 worked (调休), 10-12 Mon.
    promised, statutory, provisional = deadlines.due_dates(
        accepted_on=D(2026, 9, 30), promised_limit=3, statutory_limit=4, extension_days=0, unit="working"
    )
    assert promised == D(2026, 10, 10) and statutory == D(2026, 10, 12) and not provisional


def test_spring_festival_is_skipped(cal):
    # Accepted Fri 02-13: Sat 02-14 worked, 02-15..23 off, 02-24 Tue.
    promised, _, _ = deadlines.due_dates(
        accepted_on=D(2026, 2, 13), promised_limit=2, statutory_limit=2, extension_days=0, unit="working"
    )
    assert promised == D(2026, 2, 24)


def test_zero_day_limit_is_the_same_day(cal):
    promised, statutory, _ = deadlines.due_dates(
        accepted_on=D(2026, 3, 2), promised_limit=0, statutory_limit=0, extension_days=0, unit="working"
    )
    assert promised == statutory == D(2026, 3, 2)


def test_natural_days_count_holidays(cal):
    promised, _, _ = deadlines.due_dates(
        accepted_on=D(2026, 9, 30), promised_limit=5, statutory_limit=5, extension_days=0, unit="natural"
    )
    assert promised == D(2026, 10, 5)


def test_suspension_across_a_holiday_pushes_by_its_working_days_only(cal):
    # Suspended F=09-30, resumed T=10-09: working days F < d <= T are 10-08 and 10-09 → +2.
    plain, _, _ = deadlines.due_dates(
        accepted_on=D(2026, 9, 28), promised_limit=5, statutory_limit=5, extension_days=0, unit="working"
    )
    assert plain == D(2026, 10, 10)  # 09-29, 09-30, 10-08, 10-09, Sat 10-10 (调休)
    pushed, statutory, _ = deadlines.due_dates(
        accepted_on=D(2026, 9, 28),
        promised_limit=5,
        statutory_limit=5,
        extension_days=0,
        unit="working",
        suspensions=[(D(2026, 9, 30), D(2026, 10, 9))],
    )
    assert pushed == statutory == D(2026, 10, 13)  # + Mon 10-12, Tue 10-13
    # An open suspension (not yet resumed) does not move the stored dates.
    same, _, _ = deadlines.due_dates(
        accepted_on=D(2026, 9, 28),
        promised_limit=5,
        statutory_limit=5,
        extension_days=0,
        unit="working",
        suspensions=[(D(2026, 9, 30), None)],
    )
    assert same == plain


def test_extension_pushes_the_statutory_due_only(cal):
    promised, statutory, _ = deadlines.due_dates(
        accepted_on=D(2026, 3, 2), promised_limit=5, statutory_limit=20, extension_days=10, unit="working"
    )
    assert promised == D(2026, 3, 9)
    assert statutory == D(2026, 4, 14)  # 30 working days after Mon 03-02; Qingming 04-04..06 off
    plain = deadlines.extension_rule(snapshot={"statutory_limit": 45}, mode="promised", limit_unit="working")
    joint = deadlines.extension_rule(snapshot={"joint_handling": True}, mode="promised", limit_unit="natural")
    assert (plain.limit, plain.head_limit) == (10, 10)
    assert (joint.limit, joint.head_limit, joint.unit) == (15, 10, "working")


def test_remaining_and_colour(cal):
    assert deadlines.remaining(due=D(2026, 10, 9), today=D(2026, 9, 30), unit="working") == 2
    assert deadlines.remaining(due=D(2026, 10, 9), today=D(2026, 10, 9), unit="working") == 0
    assert deadlines.remaining(due=D(2026, 10, 8), today=D(2026, 10, 12), unit="working") == -3
    assert (
        deadlines.colour(5) == "green" and deadlines.colour(1) == "yellow" and deadlines.colour(-1) == "red"
    )
    assert deadlines.remaining(due=None, today=D(2026, 1, 5), unit="working") is None


def test_elapsed_and_remaining_for_many_cases_without_queries(world, django_assert_num_queries):
    from approvals.models import Case

    from .conftest import at

    with at(2026, 9, 24):
        for _ in range(5):
            world.fire(world.clerk, world.case(), "accept")
    cases = list(Case.objects.all())
    deadlines.annotate_times([], D(2026, 9, 30))  # warm the calendar index
    with django_assert_num_queries(0):
        rows = deadlines.annotate_times(cases, D(2026, 9, 30))
    # Accepted Thu 09-24; Mid-Autumn 09-25..27 off: elapsed 09-28, 29, 30; due 10-09 is 2 working days on.
    assert {(c.elapsed_now, c.remaining_now, c.due_colour) for c in rows} == {(3, 2, "green")}


def test_a_step_limit_counts_in_working_days_even_for_a_natural_day_item(cal):
    """The 流程时限表 states a step's limit in working days (环节时限（工作日）) and the case page counts the
    step's days left in working days: the step's date is added in working days whatever the case's unit.
    Fri 2026-04-03, 3 working days (Qingming: Sat 04-04 to Mon 04-06 off): 04-07, 04-08, 04-09."""
    from types import SimpleNamespace

    from approvals.services.common import enter_step

    case = SimpleNamespace(
        application=SimpleNamespace(
            item_snapshot={"steps": [{"role": "reviewer", "name": "现场勘查", "limit_days": 3}]}
        ),
        limit_unit="natural",
        current_step="",
        step_due=None,
    )
    enter_step(case, "reviewer", D(2026, 4, 3))
    assert case.current_step == "现场勘查" and case.step_due == D(2026, 4, 9)
