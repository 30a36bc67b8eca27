"""The figures rollup (supervision/rollup.py) never changes a figure: reports read with it equal the
same reports computed live over every case, through refreshes, later conclusions, corrections of
settled cases, voided ratings and deletions; and its cost does not grow with the cases."""

import datetime
import random

import pytest
from django.db.models import Sum

from approvals.constants import CaseState
from complaints.models import Rating
from portal.accounts.constants import Role
from supervision.figures import figures, figures_many, month_end_moment
from supervision.models import DeskFigureRollup, FigureRollup, FigureRollupState
from supervision.rollup import refresh
from tests.factories import DepartmentFactory, ItemFactory, WindowFactory, staff

from .factories import at, make_case

D = datetime.date
COHORT = dict(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31))
BY = ["department", "item", "month"]
DESK_BY = ["department", "window", "clerk", "month"]  # served by the window/clerk rollup


def live(**kw):
    """The same report with the rollup switched off (its watermark cleared, then put back)."""
    mark = FigureRollupState.objects.filter(pk=1).values_list("watermark", flat=True).first()
    FigureRollupState.objects.filter(pk=1).update(watermark=None)
    try:
        return figures_many(**kw)
    finally:
        FigureRollupState.objects.filter(pk=1).update(watermark=mark)


def assert_same(as_of, **extra):
    # as of ``as_of``, and (the monthly report's "as of") at the end of March: the rollup's month-end sums
    for when in (as_of, month_end_moment(COHORT["accepted_from"])):
        for by in (BY, DESK_BY):
            kw = dict(**COHORT, as_of=when, by=by, **extra)
            with_rollup = figures_many(**kw)
            truth = live(**kw)
            for key in (None, *by):
                assert with_rollup[key].as_dict(fractions=True) == truth[key].as_dict(fractions=True), (
                    when,
                    key,
                )
    return figures_many(**COHORT, as_of=as_of, by=BY, **extra)[None].rows[0]


def rate(case, overall, when, voided=False):
    rating = Rating.objects.create(
        case=case,
        applicant=case.applicant,
        overall=overall,
        efficiency=overall,
        attitude=overall,
        guide_accuracy=overall,
        channel="web",
        department=case.department,
        item=case.item,
        voided=voided,
    )
    Rating.objects.filter(pk=rating.pk).update(created_at=at(when, 12))
    rating.refresh_from_db()
    return rating


@pytest.fixture
def items(calendar):
    d1, d2 = DepartmentFactory(code="RU1", name="甲局"), DepartmentFactory(code="RU2", name="乙局")
    return [
        ItemFactory(department=d1, statutory_limit=20, promised_limit=5),
        ItemFactory(department=d1, statutory_limit=10, promised_limit=8),
        ItemFactory(department=d2, statutory_limit=15, promised_limit=10),
    ]


