"""Reads of cases, scoped to what the user may see (STYLE "Selectors")."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from portal.accounts.constants import Role
from portal.accounts.models import User

from . import deadlines
from .constants import CaseState
from .filters import CaseFilter
from .models import Case, SubApproval
from .permissions import case_scope


def case_visible(*, user: User | AnonymousUser) -> QuerySet[Case]:
    """The cases ``user`` may see (``permissions.case_scope``), with what every page shows of them."""
    qs = Case.objects.select_related("item", "department", "applicant", "window", "clerk", "holder")
    scope = case_scope(user)
    if not user.is_authenticated:
        return qs.none()
    return qs if scope is None else qs.filter(scope)


def case_list(*, user: User | AnonymousUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see, filtered (``filters.CaseFilter``: state, item, department, overdue,
    due soon, sort). A filter with a bad value is left out."""
    cases: QuerySet[Case] = CaseFilter(filters or {}, queryset=case_visible(user=user)).qs
    return cases


def case_get(*, user: User | AnonymousUser, reference: str) -> Case:
    case = case_visible(user=user).filter(reference=reference).first()
    if case is None:
        raise Http404
    return case


def co_approval_queue(*, user: User | AnonymousUser, pending: bool = False) -> QuerySet[SubApproval]:
    """并联: the parts of parallel cases that the user's department co-handles (its own queue), unanswered
    first, soonest due first. Nobody else's parts: the lead department reads them on the case page."""
    if (
        not user.is_authenticated
        or not isinstance(user, User)
        or not user.department_id
        or not user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD)
    ):
        return SubApproval.objects.none()
    qs = SubApproval.objects.filter(department_id=user.department_id).select_related(
        "case", "case__item", "case__department", "department", "answered_by"
    )
    if pending:
        qs = qs.filter(answer="", case__state__in=["accepted", "in_review", "awaiting_decision", "suspended"])
    return qs.order_by("answered_at", "due_on", "id")


def co_approval_get(*, user: User | AnonymousUser, pk: int) -> SubApproval:
    """One co-department part the user may see: of their own department, or of a case of it (lead)."""
    sub = (
        SubApproval.objects.select_related("case", "case__item", "case__department", "department")
        .filter(pk=pk)
        .first()
    )
    if sub is None or not case_visible(user=user).filter(pk=sub.case_id).exists():
        raise Http404
    return sub


def today() -> datetime.date:
    return timezone.localdate()


def digest_lines(user: User) -> list[str]:
    """Daily digest (notifications' DIGEST_PROVIDERS): what is due for this member of staff today and
    tomorrow, what is overdue, and what waits at the window."""
    today_ = today()
    lines: list[str] = []
    if user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD) and user.department_id:
        mine = Case.objects.filter(department_id=user.department_id)
        overdue = mine.filter(deadlines.overdue_q(today_)).count()
        due = mine.filter(deadlines.due_soon_q(today_)).count()
        if overdue or due:
            lines.append(f"本部门在办件：已超期 {overdue} 件，今明两日到期 {due} 件。")
    if user.has_role(Role.CLERK):
        waiting = Case.objects.filter(state=CaseState.SUBMITTED).count()
        if waiting:
            lines.append(f"综合受理窗口待受理申请 {waiting} 件。")
    if user.has_role(Role.INSPECTOR):
        overdue_all = Case.objects.filter(deadlines.overdue_q(today_)).count()
        if overdue_all:
            lines.append(f"全市超期在办件 {overdue_all} 件。")
    return lines
