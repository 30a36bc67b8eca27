"""calendar_seed, the calendar_changed flow on import, the calendar demo, and the admin with history."""

import datetime
import html
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.workcalendar import demo
from portal.workcalendar.models import CalendarDay, CalendarYear
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_calendar_seed_prints_years_and_is_idempotent():
    out = StringIO()
    call_command("calendar_seed", stdout=out)
    assert "2026" in out.getvalue()
    count = CalendarDay.objects.count()
    assert count > 0 and CalendarYear.objects.filter(year=2026, published=True).exists()
    call_command("calendar_seed", stdout=StringIO())
    assert CalendarDay.objects.count() == count
    assert CalendarDay.objects.get(date=datetime.date(2026, 10, 1)).name == "国庆节"  # names in Chinese
    assert CalendarDay.objects.get(date=datetime.date(2026, 2, 17)).name == "春节"


def test_import_calls_calendar_changed_on_commit_with_the_years(
    tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from portal import flows

    received = []
    monkeypatch.setattr(flows, "calendar_changed", lambda *, years: received.append(years))
    csv = tmp_path / "2027.csv"
    csv.write_text("date,kind,name\n2027-10-01,holiday,国庆节\n2027-09-26,workday,国庆节\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("calendar_import", str(csv), stdout=StringIO())
        assert received == []  # only after commit
    assert received == [[2027]]
    assert CalendarDay.objects.get(date=datetime.date(2027, 9, 26)).kind == "workday"


def test_demo_load_is_idempotent():
    demo.load(StringIO())
    counts = (CalendarDay.objects.count(), CalendarYear.objects.count())
    demo.load(StringIO())
    assert (CalendarDay.objects.count(), CalendarYear.objects.count()) == counts


def test_admin_lists_days_filters_and_shows_history(client):
    demo.load(StringIO())
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:workcalendar_calendarday_changelist")
    response = client.get(url, {"kind": "holiday", "date__year": "2026"})
    assert response.status_code == 200
    day = CalendarDay.objects.filter(date__year=2026, kind="holiday").first()
    assert html.escape(day.name) in response.content.decode()
    history = client.get(reverse("admin:workcalendar_calendarday_history", args=[day.pk]))
    assert history.status_code == 200
    assert client.get(reverse("admin:workcalendar_calendaryear_changelist")).status_code == 200
