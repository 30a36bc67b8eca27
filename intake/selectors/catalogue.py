"""Reads of the public catalogue: only published items; search works on Chinese substrings."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from ..constants import ItemStatus
from ..filters import ItemFilter
from ..models import Item


def item_published() -> QuerySet[Item]:
    """The published items, in catalogue order (department, code)."""
    return (
        Item.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("department")
        .prefetch_related("themes")
        .order_by("department__code", "code")
        .distinct()
    )


def item_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Item]:
    """The published items, filtered (``filters.ItemFilter``: q, department, theme, mode)."""
    items: QuerySet[Item] = ItemFilter(filters or {}, queryset=item_published()).qs
    return items


def item_get(*, code: str) -> Item | None:
    return (
        Item.objects.filter(status=ItemStatus.PUBLISHED, code=code)
        .select_related("department")
        .prefetch_related("materials", "steps", "form_fields", "themes", Prefetch("co_departments"))
        .first()
    )
