"""Reads of cases, scoped to what the user may see (STYLE "Selectors")."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.constants import MaterialCheck
from intake.models import ApplicationMaterial, Material
from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError

from . import deadlines
from .constants import CaseState, MaterialVerdict
from .filters import CaseFilter, SubApprovalFilter
from .models import Case, MaterialReview, SubApproval
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


def co_approval_queue(
    *, user: User | AnonymousUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[SubApproval]:
    """并联: the parts of parallel cases that the user's department co-handles (its own queue), unanswered
    first, soonest due first, filtered (``filters.SubApprovalFilter``: pending). Nobody else's parts: the
    lead department reads them on the case page."""
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
    queue: QuerySet[SubApproval] = SubApprovalFilter(filters or {}, queryset=qs).qs
    return queue.order_by("answered_at", "due_on", "id")


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


# --- the window's material check (材料核验) ---------------------------------------------------------------


def checkable_materials(case: Case) -> list[Material]:
    """The materials the window checks: those the item asks for, and any retired one a file was given for."""
    uploaded = set(
        ApplicationMaterial.objects.filter(application_id=case.application_id).values_list(
            "material_id", flat=True
        )
    )
    return [m for m in Material.objects.filter(item_id=case.item_id) if m.active or m.pk in uploaded]


def unchecked_supplied_files(case: Case) -> list[ApplicationMaterial]:
    """Files supplied after the application was submitted (in answer to a correction notice, or 容缺 ones)
    that the window has not checked yet."""
    submitted_at = case.application.submitted_at or case.submitted_at
    return list(
        ApplicationMaterial.objects.filter(
            application_id=case.application_id,
            uploaded_at__gt=submitted_at,
            check_result=MaterialCheck.PENDING,
        )
    )


@dataclass
class MaterialRow:
    """One material of a case as the window checks it: its files, its check so far, the files supplied
    since (unchecked)."""

    material: Material
    files: list[ApplicationMaterial] = field(default_factory=list)
    review: MaterialReview | None = None
    unchecked: list[ApplicationMaterial] = field(default_factory=list)
    # the case page's: what the clerk sent last time, if the check was refused, and the messages per field
    kept: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_fix(self) -> bool:
        return self.review is not None and self.review.verdict == MaterialVerdict.FIX


def material_rows(*, case: Case) -> list[MaterialRow]:
    """Every material the window checks on ``case``, in the item's order, with its files and its check."""
    rows = {m.pk: MaterialRow(m) for m in checkable_materials(case)}
    unchecked = {f.pk for f in unchecked_supplied_files(case)}
    for f in ApplicationMaterial.objects.filter(application_id=case.application_id).order_by("uploaded_at"):
        row = rows.get(f.material_id or 0)
        if row is not None:
            row.files.append(f)
            if f.pk in unchecked:
                row.unchecked.append(f)
    for review in MaterialReview.objects.filter(case=case):
        if review.material_id in rows:
            rows[review.material_id].review = review
    return list(rows.values())


def correction_items(*, case: Case, material_ids: list[int]) -> list[dict[str, str]]:
    """The lines of a correction notice for the materials the clerk ticked, each with the problem the
    material check recorded (a material never given a file: "未提交"). A ticked material that was given a
    file but has no problem written down is refused: the notice must say what is wrong."""
    rows = {row.material.pk: row for row in material_rows(case=case)}
    items: list[dict[str, str]] = []
    unexplained: list[str] = []
    for pk in material_ids:
        row = rows.get(pk)
        if row is None:
            raise ApplicationError(_("该材料不属于此事项。"), extra={"materials": [_("不是有效的选项。")]})
        if row.review is not None and row.review.problem:
            problem = row.review.problem
        elif not row.files:
            problem = str(_("未提交该材料"))
        else:
            unexplained.append(row.material.name)
            continue
        items.append({"name": row.material.name, "problem": problem})
    if unexplained:
        names = "、".join(unexplained)
        raise ApplicationError(
            _("请先在材料核验中写明“%(names)s”存在的问题。") % {"names": names},
            extra={"materials": [_("请先在材料核验中写明“%(names)s”存在的问题。") % {"names": names}]},
        )
    return items
