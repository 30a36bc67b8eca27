"""The hall's API contract (issue 20) step by step, with the clock frozen around the 2026 National Day
holiday (1–7 October) and the make-up working day Saturday 10 October (chinesecalendar)."""

import datetime

import pytest

from complaints.models import Rating, RectificationTicket
from hall import services
from hall.constants import AppointmentState, TicketState
from hall.models import Appointment, CallRecord, Ticket
from portal.notifications.models import Delivery
from tests.factories import ApplicationFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def test_business_types_are_listed_for_anyone(hall):
    r = hall.api().get("/api/v1/hall/business-types/")
    assert r.status_code == 200
    assert [(t["code"], t["name"]) for t in r.json()] == [("A", "企业开办"), ("B", "不动产登记")]


def test_slots_follow_the_work_calendar_holiday_closed_make_up_day_open(hall):
    client = hall.api()
    with at(2026, 9, 30):
        # Thursday 1 October: National Day, closed
        r = client.get("/api/v1/hall/slots/", {"business_type": "A", "date": "2026-10-01"})
        assert r.status_code == 200 and r.json() == []
        # Saturday 10 October: make-up working day, open with Monday's hours
        r = client.get("/api/v1/hall/slots/", {"business_type": "A", "date": "2026-10-10"})
        assert [(s["half"], s["start"], s["end"], s["available"]) for s in r.json()] == [
            ("am", "09:00", "12:00", 2),
            ("pm", "13:30", "17:00", 2),
        ]
        # Sunday 11 October: an ordinary weekend day, closed
        assert client.get("/api/v1/hall/slots/", {"business_type": "A", "date": "2026-10-11"}).json() == []
        # bad input is a 400 on the field
        r = client.get("/api/v1/hall/slots/", {"business_type": "Z", "date": "2026-10-10"})
        assert r.status_code == 400 and "business_type" in r.json()
        r = client.get("/api/v1/hall/slots/", {"business_type": "A", "date": "10/10"})
        assert r.status_code == 400 and "date" in r.json()


def test_booking_respects_holidays_the_day_before_rule_and_capacity(hall):
    with at(2026, 9, 30):
        alice = hall.api(hall.alice)
        r = alice.post(
            "/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-10-02", "half": "am"}
        )
        assert r.status_code == 400 and "date" in r.json()  # a holiday
        r = alice.post(
            "/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-09-30", "half": "pm"}
        )
        assert r.status_code == 400 and "date" in r.json()  # today: take a number at the kiosk
        r = alice.post(
            "/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-10-10", "half": "am"}
        )
        assert r.status_code == 201, r.json()
        assert r.json()["state"] == "booked" and r.json()["date"] == "2026-10-10"
        r = alice.post(
            "/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-10-10", "half": "pm"}
        )
        assert r.status_code == 409  # one booking per business type and day
        r = hall.api(hall.bob).post(
            "/api/v1/hall/appointments/", {"business_type": "B", "date": "2026-10-10", "half": "am"}
        )
        assert r.status_code == 201
        # the morning's capacity (2) is used up
        third = hall.api(hall.clerk1)  # staff may not book
        assert (
            third.post(
                "/api/v1/hall/appointments/", {"business_type": "B", "date": "2026-10-10", "half": "am"}
            ).status_code
            == 403
        )
        carol = services.User.objects.create(username="carol")
        carol.groups.add(*hall.alice.groups.all())
        r = hall.api(carol).post(
            "/api/v1/hall/appointments/", {"business_type": "B", "date": "2026-10-10", "half": "am"}
        )
        assert r.status_code == 409 and r.json()["code"] == "slot_full"
        slots = hall.api().get("/api/v1/hall/slots/", {"business_type": "A", "date": "2026-10-10"}).json()
        assert [s["available"] for s in slots] == [0, 2]
        assert hall.api().post("/api/v1/hall/appointments/", {}).status_code in (401, 403)


