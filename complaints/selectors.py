"""Reads scoped by role, and the satisfaction / complaint figures of DESIGN §5 (voided ratings excluded)."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from portal.accounts.models import User

from . import permissions as perm
from .filters import ComplaintFilter
from .models import Complaint, Rating, RectificationTicket
from .permissions import complaint_scope, rating_scope, ticket_scope


def satisfaction(ratings: QuerySet[Rating]) -> dict[str, Any]:
    agg = ratings.filter(voided=False).aggregate(n=Count("id"), good=Count("id", filter=Q(overall__gte=3)))
    n, good = agg["n"], agg["good"]
    return {"ratings": n, "good": good, "satisfaction": round(good / n, 4) if n else None}


def complaint_counts(complaints: QuerySet[Complaint]) -> dict[str, Any]:
    agg = complaints.aggregate(
        received=Count("id"), concluded=Count("id", filter=Q(concluded_at__isnull=False))
    )
    r, c = agg["received"], agg["concluded"]
    return {"received": r, "concluded": c, "completion_rate": round(c / r, 4) if r else None}


def _scoped(qs: QuerySet[Any], scope: Q | None) -> QuerySet[Any]:
    return qs if scope is None else qs.filter(scope)


def complaint_visible(*, user: User | AnonymousUser) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("department", "handler", "case")
    return _scoped(qs, complaint_scope(user))


def complaint_attachments_visible(*, user: User | AnonymousUser, complaint: Complaint) -> bool:
    """Attachments may carry the complainant's personal data: the efficiency office (which handles every
    complaint) and the complainant see them; the department complained about does not."""
    return perm.is_efficiency_office(user) or perm.is_own_complainant(complaint, user)


def complaint_list(
    *, user: User | AnonymousUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[Complaint]:
    """The complaints ``user`` may see, filtered (``filters.ComplaintFilter``)."""
    complaints: QuerySet[Complaint] = ComplaintFilter(filters or {}, queryset=complaint_visible(user=user)).qs
    return complaints


def ticket_visible(*, user: User | AnonymousUser) -> QuerySet[RectificationTicket]:
    qs = RectificationTicket.objects.select_related("rating", "rating__case", "department")
    return _scoped(qs, ticket_scope(user))


def rating_visible(*, user: User | AnonymousUser) -> QuerySet[Rating]:
    qs = Rating.objects.select_related("case", "department", "item")
    return _scoped(qs, rating_scope(user))
