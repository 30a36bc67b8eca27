"""Packages (一件事, DESIGN §10) in the supervision figures, beside the cases: how many were received in a
period, how many were concluded by "as of" (every case of the package closed), and the mean working days
from the package's submission to its last result. The package's cases count in the usual case figures
as every other case does."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from approvals.constants import CLOSED_STATES
from approvals.models import Case
from intake.models import Application, PackageApplication
from portal.workcalendar import services as calendar
from portal.workcalendar.constants import LimitUnit


@dataclass
class PackageFigures:
    received: int
    concluded: int
    mean_days: Decimal | None  # working days from submission to the last result, over concluded packages


def _closed_on(case: Case, as_of: datetime.datetime) -> datetime.date | None:
    """The day the case closed, if it had by ``as_of`` (a decision, or an end without one)."""
    if case.concluded_at is not None and case.concluded_at <= as_of:
        return case.concluded_on or timezone.localdate(case.concluded_at)
    if (
        case.state in CLOSED_STATES
        and case.ended_on is not None
        and case.ended_on <= timezone.localdate(as_of)
    ):
        return case.ended_on
    return None


def package_figures(
    *,
    submitted_from: datetime.date,
    submitted_to: datetime.date,
    as_of: datetime.datetime,
    department_id: int | None = None,
) -> PackageFigures:
    """Packages submitted between the two days (Asia/Shanghai, both included) and before ``as_of``; a
    department sees the packages that hold one of its cases."""
    start = timezone.make_aware(datetime.datetime.combine(submitted_from, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(submitted_to + datetime.timedelta(days=1), datetime.time.min)
    )
    bundles = PackageApplication.objects.filter(submitted_at__gte=start, submitted_at__lt=min(end, as_of))
    if department_id is not None:
        bundles = bundles.filter(item_applications__case__department_id=department_id).distinct()
    bundles = bundles.prefetch_related(
        Prefetch("item_applications", queryset=Application.objects.select_related("case"))
    )
    received = concluded = 0
    days: list[int] = []
    for bundle in bundles:
        received += 1
        cases = [a.case for a in bundle.item_applications.all() if hasattr(a, "case")]
        closed = [_closed_on(c, as_of) for c in cases]
        if not cases or any(d is None for d in closed):
            continue
        concluded += 1
        last = max(d for d in closed if d is not None)
        days.append(
            calendar.count_days(timezone.localdate(bundle.submitted_at), last, unit=LimitUnit.WORKING)
        )
    mean = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.01")) if days else None
    return PackageFigures(received=received, concluded=concluded, mean_days=mean)
