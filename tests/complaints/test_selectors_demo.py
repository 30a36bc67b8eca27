import io

import pytest
from django.core.cache import cache

from complaints import demo, services
from complaints.models import Complaint, Rating
from complaints.selectors import complaint_counts, satisfaction
from portal.workcalendar.seed import seed_years
from tests.approvals.factories import CaseFactory
from tests.factories import citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_years([2025, 2026])
    cache.clear()


def test_figures_are_none_without_data():
    assert satisfaction(Rating.objects.all()) == {"ratings": 0, "good": 0, "satisfaction": None}
    assert complaint_counts(Complaint.objects.all()) == {
        "received": 0,
        "concluded": 0,
        "completion_rate": None,
    }


def test_satisfaction_counts_three_and_above_as_good():
    for score in (3, 2, 5, 1):
        case = CaseFactory(concluded=True)
        services.rating_submit(
            case=case,
            actor=case.applicant,
            data={"overall": score, "comment": "办理情况评价"},
            channel="online",
        )
    assert satisfaction(Rating.objects.all()) == {"ratings": 4, "good": 2, "satisfaction": 0.5}


def test_complaint_counts_completion_from_concluded_at():
    person = citizen(username="c1", id_number="110101199003070011")
    services.complaint_file(
        actor=person,
        channel="online",
        name="",
        phone="13800000000",
        subject="办理太慢",
        content="申请超过承诺时限仍未办结。",
    )
    services.complaint_file(
        actor=person,
        channel="online",
        name="",
        phone="13800000000",
        subject="办理太慢",
        content="申请超过承诺时限仍未办结。",
    )
    Complaint.objects.filter(pk=Complaint.objects.first().pk).update(concluded_at="2026-01-05T10:00:00Z")
    assert complaint_counts(Complaint.objects.all()) == {
        "received": 2,
        "concluded": 1,
        "completion_rate": 0.5,
    }


def test_demo_skips_without_concluded_cases_and_is_idempotent():
    demo.load(io.StringIO())
    assert Rating.objects.count() == 0
    for _ in range(2):
        CaseFactory(concluded=True)
    demo.load(io.StringIO())
    n = Rating.objects.count()
    assert n == 2
    demo.load(io.StringIO())
    assert Rating.objects.count() == n


def test_anonymous_api_is_throttled_after_five_a_minute():
    from rest_framework.test import APIClient

    api = APIClient()
    body = {
        "phone": "13912345678",
        "name": "张",
        "subject": "办理太慢",
        "content": "申请超过承诺时限仍未办结。",
    }
    codes = [api.post("/api/v1/complaints/", body, format="json").status_code for _ in range(6)]
    assert codes == [201] * 5 + [429]
    assert Complaint.objects.count() == 5


def test_staff_queue_and_tickets_never_show_the_phone(client):
    from django.urls import reverse

    from tests.factories import staff

    complaint = services.complaint_file(
        actor=None,
        channel="online",
        name="李",
        phone="13912345678",
        subject="办理太慢",
        content="申请超过承诺时限仍未办结。",
    )
    inspector = staff("inspector", username="insp")
    client.force_login(inspector)
    for url in (
        reverse("complaints:queue"),
        reverse("complaints:detail", args=[complaint.number]),
        reverse("complaints:tickets"),
    ):
        r = client.get(url)
        assert r.status_code == 200
        assert "13912345678" not in r.content.decode()


def test_complaint_numbers_are_sequential_per_day_and_due_dates_follow_the_calendar(time_machine):
    import datetime

    from portal.workcalendar.services import add_days

    time_machine.move_to(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.UTC))
    made = [
        services.complaint_file(
            actor=None,
            channel="online",
            name="李",
            phone="13912345678",
            subject="办理太慢",
            content="申请超过承诺时限仍未办结。",
        )
        for _ in range(2)
    ]
    assert [c.number for c in made] == ["TS-20260930-0001", "TS-20260930-0002"]
    assert made[0].received_on == datetime.date(2026, 9, 30)
    assert made[0].due_on == add_days(datetime.date(2026, 9, 30), 15).date
    assert made[0].due_on > datetime.date(2026, 10, 21)  # National Day holiday is skipped


def test_invitation_link_expires(client, time_machine):
    import datetime

    from django.urls import reverse

    from complaints.services import RATING_LINK_MAX_AGE

    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC))
    case = CaseFactory(concluded=True)
    token = services.rating_link_token(case)
    time_machine.shift(datetime.timedelta(seconds=RATING_LINK_MAX_AGE + 60))
    r = client.post(reverse("complaints:rate_link", args=[token]), {"overall": "5", "comment": "很好"})
    assert r.status_code == 400
    assert not Rating.objects.exists()


def test_complaint_queue_only_open_link(client):
    """DESIGN §6: the queue's 只看未办结 link (``open=1``) leaves out the concluded complaints."""
    from django.urls import reverse

    from tests.complaints.factories import ComplaintFactory
    from tests.factories import staff

    running, concluded = ComplaintFactory(investigating=True), ComplaintFactory(concluded=True)
    client.force_login(staff("inspector", username="insp"))
    everything = client.get(reverse("complaints:queue")).content.decode()
    only_open = client.get(reverse("complaints:queue"), {"open": "1"}).content.decode()
    assert running.number in everything and concluded.number in everything
    assert running.number in only_open and concluded.number not in only_open
