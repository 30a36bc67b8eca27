"""The service hall in a real browser (issue 20): a citizen books a half-day slot and, on the day, checks
in; the clerk calls the number and the calling screen — a second page, polling — shows it within 2 s of the
click; the clerk finishes and the applicant rates on the counter's rating device (a third page with nobody
signed in); the efficiency office sees the wait on the dashboard. Booking happens at today's real date; the
clock then moves to the booked day (time-machine, ticking)."""

from __future__ import annotations

import datetime
import re
import time
from zoneinfo import ZoneInfo

import time_machine

from .conftest import login

TZ = ZoneInfo("Asia/Shanghai")


def _next_open_day():
    from django.utils import timezone

    from hall.models import WindowGroup
    from hall.services import hours_on

    group = WindowGroup.objects.get(name="企业开办专区")
    day = timezone.localdate()
    for _ in range(30):
        day += datetime.timedelta(days=1)
        if hours_on(group=group, day=day) is not None:
            return day
    raise AssertionError("the hall is closed for 30 days")


def test_book_check_in_call_screen_rate_dashboard(new_page, pages):
    from playwright.sync_api import expect

    from complaints.models import RectificationTicket
    from hall.models import Ticket

    day = _next_open_day()
    citizen = new_page()
    login(citizen, "citizen")
    citizen.goto("/my/")
    citizen.locator("#centre-hall-book").click()
    citizen.locator("#business_type").select_option("A")
    citizen.locator("#date").fill(day.isoformat())
    citizen.get_by_role("button", name="查看可预约时段").click()
    pages.shot(citizen, "book-slots")
    citizen.locator("input[name=slot]").first.check()
    citizen.get_by_role("button", name="确认预约").click()
    expect(citizen.locator("main")).to_contain_text("预约成功")
    pages.shot(citizen, "booked")

    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=TZ), tick=True):
        screen = new_page(viewport={"width": 1366, "height": 768})
        screen.goto("/hall/screen/")
        pages.shot(screen, "screen-empty")

        citizen.goto("/hall/book/")
        citizen.get_by_role("button", name="到场签到").click()
        expect(citizen.locator("main")).to_contain_text("签到成功，您的号码是 A001")
        pages.shot(citizen, "checked-in")
        expect(screen.locator("#waiting")).to_contain_text("A001", timeout=3000)

        clerk = new_page()
        login(clerk, "clerk")
        clerk.goto("/hall/console/")
        pages.shot(clerk, "console")
        started = time.monotonic()
        clerk.locator("#btn-call").click()
        expect(screen.locator("#calls tr").first).to_contain_text("A001", timeout=2000)
        expect(screen.locator("#calls tr").first).to_contain_text("1号窗口", timeout=100)
        shown_after = time.monotonic() - started
        assert shown_after < 2.0, shown_after
        pages.shot(screen, "screen-called")
        expect(clerk.locator("#current-number")).to_have_text("A001")
        pages.shot(clerk, "console-serving")
        # the counter's tablet, nobody signed in, paired once with window 1 by the console's address
        device_url = clerk.locator("#device-url").get_attribute("href")
        device = new_page(viewport={"width": 800, "height": 1280})
        device.goto(device_url)
        expect(device.locator("#device-waiting")).to_be_visible()
        pages.shot(device, "device-waiting")
        clerk.locator("#btn-finish").click()
        link = clerk.locator("#rating-link").get_attribute("href")
        pages.shot(clerk, "console-finished")
        # the tablet turns to this visit's rating page by itself
        expect(device).to_have_url(re.compile(r"/hall/rate/[^/]+/\?device="), timeout=4000)
        expect(device.locator("main")).to_contain_text("A001")
        page_url = device.url
        time.sleep(2)  # it stays there (the feed names the visit it shows), no reload loop
        assert device.url == page_url
        pages.shot(device, "device")
        device.locator("#overall-2").check()
        device.get_by_role("button", name="提交评价").click()
        expect(device.locator(".govuk-error-summary")).to_contain_text("请选择或填写原因")
        pages.shot(device, "device-reason-needed")
        device.locator("#overall-2").check()
        device.locator("#reason").select_option("等候时间太长")
        device.get_by_role("button", name="提交评价").click()
        expect(device.locator("#rate-message")).to_have_text("感谢您的评价！")
        pages.shot(device, "device-thanks")
        expect(device.locator("#device-waiting")).to_be_visible(timeout=12000)  # back to waiting
        device.goto(link)  # one-time
        expect(device.locator("#rate-message")).to_contain_text("已评价")

        office = new_page()
        login(office, "inspector")
        office.goto("/supervision/")
        expect(office.locator("#hall-figures")).to_contain_text("1号窗口")
        office.locator("#sup-hall").scroll_into_view_if_needed()
        pages.shot(office, "dashboard-hall")

        # the phone width and elder mode of the hall's pages
        phone = new_page(viewport={"width": 375, "height": 800})
        phone.goto("/hall/screen/")
        pages.shot(phone, "screen-375")
        phone.goto("/hall/kiosk/")
        pages.shot(phone, "kiosk-375")
        login(phone, "citizen")
        phone.goto("/hall/book/?business_type=A&date=" + day.isoformat())
        pages.shot(phone, "book-375")
        phone.locator("#elder-toggle").click()
        phone.goto("/hall/book/?business_type=A&date=" + day.isoformat())
        pages.shot(phone, "book-375-elder")
        wide = new_page(viewport={"width": 1366, "height": 900})
        wide.goto("/hall/kiosk/")
        pages.shot(wide, "kiosk-1366")

    ticket = Ticket.objects.get(number="A001", date=day)
    assert ticket.priority and ticket.rating.overall == 2
    assert RectificationTicket.objects.filter(rating=ticket.rating).exists()
    pages.assert_accessible()


