"""The figures rollup: what DESIGN §5 says of a settled case, summed once instead of on every report.

A case is *settled* once it is closed (decided, withdrawn, terminated…) with ``concluded_at`` before the
refresh moment W: for any "as of" at or after W every figure it contributes is fixed (it is concluded,
early or not, on time or not, its elapsed days known). A refresh (Celery beat, every few minutes)
stamps the newly settled cases and the ratings given before W on them with ``rolled_up_at = W`` and
adds their contributions to ``FigureRollup`` per (acceptance day, department, item) and to
``DeskFigureRollup`` per (acceptance day, department, window, clerk). The contributions
are computed by the very code the live figures use (``figures.case_flags`` → ``figures._reduce``), so
the two cannot disagree.

A report "as of" W or later then reads the rollup rows of its cohort plus a live aggregate over the
cases and ratings not rolled up (``rolled_up_at IS NULL``: the running cases and those closed since
the last refresh, through a partial index). A report as of an earlier moment reads everything live.

If a rolled-up case or rating changes in a way that matters to the figures (a revoked approval keeps
its figures; a corrected acceptance date, a voided rating do not), its contribution is taken out of the
rollup and it is live again until the next refresh (``pre_save`` / ``pre_delete`` below). Bulk
``QuerySet.update`` calls bypass this: none touches a closed case (``recompute_open_cases`` only
running ones; the legacy import only new rows).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from approvals.constants import CLOSED_STATES, DECIDED_STATES
from approvals.models import Case
from complaints.models import Rating

from .figures import (
    ROLLUP_SHAPES,
    ROLLUP_SUMS,
    Row,
    _month_ladder,
    _reduce,
    case_flags,
    case_sums,
    month_end_of,
)
from .models import FigureRollupState, RollupSums

SUMS = ROLLUP_SUMS
# The case fields a settled case's figures depend on.
CASE_FIELDS = (
    "accepted_on",
    "department_id",
    "item_id",
    "window_id",
    "clerk_id",
    "concluded_at",
    "concluded_on",
    "elapsed_days",
    "promised_limit",
    "statutory_limit",
    "promised_due",
    "statutory_due",
)
RATING_FIELDS = ("case_id", "overall", "voided", "created_at")

Key = tuple[Any, ...]  # (acceptance day, department id, …): the key fields of one rollup shape
Parts = dict[type[RollupSums], dict[Key, Any]]


def settled_q(moment: datetime.datetime) -> Q:
    return Q(accepted_on__isnull=False, state__in=list(CLOSED_STATES), concluded_at__lt=moment)


@dataclass
class RefreshResult:
    watermark: datetime.datetime
    cases: int
    ratings: int
    keys: int


def refresh(*, now: datetime.datetime | None = None) -> RefreshResult:
    """Take in the cases settled and the ratings given (on rolled-up cases) before ``now``. Set-based:
    two UPDATEs, then per rollup shape two grouped queries over the newly stamped rows, one read of the
    touched rollup rows and their bulk update and insert, whatever their number."""
    now = now or timezone.now()
    with transaction.atomic():
        FigureRollupState.objects.get_or_create(pk=1)
        state = FigureRollupState.objects.select_for_update().get(pk=1)  # one refresh at a time
        if state.watermark is not None and now <= state.watermark:
            return RefreshResult(state.watermark, 0, 0, 0)
        cases = Case.objects.filter(settled_q(now), rolled_up_at__isnull=True).update(rolled_up_at=now)
        ratings = Rating.objects.filter(
            rolled_up_at__isnull=True, created_at__lt=now, case__rolled_up_at__isnull=False
        ).update(rolled_up_at=now)
        keys = 0
        stamped = contributions(
            Case.objects.filter(rolled_up_at=now), Rating.objects.filter(rolled_up_at=now), now=now
        )
        for model, key, parts in stamped:
            _apply(model, key, parts, sign=1)
            keys += len(parts)
        state.watermark = now
        state.save(update_fields=["watermark"])
    return RefreshResult(now, cases, ratings, keys)


def contributions(
    cases: QuerySet[Case], ratings: QuerySet[Rating], *, now: datetime.datetime
) -> list[tuple[type[RollupSums], tuple[str, ...], dict[Key, Any]]]:
    """Settled cases and their ratings → (rollup model, key fields, contributions per key) for every
    shape: the figures as of any moment from now on (``month_end`` False, keyed by acceptance day, and
    the same summed per acceptance month: ``whole_month`` True, keyed by the month's first day) and as of
    the end of each one's acceptance month (``month_end`` True, keyed by the month's first day).
    A constant number of grouped queries, whatever the number of cases or months."""
    span = [
        d
        for d in (
            *cases.aggregate(a=Min("accepted_on"), b=Max("accepted_on")).values(),
            *ratings.aggregate(a=Min("case__accepted_on"), b=Max("case__accepted_on")).values(),
        )
        if d is not None
    ]
    out = []
    for model, key in ROLLUP_SHAPES:
        days = case_contributions(cases, as_of=now, key=key)
        _merge(days, rating_contributions(ratings, key=key))
        parts = {(*k, False, False): v for k, v in days.items()}
        # the whole-month sums: the same day contributions added up per acceptance month
        for k, v in days.items():
            parts.setdefault((k[0].replace(day=1), *k[1:], False, True), Row()).add(v)
        if span:
            start, end = min(span), max(span)
            ends = case_contributions(cases, key=key, months=(start, end))
            _merge(ends, rating_contributions(ratings, key=key, months=(start, end)))
            _merge(parts, {(*k, True, False): v for k, v in ends.items()})
        out.append((model, (*key, "month_end", "whole_month"), parts))
    return out


def case_contributions(
    qs: QuerySet[Case],
    *,
    key: tuple[str, ...],
    as_of: datetime.datetime | None = None,
    months: tuple[datetime.date, datetime.date] | None = None,
) -> dict[Key, Any]:
    """Settled cases → their figures per rollup key (``key``: the case fields of one rollup shape),
    through the live figures' own reduction: as of ``as_of``, or (``months``: the span of their
    acceptance dates) each as of the end of its acceptance month, keyed by that month's first day."""
    out: dict[Key, Any] = {}
    if months is None:
        assert as_of is not None
        flags = case_flags(as_of)
        qs = qs.annotate(k_day=F("accepted_on"))
    else:
        moment, next_day = month_end_of("accepted_on", *months)
        flags = case_flags(moment, next_day)
        qs = qs.annotate(k_day=_month_ladder("accepted_on", *months))
    rows = (
        qs.annotate(**flags)
        .values("k_day", *key[1:], *flags)
        .annotate(**case_sums(timezone.now()))
        .order_by()
    )
    for data in rows:
        out.setdefault((data["k_day"], *(data[f] for f in key[1:])), Row()).add(_reduce(data))
    return out


