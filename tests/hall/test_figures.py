"""The hall's waiting figures (issue 20, Supervision): per window and day — numbers called, appointments,
no-shows, mean and 90th-percentile wait, share waiting over 30 minutes, mean service time — as the
efficiency office reads them on the dashboard and in the export, over a period of any length (they are
aggregated in SQL). Worked by hand on a frozen clock:

Monday 12 October 2026, window 1: ten walk-in numbers taken at 9:00 and called every 5 minutes from 9:05
(waits 5, 10, …, 50 minutes), each finished 3 minutes after its call. Mean wait 27.5 min; the 90th
percentile by nearest rank is the 9th of 10: 45 min; over 30 minutes: 35, 40, 45, 50 → 40 %; service 3 min.

Tuesday 13 October, window 2: Alice's appointment checked in at 9:00 and called at 9:20 (a 20-minute
wait), then skipped (no service time); Bob's afternoon appointment is missed: a no-show."""

import datetime
import io
import re

import pytest
from django.test import Client

from hall import services
from hall.selectors import hall_figures

from .conftest import at

pytestmark = pytest.mark.django_db

MON, TUE = datetime.date(2026, 10, 12), datetime.date(2026, 10, 13)


@pytest.fixture
def day_of_calls(hall):
    for _ in range(10):
        with at(2026, 10, 12, 9):
            services.ticket_issue(business_type=hall.a)
    for i in range(1, 11):
        minute = 5 * i
        with at(2026, 10, 12, 9 + minute // 60, minute % 60):
            ticket = services.ticket_call_next(window=hall.w1, actor=hall.clerk1)
        with at(2026, 10, 12, 9 + (minute + 3) // 60, (minute + 3) % 60):
            services.ticket_finish(ticket=ticket, actor=hall.clerk1)
    with at(2026, 10, 9):
        alice = services.appointment_book(citizen=hall.alice, business_type=hall.b, day=TUE, half="am")
        services.appointment_book(citizen=hall.bob, business_type=hall.b, day=TUE, half="pm")
    with at(2026, 10, 13, 9):
        services.appointment_check_in(appointment=alice, actor=hall.alice)
    with at(2026, 10, 13, 9, 20):
        ticket = services.ticket_call_next(window=hall.w2, actor=hall.clerk2)
    with at(2026, 10, 13, 9, 25):
        services.ticket_skip(ticket=ticket, actor=hall.clerk2)
    with at(2026, 10, 13, 17, 1):
        assert services.no_show_scan() == 1
    return hall


def facts(rows):
    return [
        (
            r.date,
            r.window,
            r.tickets,
            r.appointments,
            r.no_shows,
            r.mean_wait_minutes,
            r.p90_wait_minutes,
            r.over_30_share,
            r.mean_service_minutes,
        )
        for r in rows
    ]


def test_per_window_and_day_as_worked_by_hand(day_of_calls):
    rows = hall_figures(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 12, 31))
    assert facts(rows) == [
        (MON, 1, 10, 0, 0, 27.5, 45.0, 0.4, 3.0),
        (TUE, None, 0, 0, 1, None, None, None, None),
        (TUE, 2, 1, 1, 0, 20.0, 20.0, 0.0, None),
    ]
    per_day = hall_figures(date_from=MON, date_to=TUE, per_window=False)
    assert facts(per_day) == [
        (MON, None, 10, 0, 0, 27.5, 45.0, 0.4, 3.0),
        (TUE, None, 1, 1, 1, 20.0, 20.0, 0.0, None),
    ]
    assert hall_figures(date_from=TUE + datetime.timedelta(days=1), date_to=datetime.date(2026, 12, 31)) == []


def test_the_90th_percentile_is_the_nearest_rank_whatever_the_count(hall):
    """Nearest rank: ceil(0.9 n). One wait → itself; 11 waits (1..11 min) → the 10th."""
    for _ in range(11):
        with at(2026, 10, 14, 9):
            services.ticket_issue(business_type=hall.a)
    for i in range(1, 12):
        with at(2026, 10, 14, 9, i):
            ticket = services.ticket_call_next(window=hall.w1, actor=hall.clerk1)
            services.ticket_finish(ticket=ticket, actor=hall.clerk1)
    (row,) = hall_figures(date_from=datetime.date(2026, 10, 14), date_to=datetime.date(2026, 10, 14))
    assert (row.tickets, row.mean_wait_minutes, row.p90_wait_minutes) == (11, 6.0, 10.0)


def test_the_dashboard_charts_the_whole_period_and_the_export_has_every_row(day_of_calls):
    office = Client()
    period = {"accepted_from": "2026-01-01", "accepted_to": "2026-12-31"}
    with at(2026, 12, 31, 18):
        office.force_login(day_of_calls.inspector)
        r = office.get("/supervision/", period)
        assert r.status_code == 200
        charts = r.context["charts"]
        assert "自2026-12-01起的最近31天；全部日期见导出" in r.content.decode()
        # the year's chart reaches back to October, more than 31 days before the period's end
        assert charts["hall_days"] == ["2026-10-12", "2026-10-13"]
        assert charts["hall_mean"] == [27.5, 20.0] and charts["hall_p90"] == [45.0, 20.0]
        csv = office.get("/supervision/export/hall.csv", period)
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    lines = [line for line in io.StringIO(text).read().splitlines() if line.startswith("2026-10-1")]
    assert lines == [
        "2026-10-12,1号窗口,10,0,0,27.5,45.0,0.4,3.0",
        "2026-10-13,（未到窗口）,0,0,1,,,,",
        "2026-10-13,2号窗口,1,1,0,20.0,20.0,0.0,",
    ]


def test_the_dashboard_table_shows_the_figures_per_window(day_of_calls):
    office = Client()
    with at(2026, 10, 20, 18):
        office.force_login(day_of_calls.inspector)
        page = office.get("/supervision/", {"accepted_from": "2026-10-01", "accepted_to": "2026-10-20"})
    table = page.content.decode().split('id="hall-figures"')[1].split("</table>")[0]
    assert "最近31天" not in table  # a period of 20 days: all of it
    first = table.split("2026-10-12")[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", first)
    assert cells == ["1号窗口", "10", "0", "0", "27.5", "45.0", "40%", "3.0"]


def test_a_period_without_calls_shows_a_sentence_instead_of_empty_chart_axes(day_of_calls):
    """A chart with nothing on its axis is drawn as bare axes, which reads like a broken page; the
    table under it already says 暂无数据. A period with calls still gets its chart."""
    office = Client()
    with at(2026, 12, 31, 18):
        office.force_login(day_of_calls.inspector)
        quiet = office.get("/supervision/", {"accepted_from": "2026-11-01", "accepted_to": "2026-11-30"})
        busy = office.get("/supervision/", {"accepted_from": "2026-10-01", "accepted_to": "2026-10-31"})
    hall_part = quiet.content.decode().split('id="sup-hall"')[1].split("</section>")[0]
    assert quiet.context["charts"]["hall_days"] == []
    assert 'id="chart-hall"' not in hall_part
    assert "所选期间暂无数据，无法绘制图表。" in hall_part
    assert 'id="chart-hall"' in busy.content.decode()
    assert "所选期间暂无数据，无法绘制图表。" not in busy.content.decode().split('id="sup-hall"')[1]
