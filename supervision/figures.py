"""The figures of DESIGN §5, computed in the database for a cohort and a breakdown.

A cohort is the set of cases accepted between two dates (inclusive), looked at "as of" a moment:
- concluded (办结) = a decision exists (approved / denied, delivered or revoked afterwards) with
  ``concluded_at`` not after "as of";
- open = still running, or concluded after "as of";
- early = concluded with ``elapsed_days < promised_limit``; on time = ``concluded_on <= promised_due``;
- overdue = concluded after the promised due date, or open while the "as of" date is past it;
  statutory breach the same against the statutory due date;
- mean actual days = mean ``elapsed_days`` of concluded cases; actual speed-up = 1 − mean actual days /
  mean statutory limit over those same cases; promised speed-up = 1 − Σ promised / Σ statutory limit
  over the published catalogue items;
- satisfaction = non-voided ratings of 3–5 / all non-voided ratings (given by "as of") of cohort cases;
- complaints = complaints received in the period (by "as of"), concluded = ``concluded_at`` by "as of".

Every figure is an aggregate query (one for the cases and their ratings, one for complaints, one for
the catalogue) whatever the number of cases; rates keep their numerator and denominator.
"""

from __future__ import annotations

import contextlib
import datetime
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import TruncMonth
from django.utils import timezone

from approvals.constants import DECIDED_STATES, RUNNING_STATES
from approvals.models import Case
from complaints.models import Complaint, Rating
from intake.constants import ItemStatus
from intake.models import Item
from portal.compiled_sql import compiled_rows

from .constants import Breakdown
from .models import DeskFigureRollup, FigureRollup, FigureRollupState, RollupSums

FOUR = Decimal("0.0001")

# The keys of one row, in the order the report prints them (issue #6).
ROW_KEYS = (
    "accepted",
    "concluded",
    "completion_rate",
    "early_rate",
    "on_time_rate",
    "overdue",
    "statutory_breaches",
    "mean_actual_days",
    "actual_speedup",
    "satisfaction",
    "ratings",
    "complaints_received",
    "complaints_concluded",
    "complaint_completion_rate",
)
RATE_KEYS = (
    "completion_rate",
    "early_rate",
    "on_time_rate",
    "actual_speedup",
    "satisfaction",
    "complaint_completion_rate",
)


def _round(value: Decimal) -> Decimal:
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, rounded to 4 places; ``None`` when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return _round(Decimal(self.numerator) / Decimal(self.denominator))

    def as_float(self) -> float | None:
        v = self.value
        return None if v is None else float(v)

    def __str__(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.2f}%"


@dataclass
class Row:
    group: Any = None
    label: str = ""
    accepted: int = 0
    concluded: int = 0
    early: int = 0
    on_time: int = 0
    overdue: int = 0
    statutory_breaches: int = 0
    open: int = 0
    elapsed_n: int = 0
    elapsed_sum: int = 0
    statutory_sum: int = 0
    promised_sum: int = 0
    ratings: int = 0
    good_ratings: int = 0
    complaints_received: int = 0
    complaints_concluded: int = 0

    @property
    def completion_rate(self) -> Rate:
        return Rate(self.concluded, self.accepted)

    @property
    def early_rate(self) -> Rate:
        return Rate(self.early, self.concluded)

    @property
    def on_time_rate(self) -> Rate:
        return Rate(self.on_time, self.concluded)

    @property
    def mean_actual_days(self) -> Decimal | None:
        return _round(Decimal(self.elapsed_sum) / self.elapsed_n) if self.elapsed_n else None

    @property
    def mean_statutory_limit(self) -> Decimal | None:
        return _round(Decimal(self.statutory_sum) / self.elapsed_n) if self.elapsed_n else None

    @property
    def mean_promised_limit(self) -> Decimal | None:
        return _round(Decimal(self.promised_sum) / self.elapsed_n) if self.elapsed_n else None

    @property
    def actual_speedup(self) -> Rate:
        # 1 − mean actual / mean statutory over the same cases = (Σ statutory − Σ elapsed) / Σ statutory
        return Rate(self.statutory_sum - self.elapsed_sum, self.statutory_sum)

    @property
    def satisfaction(self) -> Rate:
        return Rate(self.good_ratings, self.ratings)

    @property
    def complaint_completion_rate(self) -> Rate:
        return Rate(self.complaints_concluded, self.complaints_received)

    def add(self, other: Row) -> None:
        for name in _ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self, *, fractions: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ROW_KEYS:
            value = getattr(self, key)
            if isinstance(value, Rate):
                out[key] = value.as_float()
            elif isinstance(value, Decimal):
                out[key] = float(value)
            else:
                out[key] = value
        if fractions:
            out["fractions"] = {
                key: [getattr(self, key).numerator, getattr(self, key).denominator] for key in RATE_KEYS
            }
        return out