def rating_contributions(
    qs: QuerySet[Rating], *, key: tuple[str, ...], months: tuple[datetime.date, datetime.date] | None = None
) -> dict[Key, Any]:
    """Ratings → their counts per rollup key; with ``months``, only those given by the end of their
    case's acceptance month, keyed by that month's first day."""
    out: dict[Key, Any] = {}
    fields = [f"case__{f}" for f in key[1:]]
    if months is None:
        qs = qs.annotate(k_day=F("case__accepted_on"))
    else:
        moment, _next_day = month_end_of("case__accepted_on", *months)
        qs = qs.annotate(k_day=_month_ladder("case__accepted_on", *months), k_end=moment).filter(
            created_at__lte=F("k_end")
        )
    rows = (
        qs.values("k_day", *fields)
        .annotate(
            ratings=Count("id", filter=Q(voided=False)),
            good_ratings=Count("id", filter=Q(voided=False, overall__gte=3)),
        )
        .order_by()
    )
    for data in rows:
        assert data["k_day"] is not None  # only accepted cases are rolled up
        row = out.setdefault((data["k_day"], *(data[f] for f in fields)), Row())
        row.ratings += data["ratings"]
        row.good_ratings += data["good_ratings"]
    return out


def _merge(into: dict[Key, Any], other: dict[Key, Any]) -> None:
    for key, row in other.items():
        into.setdefault(key, Row()).add(row)


def _apply(model: type[RollupSums], key: tuple[str, ...], parts: dict[Key, Any], *, sign: int) -> None:
    """Add (sign=1) or take out (sign=-1) contributions: read the touched rows, add, then replace the
    rows that exist and insert the new keys. (Not an upsert: a window or clerk key may be NULL, which no
    unique constraint matches; one refresh runs at a time.)"""
    if not parts:
        return
    dates = {k[0] for k in parts}
    existing: dict[Key, Any] = {}
    for r in model._default_manager.filter(accepted_on__in=dates):
        existing.setdefault(tuple(getattr(r, f) for f in key), r)
    changed, new = [], []
    for k, part in parts.items():
        row = existing.get(k)
        if row is None:
            row = model(**dict(zip(key, k, strict=True)))
            new.append(row)
        else:
            changed.append(row)
        for name in SUMS:
            setattr(row, name, getattr(row, name) + sign * getattr(part, name))
    # the changed rows are replaced: one DELETE by key and one INSERT of them with the new ones (faster
    # than an UPDATE per row, or bulk_update's CASE per column, when a refresh touches thousands)
    manager = model._default_manager
    for start in range(0, len(changed), 5000):
        manager.filter(pk__in=[r.pk for r in changed[start : start + 5000]]).delete()
    for row in changed:
        row.pk = None
    manager.bulk_create(changed + new, batch_size=2000)


