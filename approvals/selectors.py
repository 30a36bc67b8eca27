"""Reads of cases, scoped to what the user may see (STYLE "Selectors")."""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal.accounts.constants import Role
from portal.accounts.models import User

from .constants import CLOSED_STATES, CaseState
from .models import Case

INTAKE_STATES = [CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED]


def case_visible(*, user: User) -> QuerySet[Case]:
    qs = Case.objects.select_related("item", "department", "applicant", "window", "clerk", "holder")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.INSPECTOR, Role.CLERK):
        return qs
    rules = Q(applicant=user)
    if user.department_id and user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD):
        # co-approvals as a subquery, not a join: no duplicate rows, so no DISTINCT over every column,
        # and the department's cases come straight from the (department, state) index
        from .models import SubApproval

        co = SubApproval.objects.filter(department_id=user.department_id).values("case_id")
        rules |= Q(department_id=user.department_id) | Q(pk__in=co)
    return qs.filter(rules)


def case_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    filters = filters or {}
    qs = case_visible(user=user)
    today = timezone.localdate()
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("item"):
        qs = qs.filter(item__code=filters["item"])
    if filters.get("department"):
        qs = qs.filter(department__code=filters["department"])
    if filters.get("overdue") in (True, "1", "true"):
        qs = qs.filter(promised_due__lt=today).exclude(state__in=list(CLOSED_STATES))
    if filters.get("due_soon") in (True, "1", "true"):
        from portal.workcalendar.services import add_days

        soon = add_days(today, 1).date
        qs = qs.filter(promised_due__gte=today, promised_due__lte=soon).exclude(state__in=list(CLOSED_STATES))
    return qs.order_by("promised_due", "submitted_at", "id") if filters.get("sort") == "due" else qs


def case_get(*, user: User, reference: str) -> Case:
    case = case_visible(user=user).filter(reference=reference).first()
    if case is None:
        raise Http404
    return case


def today() -> datetime.date:
    return timezone.localdate()


def digest_lines(user: User) -> list[str]:
    """Daily digest (notifications' DIGEST_PROVIDERS): what is due for this member of staff today and
    tomorrow, what is overdue, and what waits at the window."""
    from portal.workcalendar.services import add_days

    today_ = today()
    soon = add_days(today_, 1).date
    lines: list[str] = []
    running = Case.objects.filter(
        state__in=[CaseState.ACCEPTED, CaseState.IN_REVIEW, CaseState.AWAITING_DECISION]
    )
    if user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD) and user.department_id:
        mine = running.filter(department_id=user.department_id)
        overdue = mine.filter(promised_due__lt=today_).count()
        due = mine.filter(promised_due__gte=today_, promised_due__lte=soon).count()
        if overdue or due:
            lines.append(f"本部门在办件：已超期 {overdue} 件，今明两日到期 {due} 件。")
    if user.has_role(Role.CLERK):
        waiting = Case.objects.filter(state=CaseState.SUBMITTED).count()
        if waiting:
            lines.append(f"综合受理窗口待受理申请 {waiting} 件。")
    if user.has_role(Role.INSPECTOR):
        overdue_all = running.filter(promised_due__lt=today_).count()
        if overdue_all:
            lines.append(f"全市超期在办件 {overdue_all} 件。")
    return lines
