"""The hall's pages step by step: booking (and its errors beside the field), the kiosk, the clerk's
console, the calling screen, the rating device; in Chinese, and in elder mode."""

import datetime

import pytest
from django.test import Client

from hall import services
from hall.constants import AppointmentState
from hall.models import Appointment, Ticket

from .conftest import at

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_booking_page_shows_slots_closed_on_the_holiday_open_on_the_make_up_day(hall):
    alice = signed_in(hall.alice)
    with at(2026, 9, 30):
        page = alice.get("/hall/book/", {"business_type": "A", "date": "2026-10-05"}).content.decode()
        assert "该日大厅不开放" in page
        page = alice.get("/hall/book/", {"business_type": "A", "date": "2026-10-10"}).content.decode()
        assert "上午 09:00–12:00" in page and "余2个" in page
        r = alice.post(
            "/hall/book/", {"business_type": "A", "date": "2026-10-10", "slot": f"{hall.group.pk}:am"}
        )
        assert r.status_code == 302
        page = alice.get("/hall/book/").content.decode()
        assert "预约成功" in page and "2026-10-10 上午" in page and "取消预约" in page
    assert Appointment.objects.get().state == AppointmentState.BOOKED


def test_booking_page_errors_beside_the_field_never_500(hall):
    alice = signed_in(hall.alice)
    with at(2026, 9, 30):
        r = alice.post("/hall/book/", {"business_type": "A", "date": "2026-10-10"})
        assert r.status_code == 400 and "请选择预约时段" in r.content.decode()
        r = alice.post(
            "/hall/book/", {"business_type": "A", "date": "2026-10-03", "slot": f"{hall.group.pk}:am"}
        )
        assert r.status_code == 400 and "节假日" in r.content.decode()
        r = alice.post("/hall/book/", {"business_type": "ZZ", "date": "bad", "slot": "x"})
        assert r.status_code == 400 and "请选择业务类型" in r.content.decode()
    assert signed_in(hall.clerk1).get("/hall/book/").status_code == 403


def test_cancel_and_check_in_from_the_booking_page(hall):
    with at(2026, 10, 8):
        a = services.appointment_book(
            citizen=hall.alice, business_type=hall.a, day=datetime.date(2026, 10, 9), half="pm"
        )
        b = services.appointment_book(
            citizen=hall.alice, business_type=hall.b, day=datetime.date(2026, 10, 12), half="am"
        )
        assert signed_in(hall.alice).post(f"/hall/book/{b.pk}/cancel/").status_code == 302
    with at(2026, 10, 9, 13):
        alice = signed_in(hall.alice)
        page = alice.get("/hall/book/").content.decode()
        assert "到场签到" in page
        r = alice.post(f"/hall/book/{a.pk}/check-in/", follow=True)
        assert "签到成功，您的号码是 A001" in r.content.decode()
    assert Appointment.objects.get(pk=b.pk).state == AppointmentState.CANCELLED


def test_kiosk_issues_a_number_and_says_how_many_wait_ahead(hall):
    kiosk = Client()
    with at(2026, 10, 12, 9):
        page = kiosk.get("/hall/kiosk/").content.decode()
        assert "自助取号" in page and "企业开办" in page
        kiosk.post("/hall/kiosk/", {"business_type": "A"})
        r = kiosk.post("/hall/kiosk/", {"business_type": "A"}, follow=True)
        body = r.content.decode()
        assert "A002" in body and "前面还有 1 人等候" in body
        assert kiosk.post("/hall/kiosk/", {"business_type": ""}).status_code == 400


def test_console_calls_finishes_and_hands_the_rating_device_its_link(hall):
    with at(2026, 10, 12, 9):
        services.ticket_issue(business_type=hall.a)
        clerk = signed_in(hall.clerk1)
        page = clerk.get("/hall/console/").content.decode()
        assert "叫下一号" in page and "A001" in page
        r = clerk.post("/hall/console/call/", follow=True)
        assert "请 A001 号到 1 号窗口" in r.content.decode()
        r = clerk.post("/hall/console/finish/", follow=True)
        body = r.content.decode()
        assert "打开评价器" in body
        link = body.split('id="rating-link"')[0].rsplit('href="', 1)[1].split('"')[0]
        assert link.startswith("/hall/rate/")
        # nothing left: a message, not an error page
        r = clerk.post("/hall/console/call/", follow=True)
        assert r.status_code == 200 and "当前没有等候的号码" in r.content.decode()
        # the rating device needs no session
        device = Client()
        assert device.post(link, {"overall": "5"}).status_code == 302  # Post/Redirect/Get
    assert Ticket.objects.get().rating.overall == 5
    assert signed_in(hall.alice).get("/hall/console/").status_code == 403


def test_calling_screen_shows_the_call_and_polls_the_display_feed(hall):
    with at(2026, 10, 12, 9):
        services.ticket_issue(business_type=hall.a)
        services.ticket_issue(business_type=hall.b)
        services.ticket_call_next(window=hall.w2, actor=hall.clerk2)
        page = Client().get("/hall/screen/").content.decode()
    assert "A001" in page and "2号窗口" in page and "B001" in page
    assert 'data-feed="/api/v1/hall/display/"' in page and "hall/screen.js" in page
    assert "<script>" not in page  # no inline script (CSP)


def test_pages_work_in_elder_mode(hall):
    hall.alice.elder_mode = True
    hall.alice.save()
    alice = signed_in(hall.alice)
    with at(2026, 9, 30):
        page = alice.get("/hall/book/", {"business_type": "A", "date": "2026-10-10"}).content.decode()
    assert "portal-elder" in page and "余2个" in page
    assert "预约办事" in alice.get("/my/").content.decode()


def test_admins_keep_window_groups_with_history_in_chinese(hall):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = signed_in(admin)
    page = client.get(f"/admin/hall/windowgroup/{hall.group.pk}/change/").content.decode()
    assert "上午可预约数" in page and "开放时间" in page
    data = {
        "name": "综合受理区",
        "windows": [hall.w1.pk],
        "business_types": [hall.a.pk],
        "morning_capacity": 5,
        "afternoon_capacity": 6,
        "is_active": "on",
        "hours-TOTAL_FORMS": "0",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    r = client.post(f"/admin/hall/windowgroup/{hall.group.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    hall.group.refresh_from_db()
    assert hall.group.morning_capacity == 5 and list(hall.group.windows.all()) == [hall.w1]
    latest = hall.group.history.first()
    assert latest.history_user == admin and latest.morning_capacity == 5
    history = client.get(f"/admin/hall/windowgroup/{hall.group.pk}/history/")
    assert history.status_code == 200 and "root" in history.content.decode()


def test_the_calling_screen_speaks_english_to_an_english_browser(hall):
    with at(2026, 10, 12, 9):
        services.ticket_issue(business_type=hall.a)
        services.ticket_call_next(window=hall.w2, actor=hall.clerk2)
        en = Client(HTTP_ACCEPT_LANGUAGE="en")
        page = en.get("/hall/screen/").content.decode()
        zh = Client().get("/hall/screen/").content.decode()
    assert '<html lang="en"' in page and "Now serving" in page and "Window 2" in page
    assert 'data-window-label="Window {n}"' in page  # what the polling script writes for a new call
    assert "号窗口" not in page and "请以下号码" not in page
    assert '<html lang="zh-Hans"' in zh and 'data-window-label="{n}号窗口"' in zh and "2号窗口" in zh
