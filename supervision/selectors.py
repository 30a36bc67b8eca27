"""Supervision reads, scoped to what the user may see (inspector: all; head and department staff:
their own department; a case holder: the alerts of the cases they hold)."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from approvals.deadlines import overdue_q
from approvals.models import Case
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import PermissionDeniedError

from .filters import AlertFilter
from .models import AccountabilityFinding, Alert
from .permissions import alert_scope, finding_scope, is_efficiency_office, is_supervisor


def figures_scope(*, user: User | AnonymousUser) -> int | None:
    """The department a user may see figures of: None for the efficiency office (every department)."""
    if not user.is_authenticated:
        raise PermissionDeniedError("请先登录。")
    if is_efficiency_office(user):
        return None
    if user.has_role(Role.HEAD) and user.department_id:
        return int(user.department_id)
    raise PermissionDeniedError("只有效能办和部门负责人可以查看监察统计。")


def alert_list(*, user: User | AnonymousUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Alert]:
    """The alerts ``user`` may see (``permissions.alert_scope``), filtered (``filters.AlertFilter``),
    newest first."""
    qs = Alert.objects.select_related("case", "case__item", "case__holder", "department")
    if not user.is_authenticated:
        return qs.none()
    scope = alert_scope(user)
    if scope is not None:
        qs = qs.filter(scope)
    alerts: QuerySet[Alert] = AlertFilter(filters or {}, queryset=qs).qs
    return alerts.order_by("-raised_at", "-id")


def overdue_cases(*, department_id: int | None = None, today: datetime.date | None = None) -> QuerySet[Case]:
    """Overdue cases (``approvals.deadlines.overdue_q``) on ``today`` (default: the local date), most late
    first."""
    today = today or timezone.localdate()
    qs = Case.objects.filter(overdue_q(today)).select_related("item", "department", "holder")
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("promised_due", "id")


def finding_list(*, user: User) -> QuerySet[AccountabilityFinding]:
    qs = AccountabilityFinding.objects.select_related("department", "person", "alert", "case", "recorded_by")
    scope = finding_scope(user)
    return qs if scope is None else qs.filter(scope)


__all__ = ["alert_list", "figures_scope", "finding_list", "is_supervisor", "overdue_cases"]