def random_cohort(items, rng, n):
    """Cases of every kind: early, late, statutory breaches, running, overdue, withdrawn, rated."""
    window = WindowFactory(number=60 + rng.randint(0, 9))
    clerks = [None, *(staff(Role.CLERK) for _ in range(2))]
    cases = []
    for _ in range(n):
        item = rng.choice(items)
        clerk = rng.choice(clerks)
        accepted = D(2026, 2, 25) + datetime.timedelta(days=rng.randint(0, 40))
        promised_due = accepted + datetime.timedelta(days=rng.randint(3, 15))
        statutory_due = promised_due + datetime.timedelta(days=rng.randint(0, 20))
        kind = rng.random()
        if kind < 0.25:
            case = make_case(
                item,
                accepted_on=accepted,
                promised_due=promised_due,
                statutory_due=statutory_due,
                window=window,
                clerk=clerk,
            )
        elif kind < 0.32:
            case = make_case(
                item,
                state=CaseState.WITHDRAWN,
                accepted_on=accepted,
                promised_due=promised_due,
                statutory_due=statutory_due,
                concluded_on=accepted + datetime.timedelta(days=2),
                clerk=clerk,
            )
        else:
            concluded = accepted + datetime.timedelta(days=rng.randint(0, 50))
            state = rng.choice([CaseState.APPROVED, CaseState.DENIED, CaseState.DELIVERED])
            case = make_case(
                item,
                state=state,
                accepted_on=accepted,
                promised_due=promised_due,
                statutory_due=statutory_due,
                concluded_on=concluded,
                elapsed_days=rng.randint(0, item.statutory_limit + 5),
                window=window,
                clerk=clerk,
            )
            if rng.random() < 0.6:
                rate(
                    case,
                    rng.randint(1, 5),
                    concluded + datetime.timedelta(days=rng.randint(0, 10)),
                    voided=rng.random() < 0.1,
                )
        cases.append(case)
    return cases


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_cohorts_read_the_same_with_the_rollup(items, seed):
    rng = random.Random(seed)
    random_cohort(items, rng, 80)
    mark = at(D(2026, 4, 10), 9)
    first = refresh(now=mark)
    assert first.cases > 20 and first.ratings > 5
    for as_of in (mark, at(D(2026, 4, 20), 12), at(D(2026, 6, 30), 12)):
        assert_same(as_of)
        assert_same(as_of, department_id=items[2].department_id)
    # a report as of a moment before the watermark is computed live, and right
    earlier = at(D(2026, 3, 20), 12)
    row = figures(**COHORT, as_of=earlier).rows[0]
    assert row.as_dict() == live(**COHORT, as_of=earlier, by=[])[None].rows[0].as_dict()
    # the window and clerk breakdowns come from the window/clerk rollup (checked by assert_same); an item
    # breakdown with a window one has no rollup: live, and the same
    mixed = dict(**COHORT, as_of=at(D(2026, 6, 30), 12), by=["item", "window"])
    assert figures_many(**mixed)["window"].as_dict() == live(**mixed)["window"].as_dict()
    # a second refresh later takes in what settled since, and nothing twice, in both rollups
    second = refresh(now=at(D(2026, 5, 1), 0))
    assert_same(at(D(2026, 6, 30), 12))
    for model in (FigureRollup, DeskFigureRollup):  # each case counted once in each set of sums
        for month_end, whole_month in ((False, False), (False, True), (True, False)):
            rows = model.objects.filter(month_end=month_end, whole_month=whole_month)
            assert rows.aggregate(n=Sum("accepted"))["n"] == first.cases + second.cases


def test_corrections_of_settled_cases_and_ratings_reach_the_figures(items):
    item = items[0]
    dues = dict(promised_due=D(2026, 3, 9), statutory_due=D(2026, 3, 30))
    on_time = make_case(
        item,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 2),
        concluded_on=D(2026, 3, 6),
        elapsed_days=4,
        **dues,
    )
    other = make_case(
        item,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 2),
        concluded_on=D(2026, 3, 6),
        elapsed_days=4,
        **dues,
    )
    stale = type(other).objects.get(pk=other.pk)  # loaded before the refresh: does not know its stamp
    good = rate(on_time, 5, D(2026, 3, 7))
    as_of = at(D(2026, 4, 30), 12)
    refresh(now=at(D(2026, 4, 1), 0))
    row = assert_same(as_of)
    assert (row.accepted, row.concluded, row.on_time, row.overdue, row.ratings, row.good_ratings) == (
        2,
        2,
        2,
        0,
        1,
        1,
    )

    # delivering the stale instance changes no figure: it stays in the rollup, counted once
    stale.deliver()
    stale.save()
    stale.refresh_from_db()
    assert stale.rolled_up_at is not None
    row = assert_same(as_of)
    assert row.accepted == 2

    # a correction of the conclusion date after the promised due date makes the case late
    on_time.concluded_on, on_time.concluded_at, on_time.elapsed_days = D(2026, 3, 12), at(D(2026, 3, 12)), 8
    on_time.save()
    row = assert_same(as_of)
    assert (row.on_time, row.overdue, row.elapsed_sum) == (1, 1, 12)

    # a voided rating (appeal upheld) no longer counts
    good.voided = True
    good.save()
    row = assert_same(as_of)
    assert (row.ratings, row.good_ratings) == (0, 0)

    # moved to another acceptance day: counted once, in its new place
    other.refresh_from_db()
    other.accepted_on = D(2026, 3, 3)
    other.save()
    many = figures_many(**COHORT, as_of=as_of, by=["month"])
    assert many[None].rows[0].accepted == 2
    assert_same(as_of)

    # and the next refresh takes them in again
    refresh(now=at(D(2026, 4, 2), 0))
    assert_same(as_of)
    for whole_month in (False, True):  # the day rows and the whole-month rows alike
        rows = FigureRollup.objects.filter(month_end=False, whole_month=whole_month)
        assert rows.aggregate(n=Sum("accepted"))["n"] == 2

    # a deleted settled case (its rating first: ratings protect their case) leaves the rollup
    Rating.objects.filter(case=on_time).delete()
    on_time.delete()
    row = assert_same(as_of)
    assert row.accepted == 1
    for whole_month in (False, True):  # the day rows and the whole-month rows alike
        rows = FigureRollup.objects.filter(month_end=False, whole_month=whole_month)
        assert rows.aggregate(n=Sum("accepted"))["n"] == 1


