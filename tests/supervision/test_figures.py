"""Figures of DESIGN §5 on small cohorts built by hand: each figure asserted exactly, once computed
live and once with the settled cases summed in the figures rollup (supervision/rollup.py)."""

import datetime
from decimal import Decimal

import pytest

from approvals.constants import CaseState
from intake.constants import ItemStatus
from portal.workcalendar.services import add_days, count_days
from supervision.figures import ROW_KEYS, Rate, figures
from tests.factories import DepartmentFactory, ItemFactory, WindowFactory

from .factories import at, make_case

D = datetime.date
AS_OF = at(D(2026, 4, 30), 12)


# The rollup refreshed before "as of" (case 8, decided on 6 May, is not settled then and stays live).
ROLLUP_AT = at(D(2026, 4, 20), 0)


@pytest.fixture(params=["live", "rollup"])
def cohort(request, calendar):
    data = _build_cohort()
    if request.param == "rollup":
        from supervision.rollup import refresh

        result = refresh(now=ROLLUP_AT)
        assert result.cases == 6  # cases 1, 2, 3, 6, 7 and 9 (outside the cohort) are settled
    data["mode"] = request.param
    return data


def _build_cohort():
    d1 = DepartmentFactory(code="SUP1", name="市场监管局")
    d2 = DepartmentFactory(code="SUP2", name="住建局")
    w1 = WindowFactory(number=71)
    a = ItemFactory(department=d1, statutory_limit=20, promised_limit=5)
    b = ItemFactory(department=d2, statutory_limit=10, promised_limit=8)
    ItemFactory(department=d2, statutory_limit=30, promised_limit=1, status=ItemStatus.RETIRED)
    due_a = dict(promised_due=D(2026, 3, 9), statutory_due=D(2026, 3, 30))
    c = {}
    c[1] = make_case(
        a,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 2),
        concluded_on=D(2026, 3, 6),
        elapsed_days=4,
        window=w1,
        **due_a,
    )
    c[2] = make_case(
        a,
        state=CaseState.DENIED,
        accepted_on=D(2026, 3, 2),
        concluded_on=D(2026, 3, 9),
        elapsed_days=5,
        window=w1,
        **due_a,
    )
    c[3] = make_case(
        a,
        state=CaseState.DELIVERED,
        accepted_on=D(2026, 3, 2),
        concluded_on=D(2026, 3, 12),
        elapsed_days=8,
        **due_a,
    )
    c[4] = make_case(a, state=CaseState.IN_REVIEW, accepted_on=D(2026, 3, 2), **due_a)
    c[5] = make_case(b, accepted_on=D(2026, 3, 10), promised_due=D(2026, 5, 6), statutory_due=D(2026, 5, 20))
    # Accepted 25 March, suspended (expert review) 31 March → 8 April over the Qingming holiday,
    # decided 10 April: the elapsed days and due dates come from the calendar service.
    susp = [(D(2026, 3, 31), D(2026, 4, 8))]
    elapsed6 = count_days(D(2026, 3, 25), D(2026, 4, 10), suspensions=susp)
    c[6] = make_case(
        b,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 25),
        promised_due=add_days(D(2026, 3, 25), 8, suspensions=susp).date,
        statutory_due=add_days(D(2026, 3, 25), 10, suspensions=susp).date,
        concluded_on=D(2026, 4, 10),
        elapsed_days=elapsed6,
    )
    c[7] = make_case(
        b,
        state=CaseState.WITHDRAWN,
        accepted_on=D(2026, 3, 11),
        promised_due=D(2026, 3, 23),
        statutory_due=D(2026, 3, 25),
        concluded_on=D(2026, 3, 12),
    )
    # decided after "as of": still open at the report's moment
    c[8] = make_case(
        a,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 3),
        concluded_on=D(2026, 5, 6),
        elapsed_days=40,
        promised_due=D(2026, 3, 10),
        statutory_due=D(2026, 3, 31),
    )
    # outside the cohort
    c[9] = make_case(
        a,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 2, 27),
        concluded_on=D(2026, 3, 2),
        elapsed_days=1,
        promised_due=D(2026, 3, 6),
        statutory_due=D(2026, 3, 27),
    )
    return {"d1": d1, "d2": d2, "a": a, "b": b, "cases": c}


def test_calendar_for_the_suspended_case(cohort):
    case = cohort["cases"][6]
    # 26, 27, 30, 31 March; suspension takes out 1–8 April (Qingming 4–6 April inside it); 9, 10 April.
    assert case.elapsed_days == 6
    assert case.promised_due == D(2026, 4, 14)
    assert case.statutory_due == D(2026, 4, 16)


def test_overall_figures(cohort):
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF)
    row = report.rows[0]
    assert row.accepted == 8
    assert row.concluded == 4
    assert row.completion_rate == Rate(4, 8)
    assert row.early_rate == Rate(2, 4)
    assert row.on_time_rate == Rate(3, 4)
    assert row.overdue == 3
    assert row.statutory_breaches == 2
    assert row.mean_actual_days == Decimal("5.7500")
    assert row.actual_speedup == Rate(70 - 23, 70)
    assert row.actual_speedup.value == Decimal("0.6714")
    # catalogue: published items only (20/5 and 10/8), the retired one ignored
    assert report.promised_speedup == Rate(30 - 13, 30)
    data = report.as_dict()
    assert set(data["rows"][0]) == set(ROW_KEYS)
    assert data["rows"][0]["completion_rate"] == 0.5
    assert data["rows"][0]["actual_speedup"] == 0.6714
    assert data["promised_speedup"] == 0.5667