# --- keeping the rollup true when a rolled-up row changes -----------------------------------------


def _take_out_case(pk: int) -> None:
    """Take a rolled-up case (and its rolled-up rating, keyed by the case) out of the rollup, as the
    database holds it now; both are live again."""
    case_qs = Case.objects.filter(pk=pk, rolled_up_at__isnull=False)
    rating_qs = Rating.objects.filter(case_id=pk, rolled_up_at__isnull=False)
    for model, key, parts in contributions(case_qs, rating_qs, now=timezone.now()):
        _apply(model, key, parts, sign=-1)
    rating_qs.update(rolled_up_at=None)
    case_qs.update(rolled_up_at=None)


def _take_out_rating(pk: int) -> None:
    qs = Rating.objects.filter(pk=pk, rolled_up_at__isnull=False)
    for model, key, parts in contributions(Case.objects.none(), qs, now=timezone.now()):
        _apply(model, key, parts, sign=-1)
    qs.update(rolled_up_at=None)


def _decided(state: Any) -> bool:
    return str(state) in {str(s) for s in DECIDED_STATES}


@receiver(pre_save, sender=Case, dispatch_uid="supervision.rollup.case_pre_save")
def _case_pre_save(sender: Any, instance: Case, raw: bool = False, **kwargs: Any) -> None:
    # Only closed cases can be rolled up; a case being saved in (or from) a running state is not. The
    # row in the database is the truth: an instance loaded before a refresh does not know its stamp.
    if raw or instance.pk is None or str(instance.state) not in {str(s) for s in CLOSED_STATES}:
        return
    old = Case.objects.filter(pk=instance.pk).values("rolled_up_at", "state", *CASE_FIELDS).first()
    if old is not None:
        _keep_rating_copies(instance, old)
    if old is None or old["rolled_up_at"] is None:
        instance.rolled_up_at = None
        return
    same = all(getattr(instance, f) == old[f] for f in CASE_FIELDS) and _decided(instance.state) == _decided(
        old["state"]
    )
    if same:
        instance.rolled_up_at = old["rolled_up_at"]  # keep the stamp a stale instance would erase
        return
    with transaction.atomic():
        _take_out_case(instance.pk)
    instance.rolled_up_at = None


# What a rating copies from its case and the live figures read from the rating (``figures.rating_rows``).
RATING_COPIES = ("accepted_on", "department_id", "item_id")


def _keep_rating_copies(instance: Case, old: dict[str, Any]) -> None:
    """A closed case (only those are rated) whose acceptance date, department or item changes takes its
    rating's copies along, so the live figures keep counting the rating where the case is."""
    changed = {f: getattr(instance, f) for f in RATING_COPIES if getattr(instance, f) != old[f]}
    if changed:
        Rating.objects.filter(case_id=instance.pk).update(**changed)


@receiver(pre_delete, sender=Case, dispatch_uid="supervision.rollup.case_pre_delete")
def _case_pre_delete(sender: Any, instance: Case, **kwargs: Any) -> None:
    _take_out_case(instance.pk)


@receiver(pre_save, sender=Rating, dispatch_uid="supervision.rollup.rating_pre_save")
def _rating_pre_save(sender: Any, instance: Rating, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.case is not None and instance.accepted_on is None:
        instance.accepted_on = instance.case.accepted_on  # a rating made without the copy (tests, admin)
    if raw or instance.pk is None:
        return
    old = Rating.objects.filter(pk=instance.pk).values("rolled_up_at", *RATING_FIELDS).first()
    if old is None or old["rolled_up_at"] is None:
        instance.rolled_up_at = None
        return
    if all(getattr(instance, f) == old[f] for f in RATING_FIELDS):
        instance.rolled_up_at = old["rolled_up_at"]
        return
    with transaction.atomic():
        _take_out_rating(instance.pk)
    instance.rolled_up_at = None


@receiver(pre_delete, sender=Rating, dispatch_uid="supervision.rollup.rating_pre_delete")
def _rating_pre_delete(sender: Any, instance: Rating, **kwargs: Any) -> None:
    _take_out_rating(instance.pk)