def test_cancel_up_to_the_day_before_and_only_ones_own(hall):
    with at(2026, 10, 8):
        r = hall.api(hall.alice).post(
            "/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-10-09", "half": "am"}
        )
        pk = r.json()["id"]
        assert hall.api(hall.bob).delete(f"/api/v1/hall/appointments/{pk}/").status_code == 404
        assert hall.api(hall.alice).delete("/api/v1/hall/appointments/999999/").status_code == 404
    with at(2026, 10, 9, 8):
        r = hall.api(hall.alice).delete(f"/api/v1/hall/appointments/{pk}/")
        assert r.status_code == 409  # the day itself: too late
    with at(2026, 10, 8, 20):
        assert hall.api(hall.alice).delete(f"/api/v1/hall/appointments/{pk}/").status_code == 204
        assert Appointment.objects.get(pk=pk).state == AppointmentState.CANCELLED
        assert hall.api(hall.alice).delete(f"/api/v1/hall/appointments/{pk}/").status_code == 409


def test_change_moves_the_booking_within_capacity(hall):
    with at(2026, 9, 30):
        a = services.appointment_book(
            citizen=hall.alice, business_type=hall.a, day=datetime.date(2026, 10, 9), half="am"
        )
        a = services.appointment_change(
            appointment=a, actor=hall.alice, day=datetime.date(2026, 10, 10), half="pm"
        )
        assert (a.date, a.half) == (datetime.date(2026, 10, 10), "pm")
        with pytest.raises(services.ApplicationError):
            services.appointment_change(
                appointment=a, actor=hall.alice, day=datetime.date(2026, 10, 5), half="am"
            )


def test_the_day_before_reminder_goes_by_sms_through_the_outbox_once(hall):
    with at(2026, 9, 30):
        services.appointment_book(
            citizen=hall.alice, business_type=hall.a, day=datetime.date(2026, 10, 10), half="am"
        )
        services.appointment_book(
            citizen=hall.bob, business_type=hall.a, day=datetime.date(2026, 10, 12), half="am"
        )
    with at(2026, 10, 9, 10):  # Friday before the make-up Saturday
        assert services.appointment_reminder_scan() == 1
        assert services.appointment_reminder_scan() == 0  # a scan, once
    sms = Delivery.objects.get(channel="sms")
    assert sms.address == "13900000001"
    assert "2026-10-10" in sms.notification.body and "09:00" in sms.notification.body


def test_check_in_gives_a_priority_number_called_before_walk_ins(hall):
    with at(2026, 10, 9, 8):
        pk = (
            hall.api(hall.alice)
            .post("/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-10-10", "half": "am"})
            .json()["id"]
        )
        assert (
            hall.api(hall.alice).post(f"/api/v1/hall/appointments/{pk}/check-in/").status_code == 409
        )  # not the day
    with at(2026, 10, 10, 8, 30):
        walk_in = hall.api().post("/api/v1/hall/tickets/", {"business_type": "A"})
        assert walk_in.status_code == 201 and walk_in.json()["number"] == "A001"
        assert hall.api(hall.bob).post(f"/api/v1/hall/appointments/{pk}/check-in/").status_code == 404
        r = hall.api(hall.alice).post(f"/api/v1/hall/appointments/{pk}/check-in/")
        assert r.status_code == 201
        assert (
            r.json()["number"] == "A002" and r.json()["priority"] is True and r.json()["waiting_ahead"] == 0
        )
        assert hall.api(hall.alice).post(f"/api/v1/hall/appointments/{pk}/check-in/").status_code == 409
        called = hall.api(hall.clerk1).post("/api/v1/hall/windows/1/call-next/")
        assert called.status_code == 200 and called.json()["number"] == "A002"


def test_numbers_count_per_type_and_reset_every_day_with_waiting_ahead(hall):
    client = hall.api()
    with at(2026, 10, 9, 9):
        got = [client.post("/api/v1/hall/tickets/", {"business_type": c}).json() for c in "AABA"]
        assert [(t["number"], t["waiting_ahead"]) for t in got] == [
            ("A001", 0),
            ("A002", 1),
            ("B001", 0),
            ("A003", 2),
        ]
        r = client.post("/api/v1/hall/tickets/", {"business_type": "Q"})
        assert r.status_code == 400 and "business_type" in r.json()
    with at(2026, 10, 10, 9):
        assert client.post("/api/v1/hall/tickets/", {"business_type": "A"}).json()["number"] == "A001"
    assert Ticket.objects.filter(number="A001").count() == 2