def test_as_of_earlier_moves_conclusions_to_open(cohort):
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=at(D(2026, 3, 8), 12))
    row = report.rows[0]
    assert row.concluded == 1  # only case 1 (6 March)
    assert row.overdue == 0  # nothing is past its promised due date on 8 March
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=at(D(2026, 3, 10), 12))
    # case 4 and case 3 (open then) are past 9 March; case 2 concluded on 9 March is on time
    assert report.rows[0].overdue == 2


def test_by_department(cohort):
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="department")
    rows = {r.group: r for r in report.rows}
    r1, r2 = rows[cohort["d1"].pk], rows[cohort["d2"].pk]
    assert (r1.label, r1.accepted, r1.concluded, r1.overdue, r1.statutory_breaches) == (
        "市场监管局",
        5,
        3,
        3,
        2,
    )
    assert r1.early_rate == Rate(1, 3) and r1.on_time_rate == Rate(2, 3)
    assert r1.mean_actual_days == Decimal("5.6667")
    assert (r2.accepted, r2.concluded, r2.overdue) == (3, 1, 0)
    assert r2.actual_speedup == Rate(4, 10)
    scoped = figures(
        accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, department_id=cohort["d2"].pk
    )
    assert scoped.rows[0].accepted == 3
    assert scoped.promised_speedup == Rate(2, 10)


def test_by_month_window_item_clerk(cohort):
    report = figures(accepted_from=D(2026, 2, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="month")
    assert [(r.label, r.accepted) for r in report.rows] == [("2026-02", 1), ("2026-03", 8)]
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="window")
    labels = {r.label: r.accepted for r in report.rows}
    assert labels["71号窗口"] == 2
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="item")
    assert sorted(r.accepted for r in report.rows) == [3, 5]
    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="clerk")
    assert sum(r.accepted for r in report.rows) == 8


def test_constant_queries(cohort, django_assert_num_queries):
    # catalogue, rollup watermark, cases, labels (+ ratings, complaints) (+ the rollup's sums)
    expected = (6 if _has_complaints() else 4) + (cohort["mode"] == "rollup") + _tx_extra()
    with django_assert_num_queries(expected):
        figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="department")


def _tx_extra() -> int:
    """The figures run in one transaction (a savepoint inside the test's): SAVEPOINT and RELEASE, and on
    PostgreSQL ``SET LOCAL jit = off``."""
    from django.db import connection

    return 3 if connection.vendor == "postgresql" else 2


def _has_complaints() -> bool:
    from django.apps import apps

    try:
        model = apps.get_model("complaints.Complaint")
        model._meta.get_field("received_on")
    except Exception:  # noqa: BLE001
        return False
    return True


def test_worked_example_of_design(db):
    """Statutory limits averaging 20, promised 9.25, actual 7.75 → 53.75 % and 61.25 %."""
    dept = DepartmentFactory(code="WEX")
    items = [ItemFactory(department=dept, statutory_limit=20, promised_limit=p) for p in (9, 9, 10, 9)]
    for item, elapsed in zip(items, (7, 8, 8, 8), strict=True):
        make_case(
            item,
            state=CaseState.APPROVED,
            accepted_on=D(2025, 6, 2),
            concluded_on=D(2025, 6, 12),
            elapsed_days=elapsed,
            promised_due=D(2025, 6, 13),
            statutory_due=D(2025, 6, 30),
        )
    report = figures(accepted_from=D(2025, 1, 1), accepted_to=D(2025, 12, 31), as_of=at(D(2026, 1, 31), 0))
    assert report.promised_speedup.value == Decimal("0.5375")
    row = report.rows[0]
    assert row.mean_actual_days == Decimal("7.7500")
    assert row.actual_speedup.value == Decimal("0.6125")
    assert row.mean_statutory_limit - row.mean_actual_days == Decimal("12.2500")


def test_many_breakdowns_from_one_query_match(cohort, django_assert_max_num_queries):
    from supervision.figures import figures_many

    kw = dict(accepted_from=D(2026, 2, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF)
    with django_assert_max_num_queries(8 + (cohort["mode"] == "rollup") + _tx_extra()):
        many = figures_many(by=["department", "item", "month"], **kw)
    assert many[None].as_dict() == figures(**kw).as_dict()
    for by in ("department", "item", "month"):
        assert many[by].as_dict() == figures(by=by, **kw).as_dict()


def test_the_compiled_sql_of_one_cohort_serves_every_as_of(calendar):
    """On PostgreSQL the large grouped queries are compiled once per cohort and breakdowns, with "as of"
    put in per call: the figures as of two moments from one compilation are those compiled afresh."""
    from portal import compiled_sql

    a = ItemFactory(department=DepartmentFactory(code="SQC1"), statutory_limit=20, promised_limit=5)
    make_case(a, accepted_on=D(2026, 3, 2), promised_due=D(2026, 3, 9), statutory_due=D(2026, 3, 30))
    make_case(
        a,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 3),
        concluded_on=D(2026, 3, 20),
        elapsed_days=12,
        promised_due=D(2026, 3, 10),
        statutory_due=D(2026, 3, 31),
    )
    cohort = dict(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), by="month")
    early, late = at(D(2026, 3, 5), 12), at(D(2026, 4, 2), 12)
    compiled_sql._SQL.clear()
    reused = [figures(**cohort, as_of=moment).as_dict(fractions=True) for moment in (early, late)]
    fresh = []
    for moment in (early, late):
        compiled_sql._SQL.clear()
        fresh.append(figures(**cohort, as_of=moment).as_dict(fractions=True))
    assert reused == fresh
    # as of 5 March nothing is concluded or overdue; as of 2 April one is concluded (late), one overdue
    assert [r["concluded"] for r in (fresh[0]["rows"][0], fresh[1]["rows"][0])] == [0, 1]
    assert [r["overdue"] for r in (fresh[0]["rows"][0], fresh[1]["rows"][0])] == [0, 2]
