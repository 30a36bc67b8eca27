"""The dashboard page and the monthly report read the figures rollup (window and clerk figures included):
the same number of queries for 10 cases as for 200 — no scan of the cohort's cases on a page load — and
the very figures the live computation over every case gives (issue 19)."""

import datetime
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.constants import CaseState
from portal.accounts.constants import Role
from portal.workcalendar import services as workcalendar
from supervision.exports import month_cohort
from supervision.figures import figures_many
from supervision.models import FigureRollupState
from supervision.rollup import refresh
from tests.factories import DepartmentFactory, ItemFactory, WindowFactory, staff

from .factories import make_case
from .test_rollup import rate

D = datetime.date
MONTH = D(2026, 3, 1)
PAGE = "/supervision/?accepted_from=2026-01-01&accepted_to=2026-06-30&rb_month=2026-03"
REPORT = "/supervision/monthly-report.csv?month=2026-03"


@pytest.fixture
def desks(calendar):
    d1, d2 = DepartmentFactory(code="DQ1", name="市场监管局"), DepartmentFactory(code="DQ2", name="卫健委")
    items = [
        ItemFactory(department=d1, name="食品经营许可", statutory_limit=20, promised_limit=5),
        ItemFactory(department=d1, name="药品零售许可", statutory_limit=20, promised_limit=10),
        ItemFactory(department=d2, name="医疗机构执业登记", statutory_limit=15, promised_limit=8),
    ]
    windows = [WindowFactory(number=71), WindowFactory(number=72), None]
    clerks = [staff(Role.CLERK, real_name="王敏"), staff(Role.CLERK, real_name="李强"), None]
    return items, windows, clerks


def add_cases(desks, rng, n):
    """``n`` cases accepted in March 2026 at random desks: concluded early, on time or late (some rated),
    withdrawn, or still running (some overdue)."""
    items, windows, clerks = desks
    for _ in range(n):
        item = rng.choice(items)
        accepted = MONTH + datetime.timedelta(days=rng.randint(0, 30))
        promised_due = accepted + datetime.timedelta(days=rng.randint(3, 12))
        dues = dict(promised_due=promised_due, statutory_due=promised_due + datetime.timedelta(days=10))
        desk = dict(window=rng.choice(windows), clerk=rng.choice(clerks))
        kind = rng.random()
        if kind < 0.2:
            make_case(item, state=CaseState.IN_REVIEW, accepted_on=accepted, **dues, **desk)
        elif kind < 0.25:
            concluded = accepted + datetime.timedelta(days=1)
            make_case(item, state=CaseState.WITHDRAWN, accepted_on=accepted, concluded_on=concluded, **desk)
        else:
            concluded = accepted + datetime.timedelta(days=rng.randint(0, 25))
            case = make_case(
                item,
                state=rng.choice([CaseState.APPROVED, CaseState.DENIED, CaseState.DELIVERED]),
                accepted_on=accepted,
                concluded_on=concluded,
                elapsed_days=rng.randint(0, 25),
                **dues,
                **desk,
            )
            if rng.random() < 0.5:
                rate(case, rng.randint(1, 5), concluded + datetime.timedelta(days=1))


def load(client, url):
    """The response and the SQL it ran, after a rollup refresh (as the beat task keeps it), in a process
    whose work-calendar index is loaded (once a process, kept between requests: the days left of the
    overdue cases and alerts read it)."""
    refresh(now=timezone.now())
    workcalendar.get_index()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def cohort_scans(queries):
    """Queries that read the cases of a cohort (by acceptance date) other than the live remainder the
    rollup has not taken in yet (``rolled_up_at IS NULL``)."""
    return [
        q
        for q in queries
        if re.search(r'FROM "approvals_case"', q)
        and re.search(r'"accepted_on" >= ', q)
        and '"rolled_up_at" IS NULL' not in q
    ]


def without_rollup(fn):
    """``fn()`` with the rollup switched off: every figure computed live over every case."""
    mark = FigureRollupState.objects.values_list("watermark", flat=True).get(pk=1)
    FigureRollupState.objects.filter(pk=1).update(watermark=None)
    try:
        return fn()
    finally:
        FigureRollupState.objects.filter(pk=1).update(watermark=mark)


def test_dashboard_queries_do_not_grow_with_the_cases(client, desks):
    client.force_login(staff(Role.INSPECTOR))
    rng = random.Random(19)
    add_cases(desks, rng, 10)
    _response, few = load(client, PAGE)
    add_cases(desks, rng, 190)
    response, many = load(client, PAGE)
    assert len(many) == len(few), (len(few), len(many))
    assert cohort_scans(many) == []
    # the page shows what the live computation over all 200 cases gives
    context = response.context
    now = context["cohort"]["as_of"]
    cohort = dict(accepted_from=D(2026, 1, 1), accepted_to=D(2026, 6, 30), as_of=now)
    truth = without_rollup(lambda: figures_many(**cohort, by=["department", "item", "month"]))
    assert context["summary"].rows[0].accepted == 200
    assert context["row"].as_dict(fractions=True) == truth[None].rows[0].as_dict(fractions=True)
    for name, key in (("by_dept", "department"), ("by_item", "item"), ("by_month", "month")):
        assert context[name].as_dict(fractions=True) == truth[key].as_dict(fractions=True), name
    # the month's red and blue boards of the departments and of the windows (window figures from the rollup)
    march = month_cohort(2026, 3)  # as of the end of March
    assert march["as_of"] < now
    boards = without_rollup(lambda: figures_many(**march, by=["department", "window"]))
    for name, key in (("red_dept", "department"), ("red_win", "window")):
        live_rows = {r.label: r.as_dict(fractions=True) for r in boards[key].rows}
        assert context[name], name
        for row in context[name] + context[name.replace("red", "blue")]:
            assert row.as_dict(fractions=True) == live_rows[row.label], (name, row.label)
    assert "71号窗口" in {r.label for r in context["red_win"] + context["blue_win"]}


def test_monthly_report_queries_do_not_grow_with_the_cases(client, desks):
    client.force_login(staff(Role.INSPECTOR))
    rng = random.Random(6)
    add_cases(desks, rng, 10)
    _response, few = load(client, REPORT)
    add_cases(desks, rng, 190)
    response, many = load(client, REPORT)
    assert len(many) == len(few), (len(few), len(many))
    assert cohort_scans(many) == []
    # the same report, byte for byte, as when every figure is computed live (windows and clerks included)
    live_report = without_rollup(lambda: client.get(REPORT))
    assert response.content == live_report.content
    text = response.content.decode("utf-8-sig")
    assert "各窗口指标" in text and "71号窗口" in text and "窗口红蓝榜" in text


def test_monthly_report_lists_the_most_overdue_cases_and_their_number(client, desks, monkeypatch):
    """The report's overdue table is bounded (the dashboard's overdue export has every case): the most
    overdue first, then a line with how many there are in all."""
    from supervision import exports

    client.force_login(staff(Role.INSPECTOR))
    add_cases(desks, random.Random(7), 40)
    overdue = list(
        exports.overdue_cases(department_id=None).values_list("reference", flat=True)  # most late first
    )
    assert len(overdue) > 2
    monkeypatch.setattr(exports, "REPORT_OVERDUE_ROWS", 2)
    _response, queries = load(client, REPORT)
    text = _response.content.decode("utf-8-sig")
    section = text.split("超期在办件", 1)[1]
    assert overdue[0] in section and overdue[1] in section and overdue[2] not in section
    assert f"共 {len(overdue)} 件，此处列出超期最久的 2 件" in section
