"""The filters of the case lists — the API's ``GET /api/v1/cases/`` and the worklist pages — as one
FilterSet, so the schema documents them and "overdue" means one thing (``deadlines.overdue_q``); the
results queue's own "overdue" (the licence's Art. 44 days) and the co-department queue's "pending"."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from . import deadlines
from .constants import RUNNING_STATES, CaseState
from .models import Case, SubApproval


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


class ResultsQueueFilter(CaseFilter):
    """统一出件 (decided cases waiting to be handed out): here "overdue" and "due soon" are the licence's 10
    working days (Art. 44, ``deadlines.licence_overdue_q``), not the promised date."""

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(deadlines.licence_overdue_q(timezone.localdate())) if value else queryset

    def filter_due_soon(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(deadlines.licence_due_soon_q(timezone.localdate())) if value else queryset


class SubApprovalFilter(django_filters.FilterSet):
    """The co-department queue (并联): ``pending`` keeps the parts still waiting for an answer."""

    pending = django_filters.BooleanFilter(
        method="filter_pending", label=_("只看待答复的"), widget=BooleanWidget()
    )

    class Meta:
        model = SubApproval
        fields: list[str] = []

    def filter_pending(self, queryset: QuerySet[SubApproval], name: str, value: Any) -> QuerySet[SubApproval]:
        return queryset.filter(answer="", case__state__in=list(RUNNING_STATES)) if value else queryset
