"""The filters of the alert list (page and API), as one FilterSet the schema documents."""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from .constants import AlertLevel, AlertState
from .models import Alert


class IdFilter(django_filters.Filter):
    """A row id: a whole number that fits the column (a larger one is a 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class AlertFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AlertLevel.choices, label=_("预警级别"))
    state = django_filters.ChoiceFilter(choices=AlertState.choices, label=_("状态"))
    # BooleanWidget: the page's checkbox and links send "1", the API "true"
    open = django_filters.BooleanFilter(
        method="filter_open", label=_("只看未关闭的预警"), widget=BooleanWidget()
    )
    department = IdFilter(field_name="department_id", label=_("部门（编号）"))

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_open(self, queryset: QuerySet[Alert], name: str, value: bool | None) -> QuerySet[Alert]:
        return queryset.filter(closed_at__isnull=True) if value else queryset
