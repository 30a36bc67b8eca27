"""The filters of the complaint lists (the efficiency office's queue), as one FilterSet."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from .constants import ComplaintState
from .models import Complaint


class ComplaintFilter(django_filters.FilterSet):
    # BooleanWidget: the queue's link sends "1", the API "true"
    open = django_filters.BooleanFilter(
        method="filter_open", label=_("只看未办结的投诉"), widget=BooleanWidget()
    )
    state = django_filters.ChoiceFilter(choices=ComplaintState.choices, label=_("状态"))

    class Meta:
        model = Complaint
        fields: list[str] = []

    def filter_open(
        self, queryset: QuerySet[Complaint], name: str, value: bool | None
    ) -> QuerySet[Complaint]:
        return queryset.filter(concluded_at__isnull=True) if value else queryset
