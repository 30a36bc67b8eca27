"""Reads of the public catalogue: only published items; search works on Chinese substrings."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from ..constants import ItemStatus
from ..models import Item


def item_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Item]:
    filters = filters or {}
    qs = (
        Item.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("department")
        .prefetch_related("themes")
    )
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(conditions__icontains=q)
            | Q(department__name__icontains=q)
            | Q(legal_basis__icontains=q)
        )
    if filters.get("department"):
        qs = qs.filter(department__code=filters["department"])
    if filters.get("theme"):
        qs = qs.filter(themes__code=filters["theme"])
    mode = filters.get("mode")
    if mode in ("instant", "promised", "deferred", "commitment", "parallel"):
        qs = qs.filter(**{f"mode_{mode}": True})
    return qs.order_by("department__code", "code").distinct()


def item_get(*, code: str) -> Item | None:
    return (
        Item.objects.filter(status=ItemStatus.PUBLISHED, code=code)
        .select_related("department")
        .prefetch_related("materials", "steps", "form_fields", "themes", Prefetch("co_departments"))
        .first()
    )
