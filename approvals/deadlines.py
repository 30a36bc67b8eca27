"""Deadlines of a case (DESIGN §4), all through the work-calendar service.

A case accepted on day A counts the days A < d ≤ D that are working days (or any day, for natural-day
items) and not inside a suspension (F < d ≤ T). Elapsed and remaining days of many cases are computed
from the in-memory calendar index: no query per row.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.workcalendar import services as calendar
from portal.workcalendar.constants import LimitUnit

from .constants import (
    DEEMED_ACCEPTANCE_DAYS,
    ENDED_STATES,
    EXTENSION_MAX_DAYS,
    EXTENSION_MAX_DAYS_JOINT,
    TICKING_STATES,
)

Suspension = tuple[datetime.date, datetime.date | None]


def due_dates(
    *,
    accepted_on: datetime.date,
    promised_limit: int,
    statutory_limit: int,
    extension_days: int,
    unit: str,
    suspensions: Sequence[Suspension] = (),
    extension_unit: str | None = None,
) -> tuple[datetime.date, datetime.date, bool]:
    """(promised due, statutory due, provisional) for an acceptance day and the closed suspensions. The
    extension counts after the statutory limit, in its own unit (Art. 42: working days)."""
    closed = [(f, t) for f, t in suspensions if t is not None]
    promised = calendar.add_days(accepted_on, promised_limit, unit=unit, suspensions=closed)
    statutory = calendar.add_days(accepted_on, statutory_limit, unit=unit, suspensions=closed)
    provisional = promised.provisional or statutory.provisional
    if extension_days:
        extended = calendar.add_days(
            statutory.date, extension_days, unit=extension_unit or unit, suspensions=closed
        )
        statutory = calendar.DueDate(extended.date, provisional or extended.provisional)
        provisional = statutory.provisional
    return promised.date, statutory.date, provisional


def elapsed(
    *, accepted_on: datetime.date, until: datetime.date, unit: str, suspensions: Sequence[Suspension] = ()
) -> int:
    return calendar.count_days(accepted_on, until, unit=unit, suspensions=list(suspensions))


def remaining(*, due: datetime.date | None, today: datetime.date, unit: str) -> int | None:
    """Counted days left until the due date (0 on the due day, negative when overdue). Overdue is by day
    (DESIGN §4: today later than the due date), so the weekend after a Friday due date is already -1, never
    "due today"."""
    if due is None:
        return None
    if today <= due:
        return calendar.count_days(today, due, unit=unit)
    return -max(calendar.count_days(due, today, unit=unit), 1)


@dataclass(frozen=True)
class ExtensionRule:
    """How far a case's statutory limit may be extended (延期, 行政许可法 Art. 42, DESIGN §4)."""

    limit: int  # total days an extension may reach
    unit: str  # the unit the extension counts in
    head_limit: int  # total days the department head may approve alone
    basis: str  # the legal basis, in words


def extension_rule(*, snapshot: dict[str, Any], mode: str, limit_unit: str) -> ExtensionRule:
    """The item's own legal limit where its catalogue row carries one (with its basis, in the item's
    unit); otherwise Art. 42: 10 working days by the department head, 15 for a case handled jointly, the
    days beyond 10 only with the approval of the head of the people's government at that level."""
    own = snapshot.get("extension_limit")
    if own is not None:
        basis = str(snapshot.get("extension_basis") or "")
        return ExtensionRule(limit=int(own), unit=limit_unit, head_limit=int(own), basis=basis)
    if snapshot.get("joint_handling") or mode == "parallel":
        return ExtensionRule(
            limit=EXTENSION_MAX_DAYS_JOINT,
            unit=LimitUnit.WORKING,
            head_limit=EXTENSION_MAX_DAYS,
            basis=str(_("《中华人民共和国行政许可法》第四十二条第二款（统一、联合、集中办理）")),
        )
    return ExtensionRule(
        limit=EXTENSION_MAX_DAYS,
        unit=LimitUnit.WORKING,
        head_limit=EXTENSION_MAX_DAYS,
        basis=str(_("《中华人民共和国行政许可法》第四十二条第一款")),
    )


# --- the window's answer (Art. 32): one definition for the deemed acceptance and the conduct alert --------


