"""How a package application (一件事, DESIGN §10) reads: its cases, each with its state and due date (a date
and the working days left), the overall state and the latest due date. Reads only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from intake.models import PackageApplication

from . import deadlines
from .constants import CLOSED_STATES, DECIDED_STATES, CaseState, DeliveryMethod, Outcome
from .models import Case
from .presentation import DueRow, answer_by, days_left_text, step_bar


class PackageState:
    IN_PROGRESS = "in_progress"
    ALL_DECIDED = "all_decided"
    PARTLY_DENIED = "partly_denied"

    LABELS = {
        IN_PROGRESS: _("办理中"),
        ALL_DECIDED: _("全部办结"),
        PARTLY_DENIED: _("部分不予许可"),
    }


# Cases that end the item without a licence: a denial, or an end without a decision, or a revoked approval.
_NOT_GRANTED = {
    CaseState.DENIED,
    CaseState.NOT_ACCEPTED,
    CaseState.WITHDRAWN,
    CaseState.TERMINATED,
    CaseState.REVOKED,
}
_NOT_GRANTED_OUTCOMES = {Outcome.DENIED, Outcome.NOT_ACCEPTED, Outcome.WITHDRAWN, Outcome.TERMINATED}


def not_granted(case: Case) -> bool:
    """The item ended without its licence (a delivered case keeps its outcome: a delivered denial)."""
    return case.state in _NOT_GRANTED or case.outcome in _NOT_GRANTED_OUTCOMES


def package_state(cases: list[Case]) -> str:
    """办理中 while any of its cases is open; once all are closed, 全部办结 when every item was granted, else
    部分不予许可."""
    if not cases or any(c.state not in CLOSED_STATES for c in cases):
        return PackageState.IN_PROGRESS
    if any(not_granted(c) for c in cases):
        return PackageState.PARTLY_DENIED
    return PackageState.ALL_DECIDED


def package_cases(bundle: PackageApplication) -> list[Case]:
    """The package's cases in the order of its items (one per item)."""
    cases = list(
        Case.objects.filter(application__package_application=bundle).select_related(
            "item", "department", "application"
        )
    )
    return in_item_order(bundle, cases)


def in_item_order(bundle: PackageApplication, cases: list[Case]) -> list[Case]:
    order = {pi.item_id: pi.order for pi in bundle.package.package_items.all()}
    return sorted(cases, key=lambda c: (order.get(c.item_id, 0), c.pk))


def own_package_applications(user: Any) -> QuerySet[PackageApplication]:
    """The user's own package applications, newest first, with their cases."""
    return (
        PackageApplication.objects.filter(applicant=user)
        .select_related("package")
        .prefetch_related(
            "package__package_items",
            Prefetch(
                "item_applications",
                queryset=_item_applications(),
            ),
        )
        .order_by("-submitted_at")
    )


def _item_applications() -> Any:
    from intake.models import Application

    return Application.objects.select_related("case", "item", "item__department").order_by("id")


@dataclass
class PackageRow:
    case: Case
    item_name: str
    department: str
    state: str
    state_label: Any
    due: DueRow | None
    steps: list[Any]


@dataclass
class PackageView:
    bundle: PackageApplication
    rows: list[PackageRow] = field(default_factory=list)
    state: str = PackageState.IN_PROGRESS
    state_label: Any = ""
    latest_due: DueRow | None = None
    answer_by: DueRow | None = None
    answer_on: datetime.date | None = None  # the day the window must answer the package (Art. 32)
    awaiting_window: bool = False
    concluded_on: datetime.date | None = None  # the day the last item was decided, once all are
    next_step: Any = ""  # what the applicant does next, in one sentence


def _due_of(case: Case, today: datetime.date) -> DueRow | None:
    """The date that matters for the item now: the window's answer date before acceptance, the promised date
    while it runs; none once it is closed."""
    if case.state in (CaseState.SUBMITTED,):
        start = case.answer_from or case.received_on
        if start is None:
            return None
        due = answer_by(start).date
        left = deadlines.remaining(due=due, today=today, unit="working")
        return DueRow(_("窗口答复期限"), due, days_left_text(left, "working"), deadlines.colour(left))
    if case.concluded_on is not None:  # decided: the day it was, beside the promised date
        return DueRow(_("办结日期"), case.concluded_on, "", "", note=case.promised_due or "")
    if case.promised_due is None:
        return None
    running = (
        case.concluded_on is None and case.state not in _NOT_GRANTED and case.state not in DECIDED_STATES
    )
    left = deadlines.remaining(due=case.promised_due, today=today, unit=case.limit_unit) if running else None
    return DueRow(
        _("承诺办结日期"), case.promised_due, days_left_text(left, case.limit_unit), deadlines.colour(left)
    )


def package_view(
    bundle: PackageApplication, today: datetime.date, cases: list[Case] | None = None
) -> PackageView:
    cases = package_cases(bundle) if cases is None else in_item_order(bundle, cases)
    view = PackageView(bundle=bundle, answer_on=answer_by_of(bundle))
    for case in cases:
        view.rows.append(
            PackageRow(
                case=case,
                item_name=case.item.name,
                department=case.department.name,
                state=str(case.state),
                state_label=case.get_state_display(),
                due=_due_of(case, today),
                steps=step_bar(case),
            )
        )
    view.state = package_state(cases)
    view.state_label = PackageState.LABELS[view.state]
    view.awaiting_window = any(
        c.state in (CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED) for c in cases
    )
    dated = [c for c in cases if c.promised_due is not None]
    if dated:  # the latest promised date of its items; days left while the package is in progress
        last = max(dated, key=lambda c: c.promised_due or datetime.date.min)
        assert last.promised_due is not None
        open_ = view.state == PackageState.IN_PROGRESS
        left = (
            deadlines.remaining(due=last.promised_due, today=today, unit=last.limit_unit) if open_ else None
        )
        view.latest_due = DueRow(
            _("最晚办结日期"),
            last.promised_due,
            days_left_text(left, last.limit_unit),
            deadlines.colour(left),
        )
    if any(c.state == CaseState.SUBMITTED for c in cases):
        submitted = [r.due for r in view.rows if r.case.state == CaseState.SUBMITTED and r.due is not None]
        view.answer_by = max(submitted, key=lambda r: r.date) if submitted else None
    if view.state != PackageState.IN_PROGRESS and cases and all(c.concluded_on for c in cases):
        view.concluded_on = max(c.concluded_on for c in cases if c.concluded_on)
        view.next_step = _next_step(bundle, cases)
    return view


def _next_step(bundle: PackageApplication, cases: list[Case]) -> Any:
    """Once every item is decided: how the results reach the applicant, in one plain sentence."""
    if all(c.delivered_at for c in cases):
        return _("办理结果已全部送达。")
    method = bundle.delivery_method
    if method == DeliveryMethod.POST:
        return _("办理结果将免费邮寄到您填写的地址，寄出后会短信告知快递单号。")
    if method == DeliveryMethod.ELECTRONIC:
        return _("电子证照已可在“我的证照”中查看和下载。")
    return _("请携带本人身份证件到政务服务中心综合受理窗口，一次领取全部办理结果。")


def answer_by_of(bundle: PackageApplication) -> datetime.date:
    """The day the window must answer the package (Art. 32: 5 working days from the day it was received)."""
    from django.utils import timezone

    return answer_by(timezone.localdate(bundle.submitted_at)).date
