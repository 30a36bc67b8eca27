"""The figures rollup: what DESIGN §5 says of a settled case, summed once instead of on every report.

A case is *settled* once it is closed (decided, withdrawn, terminated…) with ``concluded_at`` before the
refresh moment W: for any "as of" at or after W every figure it contributes is fixed (it is concluded,
early or not, on time or not, its elapsed days known). A refresh (Celery beat, every few minutes)
stamps the newly settled cases and the ratings given before W on them with ``rolled_up_at = W`` and
adds their contributions to ``FigureRollup`` per (acceptance day, department, item). The contributions
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
from django.db.models import Count, Q, QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from approvals.constants import CLOSED_STATES, DECIDED_STATES
from approvals.models import Case
from complaints.models import Rating

from .figures import ROLLUP_KEY, ROLLUP_SUMS, Row, _reduce, case_flags, case_sums
from .models import FigureRollup, FigureRollupState

KEY = ROLLUP_KEY
SUMS = ROLLUP_SUMS
# The case fields a settled case's figures depend on.
CASE_FIELDS = (
    "accepted_on",
    "department_id",
    "item_id",
    "concluded_at",
    "concluded_on",
    "elapsed_days",
    "promised_limit",
    "statutory_limit",
    "promised_due",
    "statutory_due",
)
RATING_FIELDS = ("case_id", "overall", "voided", "created_at")

Key = tuple[datetime.date, int, int]


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
    two UPDATEs, two grouped queries over the newly stamped rows, one read and one bulk upsert of the
    touched rollup rows, whatever their number."""
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
        parts = case_contributions(Case.objects.filter(rolled_up_at=now), as_of=now)
        _merge(parts, rating_contributions(Rating.objects.filter(rolled_up_at=now)))
        _apply(parts, sign=1)
        state.watermark = now
        state.save(update_fields=["watermark"])
    return RefreshResult(now, cases, ratings, len(parts))


def case_contributions(qs: QuerySet[Case], *, as_of: datetime.datetime) -> dict[Key, Any]:
    """Settled cases → their figures per rollup key, through the live figures' own reduction."""
    out: dict[Key, Any] = {}
    rows = (
        qs.annotate(**case_flags(as_of))
        .values(*KEY, *case_flags(as_of))
        .annotate(**case_sums(as_of))
        .order_by()
    )
    for data in rows:
        key = (data["accepted_on"], data["department_id"], data["item_id"])
        out.setdefault(key, Row()).add(_reduce(data))
    return out


def rating_contributions(qs: QuerySet[Rating]) -> dict[Key, Any]:
    out: dict[Key, Any] = {}
    rows = (
        qs.values("case__accepted_on", "case__department_id", "case__item_id")
        .annotate(
            ratings=Count("id", filter=Q(voided=False)),
            good_ratings=Count("id", filter=Q(voided=False, overall__gte=3)),
        )
        .order_by()
    )
    for data in rows:
        accepted_on = data["case__accepted_on"]
        assert accepted_on is not None  # only accepted cases are rolled up
        key: Key = (accepted_on, data["case__department_id"], data["case__item_id"])
        row = out.setdefault(key, Row())
        row.ratings += data["ratings"]
        row.good_ratings += data["good_ratings"]
    return out


def _merge(into: dict[Key, Any], other: dict[Key, Any]) -> None:
    for key, row in other.items():
        into.setdefault(key, Row()).add(row)


def _apply(parts: dict[Key, Any], *, sign: int) -> None:
    """Add (sign=1) or take out (sign=-1) contributions: read the touched rows, add, upsert in bulk."""
    if not parts:
        return
    dates = {k[0] for k in parts}
    existing = {
        (r.accepted_on, r.department_id, r.item_id): r
        for r in FigureRollup.objects.filter(accepted_on__in=dates)
    }
    out = []
    for key, part in parts.items():
        # new instances only (no pk): one INSERT … ON CONFLICT (key) DO UPDATE for old and new keys alike
        row = FigureRollup(accepted_on=key[0], department_id=key[1], item_id=key[2])
        old = existing.get(key)
        for name in SUMS:
            setattr(row, name, (getattr(old, name) if old else 0) + sign * getattr(part, name))
        out.append(row)
    FigureRollup.objects.bulk_create(
        out,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["accepted_on", "department", "item"],
        update_fields=list(SUMS),
    )


# --- keeping the rollup true when a rolled-up row changes -----------------------------------------


def _take_out_case(pk: int) -> None:
    """Take a rolled-up case (and its rolled-up rating, keyed by the case) out of the rollup, as the
    database holds it now; both are live again."""
    case_qs = Case.objects.filter(pk=pk, rolled_up_at__isnull=False)
    rating_qs = Rating.objects.filter(case_id=pk, rolled_up_at__isnull=False)
    parts = case_contributions(case_qs, as_of=timezone.now())
    _merge(parts, rating_contributions(rating_qs))
    _apply(parts, sign=-1)
    rating_qs.update(rolled_up_at=None)
    case_qs.update(rolled_up_at=None)


def _take_out_rating(pk: int) -> None:
    qs = Rating.objects.filter(pk=pk, rolled_up_at__isnull=False)
    _apply(rating_contributions(qs), sign=-1)
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


@receiver(pre_delete, sender=Case, dispatch_uid="supervision.rollup.case_pre_delete")
def _case_pre_delete(sender: Any, instance: Case, **kwargs: Any) -> None:
    _take_out_case(instance.pk)


@receiver(pre_save, sender=Rating, dispatch_uid="supervision.rollup.rating_pre_save")
def _rating_pre_save(sender: Any, instance: Rating, raw: bool = False, **kwargs: Any) -> None:
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
