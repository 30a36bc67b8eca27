"""The work calendar against the State Council's published schedules (2026) and its edge cases."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.workcalendar import services
from portal.workcalendar.constants import LimitUnit
from portal.workcalendar.models import CalendarYear
from portal.workcalendar.seed import seed_years

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar_2025_2026():
    seed_years([2025, 2026])


def test_national_day_week_and_its_make_up_days(calendar_2025_2026):
    # 2026: Oct 1–7 off; Sun Sep 20 and Sat Oct 10 are make-up working days.
    assert not services.is_workday(D(2026, 10, 1))
    assert not services.is_workday(D(2026, 10, 7))
    assert services.is_workday(D(2026, 9, 20))
    assert services.is_workday(D(2026, 10, 10))
    due = services.add_days(D(2026, 9, 24), 20)
    assert due == services.DueDate(D(2026, 10, 29), False)
    assert services.count_days(D(2026, 9, 24), D(2026, 10, 30)) == 21
    # Accepted on the eve of the holiday: the first counted day is the Saturday make-up day.
    assert services.add_days(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert services.add_days(D(2026, 10, 8), 2).date == D(2026, 10, 10)


def test_spring_festival_2026(calendar_2025_2026):
    # 2026 Spring Festival: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 are working days.
    assert services.is_workday(D(2026, 2, 14))
    assert not services.is_workday(D(2026, 2, 16))
    assert not services.is_workday(D(2026, 2, 23))
    assert services.is_workday(D(2026, 2, 28))
    assert services.add_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert services.add_days(D(2026, 2, 14), 1).date == D(2026, 2, 24)
    assert services.count_days(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


def test_year_boundary(calendar_2025_2026):
    # 2026-01-01..03 New Year off; Sun 2026-01-04 a working day.
    assert services.add_days(D(2025, 12, 30), 2).date == D(2026, 1, 4)
    assert services.count_days(D(2025, 12, 29), D(2026, 1, 5)) == 4  # 30, 31, Jan 4, Jan 5


def test_zero_days_is_the_same_day_and_natural_days(calendar_2025_2026):
    assert services.add_days(D(2026, 10, 1), 0).date == D(2026, 10, 1)
    assert services.add_days(D(2026, 9, 30), 10, unit=LimitUnit.NATURAL).date == D(2026, 10, 10)
    assert services.count_days(D(2026, 9, 30), D(2026, 10, 10), unit=LimitUnit.NATURAL) == 10


def test_suspension_takes_out_the_days_f_exclusive_t_inclusive(calendar_2025_2026):
    # Accepted Mon 2026-03-02, limit 5 → Mon 03-09. Suspended from Tue 03-03 to Thu 03-05:
    # 03-04 and 03-05 do not count → due Wed 03-11.
    assert services.add_days(D(2026, 3, 2), 5).date == D(2026, 3, 9)
    assert services.add_days(D(2026, 3, 2), 5, suspensions=[(D(2026, 3, 3), D(2026, 3, 5))]).date == D(
        2026, 3, 11
    )
    assert (
        services.count_days(D(2026, 3, 2), D(2026, 3, 11), suspensions=[(D(2026, 3, 3), D(2026, 3, 5))]) == 5
    )


def test_a_suspension_across_the_national_day_holiday_costs_only_its_working_days(calendar_2025_2026):
    # Suspended Tue 09-29 → resumed Fri 10-09: takes out 09-30, 10-08, 10-09 (3 working days).
    base = services.add_days(D(2026, 9, 28), 10).date
    pushed = services.add_days(D(2026, 9, 28), 10, suspensions=[(D(2026, 9, 29), D(2026, 10, 9))]).date
    assert services.count_days(base, pushed) == 3


def test_year_without_published_schedule_is_provisional_until_imported(calendar_2025_2026, tmp_path):
    assert services.is_provisional(D(2027, 2, 8))
    before = services.add_days(D(2027, 2, 5), 3)
    assert before.provisional and before.date == D(2027, 2, 10)  # weekends-off fallback
    csv = tmp_path / "2027.csv"
    csv.write_text(
        "date,kind,name\n2027-02-08,休,春节\n2027-02-09,休,春节\n2027-02-06,班,春节\n", encoding="utf-8"
    )
    call_command("calendar_import", str(csv), stdout=StringIO())
    after = services.add_days(D(2027, 2, 5), 3)
    assert not after.provisional
    assert after.date == D(2027, 2, 11)  # 02-06 (make-up), 02-10, 02-11
    assert CalendarYear.objects.get(year=2027).published


def test_bad_import_file_imports_nothing_and_lists_every_error(calendar_2025_2026, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("date,kind,name\n2027-02-30,休,x\n2027-02-08,rest,y\n2027-02-09,休,ok\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("calendar_import", str(csv))
    assert exc.value.returncode == 2
    assert "第2行" in str(exc.value) and "第3行" in str(exc.value)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert services.is_workday(D(2027, 2, 9))


def test_index_answers_without_queries(calendar_2025_2026, django_assert_num_queries):
    services.add_days(D(2026, 1, 5), 1)
    with django_assert_num_queries(0):
        for n in range(200):
            services.add_days(D(2026, 1, 5), n)
            services.count_days(D(2026, 1, 5), D(2026, 12, 31))


def test_other_processes_see_a_change_through_the_cache_version(calendar_2025_2026, monkeypatch):
    services.get_index()
    from django.core.cache import cache

    # Simulate another process having changed the calendar: bump the version without touching our index.
    from portal.workcalendar.models import CalendarDay

    CalendarDay.objects.filter(date=D(2026, 10, 10)).update(kind="holiday")  # update() sends no signal
    monkeypatch.setattr(services, "CHECK_SECONDS", 0.0)
    assert services.is_workday(D(2026, 10, 10))  # version unchanged: still the cached index
    cache.incr(services._VERSION_KEY) if cache.get(services._VERSION_KEY) else cache.set(
        services._VERSION_KEY, 99
    )
    assert not services.is_workday(D(2026, 10, 10))


@pytest.mark.parametrize(
    "args",
    [
        ["add", "2026-02-30", "3"],
        ["add", "2026-09-24", "x"],
        ["add", "2026-09-24", "-1"],
        ["between", "2026-10-30", "2026-09-24"],
    ],
)
def test_workdays_command_bad_arguments_exit_2(calendar_2025_2026, args):
    with pytest.raises(CommandError) as exc:
        call_command("workdays", *args)
    assert exc.value.returncode == 2


def test_workdays_command_prints_answers(calendar_2025_2026):
    out = StringIO()
    call_command("workdays", "add", "2026-09-24", "20", stdout=out)
    assert out.getvalue().strip() == "2026-10-29"
    out = StringIO()
    call_command("workdays", "between", "2026-09-24", "2026-10-30", stdout=out)
    assert out.getvalue().strip() == "21"
    out = StringIO()
    call_command("workdays", "add", "2026-12-24", "20", stdout=out)
    assert out.getvalue().strip() == "2027-01-21 provisional"
    out = StringIO()
    call_command("workdays", "between", "2026-09-30", "2026-10-10", "--natural", stdout=out)
    assert out.getvalue().strip() == "10"


def test_workdays_exit_code_from_the_shell():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "workdays", "add", "nope", "3"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not a date" in result.stderr
