"""The filters of the catalogue (the item list page and ``GET /api/v1/items/``), as one FilterSet the
schema documents: search by Chinese substring, department, theme, handling mode."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .constants import HandlingMode
from .models import Item


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索（事项名称、编码、条件、部门、依据）"))
    department = django_filters.CharFilter(field_name="department__code", label=_("部门编码"))
    theme = django_filters.CharFilter(field_name="themes__code", label=_("主题编码"))
    mode = django_filters.ChoiceFilter(
        choices=HandlingMode.choices, method="filter_mode", label=_("办理方式")
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(conditions__icontains=q)
            | Q(department__name__icontains=q)
            | Q(legal_basis__icontains=q)
        )

    def filter_mode(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        return queryset.filter(**{f"mode_{value}": True}) if value else queryset
