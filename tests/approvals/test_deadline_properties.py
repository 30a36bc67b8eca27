"""Property-based tests of the deadline service (approvals.deadlines over portal.workcalendar.services)
against a small reference implementation of DESIGN §4 written here, day by day, with none of the
service's indexes, bisections or interval merging (行政许可法 Arts. 42, 45 and 82).

The reference reads DESIGN §4 literally:
- a day counts when it is a working day (or any day, for natural-day limits) and lies inside no
  suspension: a suspension from F to T takes out the days F < d <= T (an open one runs to "today");
- the due date for a limit N is the first day D after the acceptance day A at which the count reaches N
  (D = A for N = 0); an extension counts on from the statutory due date in its own unit;
- elapsed days are the count up to the end day; a case is overdue when that day is later than its due;
- a date in a year without a published schedule uses weekends-off and makes the result provisional.
The published years are 2024–2026 (the State Council's schedules, as the chinesecalendar package has
them); 2027 and later are unpublished here.
"""

import datetime

import chinese_calendar
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from approvals import deadlines
from portal.workcalendar import services as calendar
from portal.workcalendar.seed import seed_years

PUBLISHED = {2024, 2025, 2026}
ONE = datetime.timedelta(days=1)
FIRST, LAST = datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)


@pytest.fixture
def published_calendar(db):
    seed_years(sorted(PUBLISHED))
    calendar.invalidate()


# --- the reference -------------------------------------------------------------------------------


def ref_is_workday(day: datetime.date) -> bool:
    if day.year in PUBLISHED:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def ref_counts(day, unit, suspensions, today=None) -> bool:
    for start, stop in suspensions:
        end = stop if stop is not None else today
        if end is not None and start < day <= end:
            return False
    return unit == "natural" or ref_is_workday(day)


def ref_due(start, n, unit, suspensions=()):
    day, count = start, 0
    while count < n:
        day += ONE
        if ref_counts(day, unit, suspensions):
            count += 1
    return day


def ref_count(start, end, unit, suspensions=(), today=None):
    count, day = 0, start
    while day < end:
        day += ONE
        if ref_counts(day, unit, suspensions, today):
            count += 1
    return count


def ref_provisional(first, last) -> bool:
    return any(year not in PUBLISHED for year in range(first.year, last.year + 1))


# --- the strategies ------------------------------------------------------------------------------

days = st.dates(min_value=FIRST, max_value=LAST)
units = st.sampled_from(["working", "natural"])


@st.composite
def suspensions(draw, accepted_on, open_allowed=False):
    out = []
    for _ in range(draw(st.integers(0, 3))):
        start = accepted_on + datetime.timedelta(days=draw(st.integers(0, 120)))
        stop = start + datetime.timedelta(days=draw(st.integers(1, 40)))
        out.append((start, stop))
    if open_allowed and draw(st.booleans()):
        out.append((accepted_on + datetime.timedelta(days=draw(st.integers(0, 120))), None))
    return out


@st.composite
def cases(draw):
    accepted_on = draw(days)
    statutory = draw(st.integers(0, 90))
    return {
        "accepted_on": accepted_on,
        "statutory_limit": statutory,
        "promised_limit": draw(st.integers(0, statutory)),
        "unit": draw(units),
        "extension_days": draw(st.sampled_from([0, 0, 5, 10, 15, 30])),
        "extension_unit": draw(units),
        "suspensions": draw(suspensions(accepted_on)),
    }


PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- the properties ------------------------------------------------------------------------------


@PROPERTY
@given(case=cases())
def test_due_dates_and_provisional_flag_agree_with_design_section_4(published_calendar, case):
    """DESIGN §4 / 行政许可法 Arts. 42, 45, 82: promised and statutory due dates (with suspensions and an
    extension) and the provisional flag are those of the day-by-day reference."""
    promised, statutory, provisional = deadlines.due_dates(**case)
    a, unit, susp = case["accepted_on"], case["unit"], case["suspensions"]
    want_promised = ref_due(a, case["promised_limit"], unit, susp)
    want_statutory = ref_due(
        ref_due(a, case["statutory_limit"], unit, susp), case["extension_days"], case["extension_unit"], susp
    )
    assert promised == want_promised
    assert statutory == want_statutory
    assert provisional == ref_provisional(a, max(want_promised, want_statutory))


@PROPERTY
@given(accepted_on=days, span=st.integers(0, 200), unit=units, data=st.data())
def test_elapsed_days_agree_with_design_section_4(published_calendar, accepted_on, span, unit, data):
    """DESIGN §4 / 行政许可法 Art. 45: elapsed days up to a day, an open suspension running to that day."""
    until = accepted_on + datetime.timedelta(days=span)
    susp = data.draw(suspensions(accepted_on, open_allowed=True))
    got = deadlines.elapsed(accepted_on=accepted_on, until=until, unit=unit, suspensions=susp)
    assert got == ref_count(accepted_on, until, unit, susp, today=until)


@PROPERTY
@given(due=days, offset=st.integers(-60, 60), unit=units)
@example(due=datetime.date(2026, 3, 13), offset=1, unit="working")  # Sat after a Fri due date: overdue
def test_days_left_and_overdue_flag_agree_with_design_section_4(published_calendar, due, offset, unit):
    """DESIGN §4: the days left to a due date (negative once overdue) and the overdue flag (today later
    than the due date) and its colour."""
    today = due + datetime.timedelta(days=offset)
    left = deadlines.remaining(due=due, today=today, unit=unit)
    overdue = today > due
    # overdue by the counted days since the due date, and by at least one (a weekend after a Friday due
    # date is already late: DESIGN §4 compares days, not working days)
    want = -max(ref_count(due, today, unit), 1) if overdue else ref_count(today, due, unit)
    assert left == want
    assert (deadlines.colour(left) == "red") == overdue


@PROPERTY
@given(start=days, n=st.integers(0, 90), unit=units)
def test_calendar_add_and_count_are_inverse(published_calendar, start, n, unit):
    """DESIGN §4: the due date of N is the first day whose count reaches N, and its provisional flag says
    whether an unpublished year lies between."""
    due = calendar.add_days(start, n, unit=unit)
    assert due.date == ref_due(start, n, unit)
    assert calendar.count_days(start, due.date, unit=unit) == n
    assert due.provisional == ref_provisional(start, due.date)
