"""More paths of DESIGN §3/§4 through the services and the API, dates hand-computed (2026 calendar)."""

import datetime

from approvals.constants import CaseState
from approvals.models import Case
from portal.workcalendar import services as calendar

from .conftest import at

D = datetime.date


def test_suspension_across_spring_festival(world):
    with at(2026, 2, 9):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
    case = Case.objects.get(pk=case.pk)
    # Mon 02-09: 02-10, 11, 12, 13, Sat 02-14 (worked) → promised 02-14.
    assert case.promised_due == D(2026, 2, 14)
    with at(2026, 2, 12):
        r = world.fire(world.reviewer, case, "suspend", kind="inspection", reason="现场勘验", expected_days=3)
        assert r.status_code == 200, r.json()
    with at(2026, 2, 25):
        assert world.fire(world.citizen, case, "resume").status_code == 403
        assert world.fire(world.reviewer, case, "resume").json()["state"] == "in_review"
    case = Case.objects.get(pk=case.pk)
    # Suspended 02-12 → 02-25 removes 02-13, 02-14, 02-24, 02-25 (Spring Festival 02-15..23 is off anyway).
    assert case.suspended_days == 4
    # Counted 02-10, 11, 12, then 02-26, 02-27.
    assert case.promised_due == D(2026, 2, 27)
    # Statutory: 20 working days → 03-13, plus 4 → 03-19.
    assert case.statutory_due == D(2026, 3, 19)


def test_art42_a_45_day_item_not_handled_jointly_gets_10_working_days_at_most(world):
    """行政许可法 Art. 42: a limit of 45 alone does not allow 15 days: only joint handling does."""
    from tests.factories import ItemFactory

    item = ItemFactory(department=world.dept, statutory_limit=45, promised_limit=20)
    with at(2026, 3, 2):
        case = world.case(item=item)
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        r = world.fire(world.reviewer, case, "request_extension", days=15, reason="情况复杂")
        assert r.status_code == 400 and "days" in r.json()
        assert (
            world.fire(world.reviewer, case, "request_extension", days=10, reason="情况复杂").status_code
            == 200
        )
        assert world.fire(world.head, case, "extend").status_code == 200
    case = Case.objects.get(pk=case.pk)
    assert case.extension_days == 10 and case.state == CaseState.IN_REVIEW
    assert case.statutory_due == calendar.add_days(D(2026, 3, 2), 55).date
    assert case.promised_due == calendar.add_days(D(2026, 3, 2), 20).date


def test_art42_the_service_refuses_an_extension_of_zero_or_fewer_days_whoever_calls_it(world):
    """行政许可法 Art. 42: an extension lengthens the statutory limit. The forms and the API say 1–365, and
    the service itself refuses 0 or a negative number (which would shorten the statutory due date)."""
    import pytest

    from approvals.services.extension import case_extend, case_request_extension
    from portal.exceptions import ApplicationError

    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        case = Case.objects.get(pk=case.pk)
        due = case.statutory_due
        for days in (0, -5):
            with pytest.raises(ApplicationError) as refused:
                case_request_extension(case=case, actor=world.reviewer, days=days, reason="情况复杂")
            assert "days" in refused.value.extra
        case_request_extension(case=case, actor=world.reviewer, days=3, reason="情况复杂")
        with pytest.raises(ApplicationError):
            case_extend(case=Case.objects.get(pk=case.pk), actor=world.head, days=-3)
        case = case_extend(case=Case.objects.get(pk=case.pk), actor=world.head, days=2)
    case = Case.objects.get(pk=case.pk)
    assert case.extension_days == 2 and case.statutory_due == calendar.add_days(due, 2).date