_ADDITIVE = [n for n in Row.__dataclass_fields__ if n not in ("group", "label")]


@dataclass
class Report:
    accepted_from: datetime.date
    accepted_to: datetime.date
    as_of: datetime.datetime
    by: str | None
    promised_speedup: Rate
    rows: list[Row] = field(default_factory=list)

    def as_dict(self, *, fractions: bool = False) -> dict[str, Any]:
        rows = []
        for row in self.rows:
            data = row.as_dict(fractions=fractions)
            if self.by:
                data = {"group": _json_key(row.group), "label": row.label, **data}
            rows.append(data)
        out: dict[str, Any] = {
            "accepted_from": self.accepted_from.isoformat(),
            "accepted_to": self.accepted_to.isoformat(),
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "promised_speedup": self.promised_speedup.as_float(),
            "rows": rows,
        }
        if fractions:
            out["promised_speedup_fraction"] = [
                self.promised_speedup.numerator,
                self.promised_speedup.denominator,
            ]
        return out

    @property
    def total(self) -> Row:
        return self.rows[0] if self.rows and not self.by else _sum_rows(self.rows)


def _json_key(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:7]
    return value


def _sum_rows(rows: list[Row]) -> Row:
    total = Row(label="合计")
    for row in rows:
        total.add(row)
    return total


# --- grouping ------------------------------------------------------------------------------------


# breakdown → (case group expression, case label field, complaint group expression or None)
def _case_group(
    by: str, start: datetime.date | None = None, end: datetime.date | None = None, prefix: str = ""
) -> tuple[Any, str | None]:
    """The group expression of a breakdown over cases (``prefix="case__"`` from a related model)."""
    p = prefix
    month: Any = (
        _month_ladder(f"{p}accepted_on", start, end) if start and end else TruncMonth(f"{p}accepted_on")
    )
    return {
        Breakdown.DEPARTMENT: (F(f"{p}department_id"), "department__name"),
        Breakdown.ITEM: (F(f"{p}item_id"), "item__name"),
        Breakdown.WINDOW: (F(f"{p}window_id"), "window__number"),
        Breakdown.CLERK: (F(f"{p}clerk_id"), "clerk__real_name"),
        Breakdown.MONTH: (month, None),
    }[Breakdown(by)]


def _month_ladder(field: str, start: datetime.date, end: datetime.date) -> Any:
    """The first day of the month of ``field`` (a date between ``start`` and ``end``) as plain date
    comparisons (cheaper per row than ``date_trunc``, which PostgreSQL applies to a timestamp with time
    zone), the latest month first: the live cases a report reads are mostly recent (running), and a
    year's cohort then costs them one or two comparisons instead of eleven."""
    months = [start.replace(day=1)]
    while months[-1] < end.replace(day=1):
        months.append((months[-1] + datetime.timedelta(days=32)).replace(day=1))
    whens = [When(**{f"{field}__gte": month}, then=Value(month)) for month in reversed(months[1:])]
    return SqlCase(*whens, default=Value(months[0]), output_field=DateField())


def _complaint_group(by: str) -> Any:
    return {
        Breakdown.DEPARTMENT: F("department_id"),
        Breakdown.ITEM: F("case__item_id"),
        Breakdown.WINDOW: F("window_id"),
        Breakdown.CLERK: F("person_id"),
        Breakdown.MONTH: TruncMonth("received_on"),
    }[Breakdown(by)]


# --- the figures ---------------------------------------------------------------------------------


def cohort_cases(
    *, accepted_from: datetime.date, accepted_to: datetime.date, department_id: int | None = None
) -> QuerySet[Case]:
    qs = Case.objects.filter(accepted_on__gte=accepted_from, accepted_on__lte=accepted_to)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs


