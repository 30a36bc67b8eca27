"""The filters of the case lists — the API's ``GET /api/v1/cases/`` and the worklist pages — as one
FilterSet, so the schema documents them and "overdue" means one thing (``deadlines.overdue_q``)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from . import deadlines
from .constants import CaseState
from .models import Case


class CaseFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CaseState.choices, label=_("状态"))
    item = django_filters.CharFilter(field_name="item__code", label=_("事项编码"))
    department = django_filters.CharFilter(field_name="department__code", label=_("部门编码"))
    # BooleanWidget: the pages' checkboxes send "1", the API "true" (Django's NullBooleanSelect, the plain
    # FilterSet's default, reads "1" as "no filter")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("已超期（在办且过了承诺办结日期）"),
        widget=BooleanWidget(),
    )
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon",
        label=_("即将到期（今明两个工作日内）"),
        widget=BooleanWidget(),
    )
    sort = django_filters.ChoiceFilter(
        choices=[("due", _("承诺办结日期最近的在前"))], method="filter_sort", label=_("排序")
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(deadlines.overdue_q(timezone.localdate())) if value else queryset

    def filter_due_soon(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(deadlines.due_soon_q(timezone.localdate())) if value else queryset

    def filter_sort(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.order_by("promised_due", "submitted_at", "id") if value == "due" else queryset
