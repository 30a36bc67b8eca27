"""改约 (issue 20: "cancel or change up to the day before"): a citizen moves a booking to another half-day
slot through the API (PATCH /api/v1/hall/appointments/{id}/) and from the appointment list's page; the
capacity, the day-before rule, the no-show block and the day-before SMS follow the new slot. The clock
is frozen around the 2026 National Day holiday (1–7 October) and the make-up working day Saturday 10
October (chinesecalendar)."""

import datetime

import pytest
from django.test import Client

from hall import services
from hall.constants import AppointmentState
from hall.models import Appointment
from portal.notifications.models import Delivery
from tests.factories import citizen

from .conftest import at

pytestmark = pytest.mark.django_db


def book(hall, who, day: datetime.date, half: str = "am", business_type=None):
    return services.appointment_book(citizen=who, business_type=business_type or hall.a, day=day, half=half)


def fill(hall, day: datetime.date, half: str) -> None:
    """Use up the slot's capacity (2) with two other citizens."""
    for n in range(2):
        book(hall, citizen(username=f"other{n}{day:%d}{half}"), day, half, business_type=hall.b)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(a: Appointment) -> str:
    return f"/api/v1/hall/appointments/{a.pk}/"


# --- the API ------------------------------------------------------------------------------------


def test_the_api_moves_the_booking_to_another_half_day_and_frees_the_old_slot(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-10", "half": "pm"}, format="json")
        assert r.status_code == 200, r.json()
        assert (r.json()["date"], r.json()["half"], r.json()["state"]) == ("2026-10-10", "pm", "booked")
        slots = hall.api().get("/api/v1/hall/slots/", {"business_type": "A", "date": "2026-10-09"}).json()
        assert [s["available"] for s in slots] == [2, 2]  # the old slot is free again
        slots = hall.api().get("/api/v1/hall/slots/", {"business_type": "A", "date": "2026-10-10"}).json()
        assert [s["available"] for s in slots] == [2, 1]
        # only one's own: someone else's appointment is not found, a staff member has none
        assert hall.api(hall.bob).patch(url(a), {"date": "2026-10-12", "half": "am"}).status_code == 404
        assert hall.api(hall.clerk1).patch(url(a), {"date": "2026-10-12", "half": "am"}).status_code == 404
        assert hall.api().patch(url(a), {"date": "2026-10-12", "half": "am"}).status_code == 401
    a.refresh_from_db()
    assert (a.date, a.half) == (datetime.date(2026, 10, 10), "pm")
    assert a.history.first().history_user == hall.alice


def test_a_full_slot_is_a_chinese_409_and_the_booking_stays(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        fill(hall, datetime.date(2026, 10, 12), "pm")
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-12", "half": "pm"}, format="json")
        assert r.status_code == 409
        assert r.json()["detail"] == "该时段已约满，请选择其他时段。" and r.json()["code"] == "slot_full"
        # moving within a full day's other half-day is fine
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-12", "half": "am"}, format="json")
        assert r.status_code == 200
    assert Appointment.objects.get(pk=a.pk).date == datetime.date(2026, 10, 12)


def test_the_day_itself_is_too_late_to_change_the_day_before_is_not(hall):
    with at(2026, 10, 8):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "pm")
    with at(2026, 10, 9, 8):  # the booked day, before the hall opens
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-12", "half": "am"}, format="json")
        assert r.status_code == 409 and r.json()["detail"] == "预约当天不能改约；未到场将记为爽约。"
    with at(2026, 10, 8, 23, 50):  # the evening before
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-12", "half": "am"}, format="json")
        assert r.status_code == 200
        # a cancelled appointment cannot be changed back to life
        hall.api(hall.alice).delete(url(a))
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-13", "half": "am"}, format="json")
        assert r.status_code == 409 and "已取消" in r.json()["detail"]


def test_the_new_slot_follows_the_booking_rules_with_field_messages(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        b = book(hall, hall.alice, datetime.date(2026, 10, 12), "am")
        alice = hall.api(hall.alice)
        cases = [
            ({"date": "2026-10-05", "half": "am"}, "date", "节假日"),  # National Day: closed
            ({"date": "2026-09-30", "half": "pm"}, "date", "明天或以后"),  # today: take a number
            ({"date": "2026-10-30", "half": "am"}, "date", "14天内"),
            ({"date": "2026-10-09", "half": "am"}, "date", "不同的时段"),  # the same slot
            ({"date": "9 Oct", "half": "am"}, "date", ""),
            ({"date": "2026-10-10", "half": "night"}, "half", ""),
            ({}, "date", ""),
        ]
        for body, field, words in cases:
            r = alice.patch(url(a), body, format="json")
            assert r.status_code == 400, (body, r.json())
            assert field in r.json() and words in "".join(r.json()[field]), (body, r.json())
        # one booking of a business type a day: not onto the day of another one
        r = alice.patch(url(a), {"date": "2026-10-12", "half": "pm"}, format="json")
        assert r.status_code == 409 and r.json()["detail"] == "您当天已预约了该业务。"
        # Saturday 10 October is a make-up working day: open
        assert alice.patch(url(a), {"date": "2026-10-10", "half": "am"}, format="json").status_code == 200
    assert Appointment.objects.get(pk=b.pk).date == datetime.date(2026, 10, 12)


def test_three_no_shows_in_30_days_block_changing_as_well_as_booking(hall):
    with at(2026, 9, 14):
        kept = book(hall, hall.alice, datetime.date(2026, 9, 24), "pm", business_type=hall.b)
    for day in (datetime.date(2026, 9, 8), datetime.date(2026, 9, 15), datetime.date(2026, 9, 22)):
        with at(2026, day.month, day.day - 1, 9):
            book(hall, hall.alice, day, "am")
        with at(2026, day.month, day.day, 12, 1):
            services.no_show_scan()
    with at(2026, 9, 22, 15):
        r = hall.api(hall.alice).patch(url(kept), {"date": "2026-09-25", "half": "am"}, format="json")
        assert r.status_code == 403
        assert r.json()["detail"] == "您30天内爽约已达3次，2026-10-22前不能网上预约，请到大厅现场取号。"
    assert Appointment.objects.get(pk=kept.pk).date == datetime.date(2026, 9, 24)


def test_the_reminder_sms_goes_out_for_the_new_date_not_the_old(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 12), "am")  # Monday
    with at(2026, 10, 9, 10):
        # moved on Friday to Tuesday afternoon, before Sunday's scan would have reminded of Monday
        r = hall.api(hall.alice).patch(url(a), {"date": "2026-10-13", "half": "pm"}, format="json")
        assert r.status_code == 200
    with at(2026, 10, 11, 10):
        assert services.appointment_reminder_scan() == 0  # nothing for Monday any more
    with at(2026, 10, 12, 10):
        assert services.appointment_reminder_scan() == 1
        assert services.appointment_reminder_scan() == 0
    sms = Delivery.objects.get(channel="sms")
    assert sms.address == "13900000001"
    body = sms.notification.body
    assert "2026-10-13" in body and "下午" in body and "13:30" in body and "2026-10-12" not in body


def test_a_change_after_the_reminder_is_reminded_again_for_the_new_slot(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 13), "am")
    with at(2026, 10, 12, 10):
        assert services.appointment_reminder_scan() == 1  # for Tuesday morning
    with at(2026, 10, 12, 15):
        # the evening before: moved to Tuesday afternoon; the next hourly scan reminds of the new time
        assert hall.api(hall.alice).patch(url(a), {"date": "2026-10-13", "half": "pm"}).status_code == 200
    with at(2026, 10, 12, 16):
        assert services.appointment_reminder_scan() == 1
    bodies = list(
        Delivery.objects.filter(channel="sms").order_by("pk").values_list("notification__body", flat=True)
    )
    assert len(bodies) == 2 and "09:00" in bodies[0] and "13:30" in bodies[1]