def test_calling_recall_skip_transfer_finish(hall):
    with at(2026, 10, 12, 9):
        t1 = hall.api().post("/api/v1/hall/tickets/", {"business_type": "A"}).json()
        t2 = hall.api().post("/api/v1/hall/tickets/", {"business_type": "B"}).json()
        # only the clerk at that window calls it
        assert hall.api(hall.clerk2).post("/api/v1/hall/windows/1/call-next/").status_code == 403
        assert hall.api(hall.alice).post("/api/v1/hall/windows/1/call-next/").status_code == 403
        assert hall.api(hall.clerk1).post("/api/v1/hall/windows/99/call-next/").status_code == 404
        # window 3 serves no business type: nothing to call
        r = hall.api(hall.clerk3).post("/api/v1/hall/windows/3/call-next/")
        assert r.status_code == 409 and r.json()["code"] == "empty"
        c1 = hall.api(hall.clerk1)
        assert c1.post("/api/v1/hall/windows/1/call-next/").json()["number"] == "A001"
        # one number at a time
        assert c1.post("/api/v1/hall/windows/1/call-next/").status_code == 409
        assert c1.post(f"/api/v1/hall/tickets/{t1['id']}/recall/").status_code == 200
        assert hall.api(hall.clerk2).post(f"/api/v1/hall/tickets/{t1['id']}/recall/").status_code == 403
        assert c1.post(f"/api/v1/hall/tickets/{t1['id']}/skip/").json()["state"] == TicketState.SKIPPED
        assert c1.post(f"/api/v1/hall/tickets/{t1['id']}/finish/").status_code == 409
        assert c1.post("/api/v1/hall/windows/1/call-next/").json()["number"] == "B001"
        r = c1.post(f"/api/v1/hall/tickets/{t2['id']}/transfer/", {"window": 1})
        assert r.status_code == 400 and "window" in r.json()
        r = c1.post(f"/api/v1/hall/tickets/{t2['id']}/transfer/", {"window": 3})
        assert r.status_code == 200 and r.json()["state"] == "waiting"
        # transferred to window 3: only window 3 calls it, even though it serves no business type
        assert hall.api(hall.clerk2).post("/api/v1/hall/windows/2/call-next/").status_code == 409
        assert hall.api(hall.clerk3).post("/api/v1/hall/windows/3/call-next/").json()["number"] == "B001"
        assert hall.api(hall.clerk1).post("/api/v1/hall/tickets/999999/finish/").status_code == 404
    actions = list(
        CallRecord.objects.order_by("at", "pk").values_list("ticket__number", "action", "window__number")
    )
    assert actions == [
        ("A001", "call", 1),
        ("A001", "recall", 1),
        ("A001", "skip", 1),
        ("B001", "call", 1),
        ("B001", "transfer", 1),
        ("B001", "call", 3),
    ]


def test_finish_links_the_applications_registered_in_the_visit_and_the_device_rates_it(hall):
    with at(2026, 10, 12, 9, 0, tick=True):
        t = hall.api().post("/api/v1/hall/tickets/", {"business_type": "A"}).json()
        before = ApplicationFactory(registered_by=hall.clerk1)  # registered before the number was called
    with at(2026, 10, 12, 9, 20, tick=True):
        hall.api(hall.clerk1).post("/api/v1/hall/windows/1/call-next/")
        during = ApplicationFactory(registered_by=hall.clerk1)
        ApplicationFactory(registered_by=hall.clerk2)  # another clerk's
    with at(2026, 10, 12, 9, 35):
        r = hall.api(hall.clerk1).post(f"/api/v1/hall/tickets/{t['id']}/finish/")
    assert r.status_code == 200, r.json()
    assert r.json()["applications"] == [during.reference] and before.reference not in r.json()["applications"]
    url = r.json()["rating_url"]
    path = url[url.index("/hall/rate/") :]
    with at(2026, 10, 12, 9, 36):
        device = hall.api()  # the counter's tablet: nobody's session
        page = device.get(path)
        assert page.status_code == 200 and "A001" in page.content.decode()
        # a bad rating needs a reason
        r = device.post(path, {"overall": "2"})
        assert r.status_code == 400 and "请选择或填写原因" in r.content.decode()
        r = device.post(path, {"overall": "2", "reason": "等候时间太长"})
        assert r.status_code == 302  # Post/Redirect/Get: the thanks page, reloadable
        assert "感谢您的评价" in device.get(path).content.decode()
        # one-time: the token is spent
        assert hall.api().get(path).status_code == 409
        assert device.post(path, {"overall": "5"}).status_code == 409
    rating = Rating.objects.get()
    assert (rating.overall, rating.comment, rating.visit, rating.window, rating.clerk) == (
        2,
        "等候时间太长",
        "20261012-A001",
        hall.w1,
        hall.clerk1,
    )
    assert rating.channel == "window" and rating.case is None
    # it joins the 好差评 flow: a rectification ticket for the department
    assert RectificationTicket.objects.get(rating=rating).department == hall.dept
    assert Ticket.objects.get(pk=t["id"]).rating == rating


