"""Reads scoped by role, and the satisfaction / complaint figures of DESIGN §5 (voided ratings excluded)."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from portal.accounts.constants import Role
from portal.accounts.models import User

from .models import Complaint, Rating, RectificationTicket


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


def complaint_visible(*, user: User) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("department", "handler", "case")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.INSPECTOR):
        return qs
    rules = Q(complainant=user)
    if user.has_role(Role.HEAD) and user.department_id:
        rules |= Q(department_id=user.department_id)
    return qs.filter(rules)


def complaint_attachments_visible(*, user: User, complaint: Complaint) -> bool:
    """Attachments may carry the complainant's personal data: the efficiency office (which handles every
    complaint) and the complainant see them; the department complained about does not."""
    if not user.is_authenticated:
        return False
    return user.has_role(Role.INSPECTOR) or (
        complaint.complainant_id is not None and complaint.complainant_id == user.pk
    )


def ticket_visible(*, user: User) -> QuerySet[RectificationTicket]:
    qs = RectificationTicket.objects.select_related("rating", "rating__case", "department")
    if user.has_role(Role.INSPECTOR):
        return qs
    if user.department_id and user.has_role(Role.HEAD, Role.REVIEWER, Role.DECIDER):
        return qs.filter(department_id=user.department_id)
    return qs.none()


def rating_visible(*, user: User) -> QuerySet[Rating]:
    qs = Rating.objects.select_related("case", "department", "item")
    if user.has_role(Role.INSPECTOR):
        return qs
    if user.department_id and user.has_role(Role.HEAD, Role.REVIEWER, Role.DECIDER):
        return qs.filter(department_id=user.department_id)
    return qs.filter(applicant=user)