def test_the_reminder_scan_runs_every_hour_of_the_day_not_once():
    from portal.schedule import BEAT_SCHEDULE

    hours = BEAT_SCHEDULE["hall-appointment-reminders"]["schedule"].hour
    assert 10 in hours and 20 in hours and len(hours) > 1


# --- the page -----------------------------------------------------------------------------------


def test_the_appointment_list_links_to_the_change_page_which_shows_capacity(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        book(hall, hall.bob, datetime.date(2026, 10, 12), "pm")
        alice = signed_in(hall.alice)
        page = alice.get("/hall/book/").content.decode()
        assert f'href="/hall/book/{a.pk}/change/"' in page and "改约" in page
        page = alice.get(f"/hall/book/{a.pk}/change/").content.decode()
        assert "原预约时段" in page and "2026-10-09 上午" in page and "当前预约" in page
        page = alice.get(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12"}).content.decode()
        assert "上午 09:00–12:00 · 余2个（共2个）" in page and "下午 13:30–17:00 · 余1个（共2个）" in page
        page = alice.get(f"/hall/book/{a.pk}/change/", {"date": "2026-10-05"}).content.decode()
        assert "该日大厅不开放" in page and "确认改约" not in page
        r = alice.post(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12", "half": "pm"}, follow=True)
        body = r.content.decode()
        assert "改约成功：2026-10-12 下午" in body and "2026-10-12 下午" in body
    a.refresh_from_db()
    assert (a.date, a.half, a.state) == (datetime.date(2026, 10, 12), "pm", AppointmentState.BOOKED)


def test_the_change_page_says_why_in_chinese_never_500(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        fill(hall, datetime.date(2026, 10, 12), "am")
        alice = signed_in(hall.alice)
        page = alice.get(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12"}).content.decode()
        assert "已约满" in page
        r = alice.post(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12", "half": "am"})
        assert r.status_code == 409 and "该时段已约满，请选择其他时段。" in r.content.decode()
        r = alice.post(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12"})
        assert r.status_code == 400 and "请选择新的预约时段。" in r.content.decode()
        r = alice.post(f"/hall/book/{a.pk}/change/", {"date": "2026-10-03", "half": "am"})
        assert r.status_code == 400 and "节假日" in r.content.decode()
        r = alice.post(f"/hall/book/{a.pk}/change/", {"date": "rubbish", "half": "am"})
        assert r.status_code == 400 and "不同的时段" in r.content.decode()  # no date: the booked day
        # someone else's appointment, and staff
        assert signed_in(hall.bob).get(f"/hall/book/{a.pk}/change/").status_code == 404
        assert signed_in(hall.clerk1).get(f"/hall/book/{a.pk}/change/").status_code == 404
    with at(2026, 10, 9, 8):  # the day itself
        r = alice.get(f"/hall/book/{a.pk}/change/", follow=True)
        assert "预约当天不能改约" in r.content.decode()
        assert f"/hall/book/{a.pk}/change/" not in r.content.decode()  # the list offers no change now
        r = alice.post(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12", "half": "pm"}, follow=True)
        assert "预约当天不能改约" in r.content.decode()
    assert Appointment.objects.get(pk=a.pk).date == datetime.date(2026, 10, 9)


def test_a_blocked_citizen_sees_why_and_cannot_change_from_the_page(hall):
    with at(2026, 9, 14):
        kept = book(hall, hall.alice, datetime.date(2026, 9, 24), "pm", business_type=hall.b)
    for day in (datetime.date(2026, 9, 8), datetime.date(2026, 9, 15), datetime.date(2026, 9, 22)):
        with at(2026, day.month, day.day - 1, 9):
            book(hall, hall.alice, day, "am")
        with at(2026, day.month, day.day, 12, 1):
            services.no_show_scan()
    with at(2026, 9, 22, 15):
        alice = signed_in(hall.alice)
        page = alice.get(f"/hall/book/{kept.pk}/change/", {"date": "2026-09-25"}).content.decode()
        assert "2026-10-22前不能网上预约" in page and "确认改约" not in page
        r = alice.post(f"/hall/book/{kept.pk}/change/", {"date": "2026-09-25", "half": "am"})
        assert r.status_code == 403 and "2026-10-22前不能网上预约" in r.content.decode()
    assert Appointment.objects.get(pk=kept.pk).date == datetime.date(2026, 9, 24)


def test_the_change_page_in_elder_mode(hall):
    hall.alice.elder_mode = True
    hall.alice.save()
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        page = signed_in(hall.alice).get(f"/hall/book/{a.pk}/change/", {"date": "2026-10-12"})
    body = page.content.decode()
    assert page.status_code == 200 and "portal-elder" in body and "余2个（共2个）" in body


def test_the_personal_centre_lists_coming_appointments_with_their_change_link(hall):
    with at(2026, 9, 30):
        a = book(hall, hall.alice, datetime.date(2026, 10, 9), "am")
        gone = book(hall, hall.alice, datetime.date(2026, 10, 12), "pm", business_type=hall.b)
        services.appointment_cancel(appointment=gone, actor=hall.alice)
        page = signed_in(hall.alice).get("/my/").content.decode()
        card = page.split('id="centre-appointments"')[1].split("</ul>")[0]
        assert "2026-10-09 上午 · 企业开办" in card and f'href="/hall/book/{a.pk}/change/"' in card
        assert "2026-10-12" not in card  # cancelled
        assert 'id="centre-appointments"' not in signed_in(hall.bob).get("/my/").content.decode()
    with at(2026, 10, 9, 8):  # the day itself: check in, no change
        page = signed_in(hall.alice).get("/my/").content.decode()
        assert "今天到大厅签到" in page and f"/hall/book/{a.pk}/change/" not in page