def case_flags(as_of: datetime.datetime | Any, as_of_date: datetime.date | Any = None) -> dict[str, Any]:
    """Per-case keys, each computed once per row, that the cases are grouped by (with the breakdown):
    every figure is then a sum of group counts picked by these keys (see ``_reduce``). Cheaper than
    one filtered aggregate per figure, which evaluates the same conditions again and again. Plain
    boolean expressions (true / false / NULL when a date is missing) keep the groups few and the
    planner's estimate right. ``as_of`` may be an expression (with ``as_of_date``): a moment per case,
    like the end of its acceptance month (``month_end_of``)."""
    if as_of_date is None:
        as_of_date = timezone.localdate(as_of)

    def flag(q: Q) -> ExpressionWrapper:
        return ExpressionWrapper(q, output_field=BooleanField())

    return {
        "f_state": F("state"),
        "f_c": flag(Q(concluded_at__lte=as_of)),  # true: concluded by "as of"; false: after it; NULL: not
        "f_e": flag(Q(elapsed_days__lt=F("promised_limit"))),
        "f_p": flag(Q(concluded_on__lte=F("promised_due"))),  # true: on time; false: late; NULL: no date
        "f_s": flag(Q(concluded_on__lte=F("statutory_due"))),
        "f_pp": flag(Q(promised_due__lt=as_of_date)),
        "f_sp": flag(Q(statutory_due__lt=as_of_date)),
    }


