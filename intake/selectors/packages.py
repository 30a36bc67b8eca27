"""Reads of the package catalogue (一件事, DESIGN §10)."""

from django.db.models import Prefetch, QuerySet

from ..constants import ItemStatus
from ..models import Item, Package, PackageItem


def _with_terms(qs: QuerySet[Package]) -> QuerySet[Package]:
    items = Item.objects.select_related("department").prefetch_related("materials", "form_fields")
    return qs.prefetch_related(
        Prefetch(
            "package_items",
            queryset=PackageItem.objects.select_related("item")
            .prefetch_related(Prefetch("item", queryset=items))
            .order_by("order", "id"),
        ),
        "fields",
        "materials",
    )


def package_published() -> QuerySet[Package]:
    """Published packages whose items are all published (a package with a retired item takes no
    applications, so it is not offered)."""
    return _with_terms(
        Package.objects.filter(published=True).exclude(
            package_items__item__status__in=[ItemStatus.DRAFT, ItemStatus.RETIRED]
        )
    ).order_by("order", "code")


def package_get(*, code: str) -> Package | None:
    return package_published().filter(code=code).first()