def _count(django_assert_max_num_queries, as_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        figures_many(**COHORT, as_of=as_of, by=BY)
    return len(ctx.captured_queries)


def test_cost_does_not_grow_with_the_cases(items, django_assert_max_num_queries):
    rng = random.Random(7)
    random_cohort(items, rng, 10)
    refresh(now=at(D(2026, 4, 10), 9))
    as_of = at(D(2026, 6, 30), 12)
    small = _count(django_assert_max_num_queries, as_of)
    random_cohort(items, rng, 60)
    refresh(now=at(D(2026, 4, 11), 9))
    assert _count(django_assert_max_num_queries, as_of) == small
    # the refresh itself is set-based: the same statements for 10 or 60 newly settled cases (per rollup
    # shape one DELETE of the rows it replaces, only when it has some, and one INSERT: a refresh touching
    # old keys may take a statement or two per shape more than one touching new keys only)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    random_cohort(items, rng, 10)
    with CaptureQueriesContext(connection) as few:
        refresh(now=at(D(2026, 4, 12), 9))
    random_cohort(items, rng, 60)
    with CaptureQueriesContext(connection) as many:
        refresh(now=at(D(2026, 4, 13), 9))
    from supervision.figures import ROLLUP_SHAPES

    assert len(few.captured_queries) <= len(many.captured_queries) + 2 * len(ROLLUP_SHAPES)
    assert len(many.captured_queries) <= len(few.captured_queries) + 2 * len(ROLLUP_SHAPES)


def test_refresh_is_a_beat_task(items):
    from portal.schedule import BEAT_SCHEDULE
    from supervision.tasks import refresh_figures_rollup

    assert any(e["task"] == "supervision.tasks.refresh_figures_rollup" for e in BEAT_SCHEDULE.values())
    make_case(
        items[0],
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 2),
        concluded_on=D(2026, 3, 6),
        elapsed_days=4,
        promised_due=D(2026, 3, 9),
        statutory_due=D(2026, 3, 30),
    )
    out = refresh_figures_rollup.apply().get()
    assert out["cases"] == 1
    assert refresh_figures_rollup.apply().get()["cases"] == 0  # nothing twice


@pytest.mark.parametrize("rolled_up", [False, True])
def test_a_rating_moves_with_its_case_to_another_acceptance_month(items, rolled_up):
    """The live figures read a rating's own copy of its case's acceptance date (no join): a corrected
    acceptance date takes the rating along to the case's new month, rolled up before or not."""
    case = make_case(
        items[0],
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 30),
        concluded_on=D(2026, 4, 3),
        elapsed_days=3,
        promised_due=D(2026, 4, 9),
        statutory_due=D(2026, 4, 30),
    )
    rating = rate(case, 2, D(2026, 4, 4))
    assert rating.accepted_on == D(2026, 3, 30)  # copied when the rating was made
    if rolled_up:
        refresh(now=at(D(2026, 4, 10), 0))
    spring = dict(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 4, 30), as_of=at(D(2026, 5, 1), 12))

    def ratings_by_month():
        rows = figures_many(**spring, by=["month"])["month"].rows
        # (a month the rollup took the case out of keeps its rows, at zero: left out here)
        return {r.label: (r.accepted, r.ratings) for r in rows if r.accepted or r.ratings}

    assert ratings_by_month() == {"2026-03": (1, 1)}
    case.refresh_from_db()
    case.accepted_on = D(2026, 4, 1)
    case.save()
    assert Rating.objects.get(pk=rating.pk).accepted_on == D(2026, 4, 1)
    assert ratings_by_month() == {"2026-04": (1, 1)}
    # and by department (the rating's copy) and month at once, after the next refresh too
    refresh(now=at(D(2026, 4, 20), 0))
    assert ratings_by_month() == {"2026-04": (1, 1)}
    dept = figures_many(**spring, by=["department", "month"])
    assert [(r.label, r.ratings) for r in dept["department"].rows] == [("甲局", 1)]