def month_end_moment(month: datetime.date) -> datetime.datetime:
    """The end of a month: midnight (Asia/Shanghai) starting the next month; a monthly report's "as of"."""
    start = (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def month_end_of(field: str, start: datetime.date, end: datetime.date) -> tuple[Any, Any]:
    """Per row, the end of the month of the date ``field`` (between ``start`` and ``end``): the moment
    and the first day of the next month, as expressions (plain date comparisons, like ``_month_ladder``)."""
    months = [start.replace(day=1)]
    while months[-1] < end.replace(day=1):
        months.append((months[-1] + datetime.timedelta(days=32)).replace(day=1))
    nxt = [(m + datetime.timedelta(days=32)).replace(day=1) for m in months]

    def ladder(values: list[Any], output: Any) -> Any:
        whens = [When(**{f"{field}__lt": nxt[i]}, then=Value(values[i])) for i in range(len(months) - 1)]
        return SqlCase(*whens, default=Value(values[-1]), output_field=output)

    return (
        ladder([month_end_moment(m) for m in months], DateTimeField()),
        ladder(nxt, DateField()),
    )


def is_month_cohort(
    accepted_from: datetime.date, accepted_to: datetime.date, as_of: datetime.datetime
) -> bool:
    """A whole month's cohort as of the end of that month (the monthly report, the red and blue boards)."""
    return (
        accepted_from.day == 1
        and accepted_to
        == (accepted_from + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        and as_of == month_end_moment(accepted_from)
    )


def _is_false(value: Any) -> bool:
    return value is not None and not value


def case_sums(as_of: datetime.datetime) -> dict[str, Any]:
    timed = Q(elapsed_days__isnull=False)
    aggs: dict[str, Any] = {
        "n": Count("*"),
        "elapsed_n": Count("elapsed_days"),
        "elapsed_sum": Sum("elapsed_days"),
        "statutory_sum": Sum("statutory_limit", filter=timed),
        "promised_sum": Sum("promised_limit", filter=timed),
    }
    return aggs


def rating_rows(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    dims: Sequence[str],
    department_id: int | None = None,
    live_only: bool = False,
) -> list[dict[str, Any]]:
    """Non-voided ratings given by "as of" of the cohort's cases, grouped like the cases: a query over
    the (few) ratings, not a join of every case to its rating. By department, item and month from the
    rating's own copies of its case's acceptance date, department and item (no join: the dashboard's
    live ratings); by window or clerk joined to the case, whose desk the rating does not copy.
    ``live_only``: only those the figures rollup has not taken in. Grouped, its SQL is compiled once per
    cohort on PostgreSQL (``_compiled_rows``)."""
    p = "" if set(dims) <= _RATING_COPIED else "case__"

    def ratings() -> Any:  # built only when its SQL is not compiled yet (_compiled_rows)
        qs = Rating.objects.filter(
            **{f"{p}accepted_on__gte": accepted_from, f"{p}accepted_on__lte": accepted_to}, voided=False
        )
        if department_id is not None:
            qs = qs.filter(**{f"{p}department_id": department_id})
        if live_only:
            qs = qs.filter(rolled_up_at__isnull=True)
        return qs

    aggs = {"ratings": Count("id"), "good_ratings": Count("id", filter=Q(overall__gte=3))}
    if not dims:
        return [ratings().filter(created_at__lte=as_of).aggregate(**aggs)]

    def grouped(moment: Any) -> Any:
        annotations = {f"g_{b}": _case_group(b, accepted_from, accepted_to, prefix=p)[0] for b in dims}
        given = ratings().filter(created_at__lte=moment)
        return given.annotate(**annotations).values(*annotations).annotate(**aggs).order_by()

    key = ("ratings", accepted_from, accepted_to, tuple(dims), department_id, live_only)
    return _compiled_rows(key, grouped, as_of)


# the breakdowns a rating's own copies serve (Rating.accepted_on, department, item: kept by rollup.py)
_RATING_COPIED = {Breakdown.DEPARTMENT.value, Breakdown.ITEM.value, Breakdown.MONTH.value}
_DECIDED = {str(s) for s in DECIDED_STATES}
_RUNNING = {str(s) for s in RUNNING_STATES}


def _reduce(data: dict[str, Any]) -> Row:
    """One group of cases sharing the same keys → its contribution to every figure (DESIGN §5)."""
    return _row_of(_reduce_vec(data))


def _row_of(vec: Sequence[int], *, group: Any = None, label: str = "") -> Row:
    """A Row from its additive figures in ``_ADDITIVE`` order."""
    return Row(group=group, label=label, **dict(zip(_ADDITIVE, vec, strict=True)))


# the order of _reduce_vec's list (the additive fields of Row)
_VEC = (
    "accepted",
    "concluded",
    "early",
    "on_time",
    "overdue",
    "statutory_breaches",
    "open",
    "elapsed_n",
    "elapsed_sum",
    "statutory_sum",
    "promised_sum",
    "ratings",
    "good_ratings",
    "complaints_received",
    "complaints_concluded",
)
assert list(_VEC) == _ADDITIVE, _ADDITIVE


def _reduce_vec(data: dict[str, Any]) -> list[int]:
    """``_reduce`` as a plain list in ``_ADDITIVE`` order (no Row built: thousands of groups a page)."""
    n = int(data["n"])
    state, c = data["f_state"], data["f_c"]
    done = state in _DECIDED and bool(c)
    opened = state in _RUNNING or _is_false(c)
    if done:
        p = data["f_p"]
        overdue = n if _is_false(p) or (opened and data["f_pp"]) else 0
        breaches = n if _is_false(data["f_s"]) or (opened and data["f_sp"]) else 0
        return [
            n,
            n,
            n if data["f_e"] else 0,
            n if p else 0,
            overdue,
            breaches,
            0,
            int(data["elapsed_n"] or 0),
            int(data["elapsed_sum"] or 0),
            int(data["statutory_sum"] or 0),
            int(data["promised_sum"] or 0),
            0,
            0,
            0,
            0,
        ]
    overdue = n if opened and data["f_pp"] else 0
    breaches = n if opened and data["f_sp"] else 0
    return [n, 0, 0, 0, overdue, breaches, 0, 0, 0, 0, 0, 0, 0, 0, 0]


def complaint_rows(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    dims: Sequence[str],
    department_id: int | None = None,
) -> list[dict[str, Any]]:
    """Complaints received in the period by "as of" (and concluded by then), grouped by ``dims`` (its SQL
    compiled once per period on PostgreSQL, like the ratings')."""

    def complaints() -> Any:  # built only when its SQL is not compiled yet (_compiled_rows)
        qs = Complaint.objects.filter(received_on__gte=accepted_from, received_on__lte=accepted_to)
        return qs if department_id is None else qs.filter(department_id=department_id)

    if not dims:
        return [complaints().filter(received_at__lte=as_of).aggregate(**_complaint_sums(as_of))]

    def grouped(moment: Any) -> Any:
        annotations = {f"g_{b}": _complaint_group(b) for b in dims}
        received = complaints().filter(received_at__lte=moment)
        return (
            received.annotate(**annotations)
            .values(*annotations)
            .annotate(**_complaint_sums(moment))
            .order_by()
        )

    key = ("complaints", accepted_from, accepted_to, tuple(dims), department_id)
    return _compiled_rows(key, grouped, as_of)


def _complaint_sums(as_of: Any) -> dict[str, Any]:
    return {
        "complaints_received": Count("id"),
        "complaints_concluded": Count("id", filter=Q(concluded_at__isnull=False, concluded_at__lte=as_of)),
    }


# --- reading the figures rollup (kept by rollup.py, which builds on the pieces above) ---------------

# The rollup's sums, and its two shapes: (model, key fields). One row per acceptance day, department and
# item; one per acceptance day, department, window and clerk.
ROLLUP_SUMS = (
    "accepted",
    "concluded",
    "early",
    "on_time",
    "overdue",
    "statutory_breaches",
    "elapsed_n",
    "elapsed_sum",
    "statutory_sum",
    "promised_sum",
    "ratings",
    "good_ratings",
)
ROLLUP_SHAPES: tuple[tuple[type[RollupSums], tuple[str, ...]], ...] = (
    (FigureRollup, ("accepted_on", "department_id", "item_id")),
    (DeskFigureRollup, ("accepted_on", "department_id", "window_id", "clerk_id")),
)
# The breakdowns each shape can serve (month and department come from the day and department of either).
_SHAPE_DIMS: tuple[tuple[type[RollupSums], frozenset[str]], ...] = (
    (FigureRollup, frozenset({Breakdown.DEPARTMENT.value, Breakdown.ITEM.value, Breakdown.MONTH.value})),
    (
        DeskFigureRollup,
        frozenset(
            {
                Breakdown.DEPARTMENT.value,
                Breakdown.WINDOW.value,
                Breakdown.CLERK.value,
                Breakdown.MONTH.value,
            }
        ),
    ),
)


def rollup_watermark() -> datetime.datetime | None:
    """The moment of the rollup's last refresh (None before the first)."""
    return FigureRollupState.objects.filter(pk=1).values_list("watermark", flat=True).first()


def rollup_for(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    dims: Iterable[str],
    mark: datetime.datetime | None,
) -> tuple[type[RollupSums], bool] | None:
    """The rollup shape that can answer for this cohort, "as of" and breakdowns, and whether from its
    month-end sums (None: all live). "As of" the watermark or later: the sums of the settled cases. A
    whole month's cohort as of that month's end, earlier than the watermark (the monthly report and red
    and blue boards of a past month): the month-end sums, each settled case as it stood at the end of
    its acceptance month. An item breakdown together with a window or clerk one has no shape: live."""
    if mark is None:
        return None
    if as_of >= mark:
        month_end = False
    elif is_month_cohort(accepted_from, accepted_to, as_of):
        month_end = True
    else:
        return None
    wanted = set(dims)
    for model, served in _SHAPE_DIMS:
        if wanted <= served:
            return model, month_end
    return None


def rollup_rows(
    *,
    model: type[RollupSums],
    month_end: bool,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    dims: list[str],
    department_id: int | None,
) -> list[dict[str, Any]]:
    """The rollup's sums for a cohort, grouped like the live figures (``g_<breakdown>`` keys); the
    month-end sums are keyed by the first day of the acceptance month. The whole months of the cohort
    are read from their ``whole_month`` rows, only its partial months from the day rows."""

    def rows() -> Any:  # built only when its SQL is not compiled yet (_compiled_rows)
        qs = model._default_manager.filter(
            _rollup_days_q(month_end, accepted_from, accepted_to),
            month_end=month_end,
            accepted_on__gte=accepted_from,
            accepted_on__lte=accepted_to,
        )
        return qs if department_id is None else qs.filter(department_id=department_id)

    sums = {name: Sum(name) for name in ROLLUP_SUMS}
    if not dims:
        return [rows().aggregate(**sums)]

    def grouped(_moment: Any) -> Any:
        annotations = {f"g_{b}": _case_group(b, accepted_from, accepted_to)[0] for b in dims}
        return rows().annotate(**annotations).values(*annotations).annotate(**sums).order_by()

    key = ("rollup", model, month_end, accepted_from, accepted_to, tuple(dims), department_id)
    return _compiled_rows(key, grouped, None)


def _rollup_days_q(month_end: bool, accepted_from: datetime.date, accepted_to: datetime.date) -> Q:
    """Which rows of the rollup make up the cohort: the month-end sums are monthly already; otherwise
    the ``whole_month`` rows of the months entirely inside the cohort and the day rows of the rest."""
    if month_end:
        return Q(whole_month=False)
    first = accepted_from if accepted_from.day == 1 else _next_month(accepted_from)
    after = _next_month(accepted_to)  # the first day of the month after the cohort's last
    last = after if accepted_to == after - datetime.timedelta(days=1) else accepted_to.replace(day=1)
    if first >= last:  # no whole month inside the cohort
        return Q(whole_month=False)
    # the whole months are [first, last); the days before ``first`` and from ``last`` on are read as days
    return Q(whole_month=True, accepted_on__gte=first, accepted_on__lt=last) | (
        Q(whole_month=False) & (Q(accepted_on__lt=first) | Q(accepted_on__gte=last))
    )


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# The figures' large grouped queries, their SQL compiled once per cohort and breakdowns
# (``portal.compiled_sql``): building and compiling them through the ORM (a CASE ladder of months, seven
# per-case flags, a dozen sums) cost a dashboard ≈ 10–15 ms a request, every request the same but for
# "as of". Keyed by everything the SQL depends on; "as of" (and its date) are compiled as stand-ins.
_AS_OF_STAND_IN = datetime.datetime(1901, 1, 1, 0, 0, 0, 123457, tzinfo=datetime.UTC)


def _compiled_rows(
    key: tuple[Any, ...], build: Callable[[Any], Any], as_of: datetime.datetime | None
) -> list[dict[str, Any]]:
    """The rows of ``build(as_of)`` (a grouped ``values()`` query), its SQL compiled once per ``key`` on
    PostgreSQL. ``build`` must make the same query for every "as of" but for where "as of" and its local
    date go (never both absent: then the query is not cached)."""
    stand_ins = (
        {}
        if as_of is None
        else {_AS_OF_STAND_IN: as_of, timezone.localdate(_AS_OF_STAND_IN): timezone.localdate(as_of)}
    )
    return compiled_rows(
        ("figures", *key),
        lambda: build(as_of),
        lambda: build(_AS_OF_STAND_IN),
        stand_ins,
        needed=1 if stand_ins else 0,
    )


def promised_speedup(*, department_id: int | None = None) -> Rate:
    qs = Item.objects.filter(status=ItemStatus.PUBLISHED)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    sums = qs.aggregate(p=Sum("promised_limit"), s=Sum("statutory_limit"))
    p, s = int(sums["p"] or 0), int(sums["s"] or 0)
    return Rate(s - p, s)


def _keys_of(dims: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A group's breakdown keys as a tuple, from its ``g_<breakdown>`` columns (the month's as a date: a
    truncated month may come as a datetime). One call a group, thousands a page: an itemgetter, and the
    month looked at only when it is a breakdown."""
    names = [f"g_{b}" for b in dims]
    if not names:
        return lambda data: ()
    pick = operator.itemgetter(*names) if len(names) > 1 else lambda data: (data[names[0]],)
    if Breakdown.MONTH.value not in dims:
        return pick
    at = list(dims).index(Breakdown.MONTH.value)

    def keys_of(data: dict[str, Any]) -> tuple[Any, ...]:
        keys = pick(data)
        if isinstance(keys[at], datetime.datetime):
            return (*keys[:at], keys[at].date(), *keys[at + 1 :])
        return keys

    return keys_of


def figures(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    by: str | None = None,
    department_id: int | None = None,
) -> Report:
    """Every figure of DESIGN §5 for the cohort, overall (``by=None``) or per group of ``by``."""
    dims = [Breakdown(by).value] if by else []
    reports = figures_many(
        accepted_from=accepted_from,
        accepted_to=accepted_to,
        as_of=as_of,
        by=dims,
        department_id=department_id,
    )
    return reports[dims[0] if dims else None]


def figures_many(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    by: Sequence[str] = (),
    department_id: int | None = None,
) -> dict[str | None, Report]:
    """The overall report (key None) and one report per breakdown in ``by``, from ONE grouped query
    over the cases (grouped by all the breakdowns at once, then rolled up: every count and sum is
    additive), one over the complaints and one over the catalogue. Inside ``analytic_snapshot()``
    several calls share one transaction (and its catalogue and watermark reads)."""
    with analytic_snapshot():
        return _figures_many(
            accepted_from=accepted_from,
            accepted_to=accepted_to,
            as_of=as_of,
            dims=[Breakdown(b).value for b in by],
            department_id=department_id,
        )


def analytic_snapshot() -> Any:
    """The block the aggregate queries run in: on PostgreSQL one repeatable-read snapshot with JIT
    compilation and parallel workers off (for these short scans the compile time, ≈150 ms, costs more
    than it saves); SQLite transactions are serializable already. Re-entrant: a figures call inside an
    open block (a page's or report's several calls) runs in it, with no BEGIN, settings or savepoint of
    its own, and the reads that are the same for every call of one snapshot (the rollup's watermark, a
    department's promised speed-up) are made once (``_snapshot_memo``)."""
    if getattr(connection, _SNAPSHOT_MEMO, None) is not None:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def block() -> Iterator[None]:
        with _snapshot_transaction():
            setattr(connection, _SNAPSHOT_MEMO, {})
            try:
                yield
            finally:
                setattr(connection, _SNAPSHOT_MEMO, None)

    return block()


_SNAPSHOT_MEMO = "_supervision_snapshot_memo"


def _snapshot_memo(key: Any, read: Callable[[], Any]) -> Any:
    """``read()`` once per analytic snapshot (a plain call outside one)."""
    memo = getattr(connection, _SNAPSHOT_MEMO, None)
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def _snapshot_transaction() -> Any:
    if connection.vendor != "postgresql":
        return transaction.atomic()

    @contextlib.contextmanager
    def block() -> Iterator[None]:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            with connection.cursor() as cursor:
                if outermost:
                    # one snapshot for every query of the report: a rollup refresh committing between the
                    # rollup read and the live read must not count a case twice or not at all
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # and no parallel workers: the queries read the rollup and the few live cases, and
                # starting workers (≈ 15–20 ms on a busy machine) cost more than they would save
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), "
                    "set_config('max_parallel_workers_per_gather', '0', true)"
                )
            yield

    return block()


def _figures_many(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    dims: list[str],
    department_id: int | None,
) -> dict[str | None, Report]:
    speed = _snapshot_memo(("speed", department_id), lambda: promised_speedup(department_id=department_id))
    head: dict[str, Any] = dict(
        accepted_from=accepted_from, accepted_to=accepted_to, as_of=as_of, promised_speedup=speed
    )
    rows: dict[str, dict[Any, Row]] = {b: {} for b in dims}
    # settled cases and their ratings come summed from the rollup when it can answer for this "as of"
    # and breakdown; only the rest is aggregated live (same figures either way: see rollup.py)
    rollup = rollup_for(
        accepted_from=accepted_from,
        accepted_to=accepted_to,
        as_of=as_of,
        dims=dims,
        mark=_snapshot_memo("watermark", rollup_watermark),
    )
    use_rollup = rollup is not None

    # the groups' contributions are summed as plain lists of ints, one per breakdown key, and turned
    # into rows once at the end (thousands of groups on a dashboard: a Row.add per group and breakdown
    # cost more than the queries)
    # first per combination of keys (the live groups, the rollup's and the ratings' share them: a few
    # hundred combinations for thousands of groups), then per breakdown
    combined: dict[tuple[Any, ...], list[int]] = {}

    def add(vec: list[int], keys: tuple[Any, ...]) -> None:
        into = combined.get(keys)
        combined[keys] = vec if into is None else list(map(operator.add, into, vec))  # never in place

    # ONE query: grouped by the breakdown keys (ids only: narrow rows, hash aggregation; labels come
    # after, one small query each) and the per-case flags; every figure is a sum over those groups
    def live(moment: Any) -> Any:
        annotations = {f"g_{b}": _case_group(b, accepted_from, accepted_to)[0] for b in dims}
        annotations.update(case_flags(moment))
        # the cohort's queryset is built here, only when the SQL is not compiled yet (_compiled_rows)
        cases = cohort_cases(
            accepted_from=accepted_from, accepted_to=accepted_to, department_id=department_id
        )
        if use_rollup:
            cases = cases.filter(rolled_up_at__isnull=True)
        return cases.annotate(**annotations).values(*annotations).annotate(**case_sums(moment)).order_by()

    keys_of = _keys_of(dims)
    key = ("live", accepted_from, accepted_to, tuple(dims), department_id, use_rollup)
    for data in _compiled_rows(key, live, as_of):
        add(_reduce_vec(data), keys_of(data))
    cohort: dict[str, Any] = dict(
        accepted_from=accepted_from,
        accepted_to=accepted_to,
        as_of=as_of,
        dims=dims,
        department_id=department_id,
    )
    summed = (
        rollup_rows(
            model=rollup[0],
            month_end=rollup[1],
            accepted_from=accepted_from,
            accepted_to=accepted_to,
            dims=dims,
            department_id=department_id,
        )
        if rollup is not None
        else []
    )
    for source in (summed, rating_rows(**cohort, live_only=use_rollup), complaint_rows(**cohort)):
        for data, vec in _additive_vecs(source):
            add(vec, keys_of(data))
    sums: list[dict[Any, list[int]]] = [{} for _ in dims]
    grand = [0] * len(_ADDITIVE)
    for keys, vec in combined.items():
        grand[:] = map(operator.add, grand, vec)
        for acc, key in zip(sums, keys, strict=True):
            into = acc.get(key)
            acc[key] = vec if into is None else list(map(operator.add, into, vec))
    total = _row_of(grand, label="合计")
    for b, acc in zip(dims, sums, strict=True):
        for key, vec in acc.items():
            rows[b][key] = _row_of(vec, group=key, label=_label(b, key, None))
    out: dict[str | None, Report] = {None: Report(by=None, rows=[total], **head)}
    for b in dims:
        _fill_missing_labels(b, rows[b])
        ordered = sorted(
            rows[b].values(),
            key=lambda r: (r.group is None, str(r.group) if b == Breakdown.MONTH else r.label),
        )
        out[b] = Report(by=b, rows=ordered, **head)
    return out


def _additive_vecs(rows: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """Each row with its ``_ADDITIVE`` columns as a list of ints (0 for a column it has not got or a
    NULL): the rows of one query all have the same columns, so which of them it has is looked up once
    (the rollup's, ratings' and complaints' rows: hundreds a page, each read by name per column before)."""
    if not rows:
        return
    present = [(i, name) for i, name in enumerate(_ADDITIVE) if name in rows[0]]
    zero = [0] * len(_ADDITIVE)
    for data in rows:
        vec = zero.copy()
        for i, name in present:
            value = data[name]
            if value:
                vec[i] = int(value)
        yield data, vec


def _label(by: str, key: Any, label: Any) -> str:
    if key is None:
        return "（未指定）"
    if by == Breakdown.MONTH:
        return key.strftime("%Y-%m")
    if by == Breakdown.WINDOW and label is not None:
        return f"{label}号窗口"
    return str(label) if label not in (None, "") else ""


def _fill_missing_labels(by: str, rows: dict[Any, Row]) -> None:
    """Rows that only have complaints (or a clerk without a real name) get their label in one query."""
    missing = [k for k, r in rows.items() if k is not None and not r.label]
    if not missing:
        return
    if by == Breakdown.DEPARTMENT:
        from portal.accounts.models import Department

        # every department's name (a few dozen rows), read once per analytic snapshot: a page's figures
        # calls (this year's and the boards') share it
        names = _snapshot_memo("department names", lambda: dict(Department.objects.values_list("pk", "name")))
    elif by == Breakdown.ITEM:
        names = dict(Item.objects.filter(pk__in=missing).values_list("pk", "name"))
    elif by == Breakdown.WINDOW:
        from portal.accounts.models import Window

        names = {
            pk: f"{n}号窗口" for pk, n in Window.objects.filter(pk__in=missing).values_list("pk", "number")
        }
    elif by == Breakdown.CLERK:
        from portal.accounts.models import User

        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=missing)}
    else:
        names = {}
    for key in missing:
        rows[key].label = str(names.get(key, key))