def _open_days(n: int) -> list[datetime.date]:
    from django.utils import timezone

    from hall.models import WindowGroup
    from hall.services import hours_on

    group = WindowGroup.objects.get(name="企业开办专区")
    day, found = timezone.localdate(), []
    for _ in range(30):
        day += datetime.timedelta(days=1)
        if hours_on(group=group, day=day) is not None:
            found.append(day)
            if len(found) == n:
                return found
    raise AssertionError("the hall is closed for 30 days")


def test_change_an_appointment_from_the_personal_centre(new_page, pages):
    """改约: from the personal centre's list to the change page, where a full half-day cannot be chosen,
    a missing choice is explained beside the field, and the change lands; at 1366 and 375 px, normal
    and elder mode."""
    from playwright.sync_api import expect

    from hall import services
    from hall.models import Appointment, BusinessType, WindowGroup
    from portal.accounts.models import User

    first, second = _open_days(2)
    group = WindowGroup.objects.get(name="企业开办专区")
    group.morning_capacity = 1
    group.save()
    a_type = BusinessType.objects.get(code="A")
    citizen_user = User.objects.get(username="citizen")
    mine = services.appointment_book(
        citizen=citizen_user, business_type=a_type, day=first, half="am", group=group
    )
    services.appointment_book(  # someone else takes the second day's only morning place
        citizen=User.objects.get(username="enterprise"),
        business_type=a_type,
        day=second,
        half="am",
        group=group,
    )

    citizen = new_page(viewport={"width": 1366, "height": 900})
    login(citizen, "citizen")
    citizen.goto("/my/")
    expect(citizen.locator("#centre-appointments")).to_contain_text(first.isoformat())
    pages.shot(citizen, "centre-1366")
    citizen.locator(f"#centre-change-{mine.pk}").click()
    expect(citizen.locator("h1")).to_have_text("改约")
    expect(citizen.locator("#change-current")).to_contain_text(f"{first.isoformat()} 上午")
    pages.shot(citizen, "change-1366")
    citizen.locator("#date").fill(second.isoformat())
    citizen.get_by_role("button", name="查看可预约时段").click()
    expect(citizen.locator("label[for=half-am]")).to_contain_text("已约满")
    expect(citizen.locator("#half-am")).to_be_disabled()
    expect(citizen.locator("label[for=half-pm]")).to_contain_text("余12个（共12个）")
    pages.shot(citizen, "change-slots-1366")
    citizen.get_by_role("button", name="确认改约").click()
    expect(citizen.locator(".govuk-error-summary")).to_contain_text("请选择新的预约时段")
    pages.shot(citizen, "change-error-1366")
    citizen.locator("#half-pm").check()
    citizen.get_by_role("button", name="确认改约").click()
    expect(citizen.locator("main")).to_contain_text(f"改约成功：{second.isoformat()} 下午")
    pages.shot(citizen, "changed-1366")
    mine.refresh_from_db()
    assert (mine.date, mine.half) == (second, "pm")

    phone = new_page(viewport={"width": 375, "height": 800})
    login(phone, "citizen")
    phone.goto(f"/hall/book/{mine.pk}/change/?date={first.isoformat()}")
    pages.shot(phone, "change-375")
    phone.goto("/hall/book/")
    pages.shot(phone, "list-375")
    phone.locator("#elder-toggle").click()
    phone.goto(f"/hall/book/{mine.pk}/change/?date={first.isoformat()}")
    expect(phone.locator("html")).to_have_class(re.compile("portal-elder"))
    pages.shot(phone, "change-375-elder")
    phone.goto("/my/")
    pages.shot(phone, "centre-375-elder")
    citizen.locator("#elder-toggle").click()
    citizen.goto(f"/hall/book/{mine.pk}/change/?date={first.isoformat()}")
    pages.shot(citizen, "change-1366-elder")
    assert Appointment.objects.filter(citizen=citizen_user, state="booked").count() == 1
    pages.assert_accessible()


def test_the_calling_screen_in_english(new_page, pages):
    """An English browser on the hall's screen: headings and the window label of a new call (drawn by
    the polling script) in English."""
    from playwright.sync_api import expect

    from hall import services
    from hall.models import BusinessType
    from portal.accounts.models import User

    screen = new_page(locale="en-GB", viewport={"width": 1366, "height": 768})
    screen.goto("/hall/screen/")
    expect(screen.locator("#calls-title")).to_have_text("Now serving")
    clerk = User.objects.get(username="clerk")
    services.ticket_issue(business_type=BusinessType.objects.get(code="A"))
    services.ticket_issue(business_type=BusinessType.objects.get(code="A"))
    called = services.ticket_call_next(window=clerk.window, actor=clerk)
    expect(screen.locator("#calls tr").first).to_contain_text(f"Window {clerk.window.number}", timeout=3000)
    expect(screen.locator("#calls tr").first).to_contain_text(called.number)
    assert "号窗口" not in screen.locator("body").inner_text()
    pages.shot(screen, "screen-en-1366")
    phone = new_page(locale="en-GB", viewport={"width": 375, "height": 800})
    phone.goto("/hall/screen/")
    expect(phone.locator("#calls tr").first).to_contain_text(f"Window {clerk.window.number}")
    pages.shot(phone, "screen-en-375")
    pages.assert_accessible()