def acceptance_answer_by(start: datetime.date, days: int = DEEMED_ACCEPTANCE_DAYS) -> calendar.DueDate:
    """The last day the window may answer an application whose count started on ``start`` (the day it was
    received, or the day the complete correction arrived): the 5th working day after it. The start day
    does not count and the window has the whole of that last day (行政许可法 Art. 32)."""
    return calendar.add_days(start, days)


def acceptance_cutoff(today: datetime.date, days: int = DEEMED_ACCEPTANCE_DAYS) -> datetime.date:
    """The latest start day whose answer period is over by ``today``: an application whose count started on
    or before it is past its answer-by day (today > answer-by). The deemed-acceptance scan and the
    supervision conduct alert (超期未受理) both use this one function."""
    cutoff = today - datetime.timedelta(days=1)
    while acceptance_answer_by(cutoff, days).date >= today:
        cutoff -= datetime.timedelta(days=1)
    return cutoff


def colour(remaining_days: int | None, *, yellow_at: int = 1) -> str:
    if remaining_days is None:
        return ""
    if remaining_days < 0:
        return "red"
    if remaining_days <= yellow_at:
        return "yellow"
    return "green"


def annotate_times(cases: Iterable[Any], today: datetime.date) -> list[Any]:
    """Set ``elapsed_now``, ``remaining_now`` and ``due_colour`` on each case, from the in-memory calendar
    (no query per row; suspensions are already counted in the stored due dates)."""
    out = []
    for case in cases:
        # Working days an application has waited at the window since it was received, and the day by which
        # the window must answer it (Art. 32; a correction notice stops that count until the files arrive).
        start = case.answer_from or case.received_on
        case.waited = calendar.count_days(start, today) if start else None
        case.answer_by = case.answer_left = None
        if start and case.state == "submitted":
            case.answer_by = acceptance_answer_by(start).date
            case.answer_left = remaining(due=case.answer_by, today=today, unit="working")
            case.answer_colour = colour(case.answer_left)
        # The clock stops when the case is decided, or ends without a decision (withdrawn, not accepted,
        # terminated: never overdue after that day, DESIGN §3).
        stopped_on = case.concluded_on or getattr(case, "ended_on", None)
        stopped = stopped_on is not None or case.state in ENDED_STATES
        if case.accepted_on is None:
            case.elapsed_now = None
            case.remaining_now = case.statutory_remaining_now = None
            case.due_colour = ""
        else:
            end = stopped_on or today
            case.elapsed_now = (
                case.elapsed_days
                if case.elapsed_days is not None
                else max(
                    calendar.count_days(case.accepted_on, end, unit=case.limit_unit) - case.suspended_days, 0
                )
            )
            case.remaining_now = (
                None if stopped else remaining(due=case.promised_due, today=today, unit=case.limit_unit)
            )
            case.due_colour = "" if stopped else colour(case.remaining_now)
            case.statutory_remaining_now = (
                None if stopped else remaining(due=case.statutory_due, today=today, unit=case.limit_unit)
            )
        # Art. 44: an approved case's licence is due within 10 working days of the approval, until delivered.
        case.licence_left = case.licence_colour = None
        if getattr(case, "licence_due", None) and case.state == "approved":
            case.licence_left = remaining(due=case.licence_due, today=today, unit="working")
            case.licence_colour = colour(case.licence_left)
        out.append(case)
    return out


# --- overdue and due soon, as queries: the one definition every list and figure of open cases uses ----


_TICKING = sorted(str(s) for s in TICKING_STATES)


def overdue_q(today: datetime.date) -> Q:
    """Its clock runs and today is past its promised due date (DESIGN §4: overdue when today, while it is
    open, is later than its due date). The same cases the alert scan gives a red card: a suspended case's
    clock is stopped, and a case that ended without a decision is never overdue."""
    return Q(state__in=_TICKING, promised_due__lt=today)


def licence_overdue_q(today: datetime.date) -> Q:
    """Art. 44: approved, not delivered, and past the 10 working days for its licence."""
    return Q(state="approved", licence_due__lt=today)


def licence_due_soon_q(today: datetime.date) -> Q:
    """Art. 44: approved, not delivered, and its licence is due today or on the next working day."""
    return Q(state="approved", licence_due__gte=today, licence_due__lte=calendar.add_days(today, 1).date)


def due_soon_q(today: datetime.date) -> Q:
    """Its clock runs and it is due today or on the next working day."""
    soon = calendar.add_days(today, 1).date
    return Q(state__in=_TICKING, promised_due__gte=today, promised_due__lte=soon)
