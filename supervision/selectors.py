"""Supervision reads, scoped to what the user may see (inspector: all; head and department staff:
their own department; a case holder: the alerts of the cases they hold)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from approvals.constants import RUNNING_STATES
from approvals.models import Case
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import PermissionDeniedError

from .models import AccountabilityFinding, Alert


def is_supervisor(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.INSPECTOR, Role.HEAD))


def figures_scope(*, user: User) -> int | None:
    """The department a user may see figures of: None for the efficiency office (every department)."""
    if not user.is_authenticated:
        raise PermissionDeniedError("请先登录。")
    if user.has_role(Role.INSPECTOR):
        return None
    if user.has_role(Role.HEAD) and user.department_id:
        return int(user.department_id)
    raise PermissionDeniedError("只有效能办和部门负责人可以查看监察统计。")


def alert_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Alert]:
    filters = filters or {}
    qs = Alert.objects.select_related("case", "case__item", "case__holder", "department")
    if user.has_role(Role.INSPECTOR):
        pass
    elif user.department_id and user.has_role(Role.HEAD, Role.REVIEWER, Role.DECIDER):
        qs = qs.filter(Q(department_id=user.department_id) | Q(case__holder=user))
    else:
        qs = qs.filter(case__holder=user)
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("open") in ("1", "true", True):
        qs = qs.filter(closed_at__isnull=True)
    if filters.get("department"):
        qs = qs.filter(department_id=filters["department"])
    return qs.order_by("-raised_at", "-id")


def overdue_cases(*, department_id: int | None = None) -> QuerySet[Case]:
    """Open cases past their promised due date, most late first."""
    today = timezone.localdate()
    qs = Case.objects.filter(
        state__in=[str(s) for s in RUNNING_STATES], promised_due__lt=today
    ).select_related("item", "department", "holder")
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("promised_due", "id")


def finding_list(*, user: User) -> QuerySet[AccountabilityFinding]:
    qs = AccountabilityFinding.objects.select_related("department", "person", "alert", "case", "recorded_by")
    if user.has_role(Role.INSPECTOR):
        return qs
    if user.has_role(Role.HEAD) and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()
