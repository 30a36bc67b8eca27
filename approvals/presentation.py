"""How a case reads to a person: the step bar (申请 → 受理 → 审查 → 决定 → 办结), every due date as a date and as
days left (working or natural days, said which), and what a suspension means for the clock. Reads only;
the dates come from the case and the work-calendar service (approvals.deadlines)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.workcalendar import services as calendar
from portal.workcalendar.constants import LimitUnit

from . import deadlines
from .constants import CaseState

STEPS = [_("申请"), _("受理"), _("审查"), _("决定"), _("办结")]

# state → (index of the step the case is at, whether the case stopped there without a decision)
_POSITION: dict[str, tuple[int, bool]] = {
    CaseState.DRAFT: (0, False),
    CaseState.SUBMITTED: (1, False),
    CaseState.CORRECTION_REQUESTED: (1, False),
    CaseState.NOT_ACCEPTED: (1, True),
    CaseState.ACCEPTED: (2, False),
    CaseState.IN_REVIEW: (2, False),
    CaseState.SUSPENDED: (2, False),
    CaseState.AWAITING_DECISION: (3, False),
    CaseState.APPROVED: (4, False),
    CaseState.DENIED: (4, False),
    CaseState.DELIVERED: (5, False),
    CaseState.REVOKED: (5, False),
}


@dataclass
class Step:
    label: Any
    status: str  # done / current / todo / stopped


def step_bar(case: Any) -> list[Step]:
    at, stopped = _POSITION.get(case.state, (2, False))
    if case.state in (CaseState.WITHDRAWN, CaseState.TERMINATED):
        at = 2 if case.accepted_on else 1
        stopped = True
    steps = []
    for i, label in enumerate(STEPS):
        if i < at:
            status = "done"
        elif i == at:
            status = "stopped" if stopped else "current"
        else:
            status = "todo"
        steps.append(Step(label, status))
    return steps


@dataclass
class DueRow:
    label: Any
    date: datetime.date
    left: str  # "剩余3个工作日" / "今天到期" / "已超期2个自然日" / "" once concluded
    colour: str  # green / yellow / red / ""
    provisional: bool = False
    note: Any = ""


def days_left_text(left: int | None, unit: str) -> str:
    """3 → "剩余3个工作日"; 0 → "今天到期"; -2 → "已超期2个工作日"; natural days say so."""
    if left is None:
        return ""
    natural = unit == LimitUnit.NATURAL
    if left == 0:
        return str(_("今天到期"))
    if left > 0:
        if natural:
            return ngettext("剩余%(n)d个自然日", "剩余%(n)d个自然日", left) % {"n": left}
        return ngettext("剩余%(n)d个工作日", "剩余%(n)d个工作日", left) % {"n": left}
    if natural:
        return ngettext("已超期%(n)d个自然日", "已超期%(n)d个自然日", -left) % {"n": -left}
    return ngettext("已超期%(n)d个工作日", "已超期%(n)d个工作日", -left) % {"n": -left}


def _row(label: Any, due: datetime.date | None, today: datetime.date, unit: str, *, open_: bool, **kw: Any):
    if due is None:
        return None
    left = deadlines.remaining(due=due, today=today, unit=unit) if open_ else None
    return DueRow(label, due, days_left_text(left, unit), deadlines.colour(left), **kw)


def answer_by(received_on: datetime.date) -> calendar.DueDate:
    """The day by which the window answers an application received that day (Art. 32: 5 working days)."""
    return deadlines.acceptance_answer_by(received_on)


def due_rows(case: Any, today: datetime.date) -> list[DueRow]:
    """Every date that matters for the case now, each as a date and as days left."""
    rows: list[DueRow | None] = []
    unit = case.limit_unit
    running = case.concluded_on is None and case.state not in (
        CaseState.WITHDRAWN,
        CaseState.TERMINATED,
        CaseState.NOT_ACCEPTED,
    )
    start = getattr(case, "answer_from", None) or case.received_on
    if case.state in (CaseState.SUBMITTED,) and start:
        due = answer_by(start)
        rows.append(
            _row(
                _("窗口答复期限"),
                due.date,
                today,
                LimitUnit.WORKING,
                open_=True,
                provisional=due.provisional,
                note=_("窗口在此日前作出受理、补正告知或不予受理的决定；逾期未答复的，视为受理。"),
            )
        )
    provisional = case.due_provisional
    rows.append(
        _row(_("承诺办结日期"), case.promised_due, today, unit, open_=running, provisional=provisional)
    )
    rows.append(
        _row(_("法定办结日期"), case.statutory_due, today, unit, open_=running, provisional=provisional)
    )
    if case.step_due and running and case.current_step:
        rows.append(
            _row(
                _("当前环节时限"), case.step_due, today, LimitUnit.WORKING, open_=True, note=case.current_step
            )
        )
    if case.licence_due and case.state == CaseState.APPROVED:
        rows.append(
            _row(
                _("证照颁发送达期限"),
                case.licence_due,
                today,
                LimitUnit.WORKING,
                open_=True,
                note=_("准予许可之日起10个工作日内颁发、送达许可证件（行政许可法第四十四条）。"),
            )
        )
    if case.deferred_supply_by and not case.deferred_supplied_at:
        rows.append(
            _row(_("容缺材料补齐期限"), case.deferred_supply_by, today, LimitUnit.WORKING, open_=True)
        )
    if case.after_check_due and not case.after_checked_at:
        rows.append(_row(_("事后核查期限"), case.after_check_due, today, LimitUnit.WORKING, open_=True))
    return [r for r in rows if r is not None]


@dataclass
class Suspension:
    kind: Any
    reason: str
    started_on: datetime.date
    expected_resume: datetime.date | None
    expected_days: int


def open_suspension(case: Any) -> Suspension | None:
    """The suspension stopping the clock now, with the day it is expected to end, or None."""
    if case.state != CaseState.SUSPENDED:
        return None
    s = case.suspensions.filter(resumed_on__isnull=True).order_by("-started_on").first()
    if s is None:
        return None
    expected = calendar.add_days(s.started_on, s.expected_days).date if s.expected_days else None
    return Suspension(s.get_kind_display(), s.reason, s.started_on, expected, s.expected_days)