def test_a_forged_rating_token_is_refused(hall):
    assert hall.api().get("/hall/rate/not-a-token/").status_code == 403


def test_display_shows_the_last_calls_and_the_waiting_numbers(hall):
    with at(2026, 10, 12, 9):
        for code in "AAB":
            hall.api().post("/api/v1/hall/tickets/", {"business_type": code})
        hall.api(hall.clerk1).post("/api/v1/hall/windows/1/call-next/")
        r = hall.api().get("/api/v1/hall/display/")
    assert r.status_code == 200
    body = r.json()
    assert [(c["number"], c["window"]) for c in body["calls"]] == [("A001", 1)]
    assert body["waiting"] == ["A002", "B001"] and body["waiting_count"] == 2


def test_three_no_shows_in_30_days_block_online_booking_for_30_days(hall):
    days = [datetime.date(2026, 9, 8), datetime.date(2026, 9, 15), datetime.date(2026, 9, 22)]
    for day in days:
        with at(2026, day.month, day.day - 1, 9):
            services.appointment_book(citizen=hall.alice, business_type=hall.a, day=day, half="am")
        with at(2026, day.month, day.day, 12, 1):
            assert services.no_show_scan() == 1
    assert Appointment.objects.filter(state=AppointmentState.NO_SHOW).count() == 3
    with at(2026, 9, 30):
        r = hall.api(hall.alice).post(
            "/api/v1/hall/appointments/", {"business_type": "A", "date": "2026-10-09", "half": "am"}
        )
        assert r.status_code == 403 and "2026-10-22" in r.json()["detail"]
        page = hall.api(hall.alice)
        page.force_login(hall.alice)
        assert "2026-10-22前不能网上预约" in page.get("/hall/book/").content.decode()
    with at(2026, 10, 22):
        assert services.booking_blocked_until(citizen=hall.alice) is None


def test_the_waiting_time_alert_fires_once_when_the_longest_wait_passes_30_minutes(hall, settings):
    settings.HALL_WAIT_ALERT_MINUTES = 30
    with at(2026, 10, 12, 9):
        hall.api().post("/api/v1/hall/tickets/", {"business_type": "A"})
    with at(2026, 10, 12, 9, 30):
        assert services.wait_alert_scan() == 0
    with at(2026, 10, 12, 9, 31):
        assert services.wait_alert_scan() == 1
        assert services.wait_alert_scan() == 0
    assert hall.inspector.notifications.filter(event="hall.wait_alert").count() == 1


def test_a_bad_rating_on_the_device_reaches_the_departments_rectification_list(hall):
    from django.test import Client

    from tests.factories import staff

    head = staff("head", hall.dept, username="head")
    with at(2026, 10, 12, 9):
        ticket = services.ticket_issue(business_type=hall.a)
        services.ticket_call_next(window=hall.w1, actor=hall.clerk1)
        _t, token = services.ticket_finish(ticket=ticket, actor=hall.clerk1)
        services.ticket_rate(token=token, overall=1, comment="服务态度不好")
    client = Client()
    client.force_login(head)
    page = client.get("/complaints/tickets/").content.decode()
    number = RectificationTicket.objects.get().number
    assert number in page and "20261012-A001" in page and "服务态度不好" in page
    assert head.notifications.filter(event="ticket.opened").exists()
