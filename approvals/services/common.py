"""What every case service does around its own rule: lock the case and check the user (``lock_case``),
then, once the transition has fired, save with the audit trail and append the transition log
(``record_transition``); plus the date helpers the transitions share (DESIGN §4)."""

import datetime
from typing import Any

from django.db import connection
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.audit import audited_save, set_audit
from portal.compiled_sql import Follower, save_with_followers, sent_post_save
from portal.workcalendar import services as calendar
from portal.workcalendar.constants import LimitUnit

from .. import deadlines
from ..constants import ENDED_STATES
from ..models import Case, CaseTransition
from ..models.case import _RECORD_ALONG, CASE_HISTORY
from ..permissions import case_transition_check

STEP_DEFAULTS = {"review": _("审查"), "decision": _("决定"), "delivery": _("送达"), "intake": _("受理")}


def today() -> datetime.date:
    return timezone.localdate()


def lock_case(*, case: Case, actor: User | None, action: str) -> tuple[Case, str]:
    """The case row, locked for the rest of the transaction, after checking that ``actor`` may fire
    ``action`` now (409 / 403; ``actor=None`` is the system). Returns it with its state before."""
    locked = Case.objects.select_for_update().select_related("item", "application").get(pk=case.pk)
    case_transition_check(case=locked, user=actor, action=action)
    return locked, str(locked.state)


def record_transition(
    *,
    case: Case,
    action: str,
    from_state: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Case:
    """Save the case (its history row names the actor and the action) and append the transition log. A
    case that has just ended without a decision gets its end day: its clock stops there."""
    if case.state in ENDED_STATES and case.ended_on is None:
        case.ended_on = today()
    audited_save(case, actor=actor, reason=action)
    log_transition(case=case, action=action, from_state=from_state, actor=actor, reason=reason, data=data)
    return case


def record_opening(*, case: Case, action: str, from_state: str, actor: User | None) -> Case:
    """``record_transition`` of a new case (``approvals.services.intake.case_open``): on PostgreSQL its
    insert, its history record and its transition row in one statement (issue 19), the rows the ORM writes
    (``tests/approvals/test_intake_rows.py``), with the signals a reader can rely on:

    - the case's ``pre_save`` and ``post_save`` by its own ``save()`` (``supervision.rollup`` listens to its
      ``pre_save``), simple-history's record through its ``post_save`` receiver as usual;
    - the history record's ``post_save`` and ``post_create_historical_record``
      (``CaseHistoricalRecords.create_historical_record``) and the transition row's ``post_save``, once the
      statement has run, as their own saves send them;
    - their ``pre_create_historical_record`` and ``pre_save``, sent before the insert with the case's id
      known, cannot be sent so: the statement is taken only while nothing listens to them (checked here
      on every call, ``has_listeners``; none does in this project, ``tests/approvals/test_intake_rows.py``),
      else the three rows are written one by one as before. django-fsm's signals are the transition's
      (``case.submit()``, before this call), untouched.

    Elsewhere (SQLite) and for a value that is an expression, the ORM's three inserts."""
    if case.state in ENDED_STATES and case.ended_on is None:
        case.ended_on = today()
    history = None
    if connection.vendor == "postgresql" and not pre_save.has_listeners(CaseTransition):
        set_audit(case, actor=actor, reason=action)
        history = CASE_HISTORY.record_along(case)
    if history is None:
        return record_transition(case=case, action=action, from_state=from_state, actor=actor)
    transition = CaseTransition(
        case=case, name=action, from_state=from_state, to_state=case.state, actor=actor, reason="", data={}
    )
    try:
        written = save_with_followers(case, [history, Follower(transition, link="case_id")])
    finally:
        case.__dict__.pop(_RECORD_ALONG, None)  # taken by the history's receiver, or left by a failed save
    if not written:  # the ORM wrote the case alone (and its history record after it): the log as usual
        log_transition(case=case, action=action, from_state=from_state, actor=actor)
        return case
    sent_post_save(transition)
    return case


def log_transition(
    *,
    case: Case,
    action: str,
    from_state: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CaseTransition:
    return CaseTransition.objects.create(
        case=case,
        name=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        reason=reason,
        data=data or {},
    )


def suspension_pairs(case: Case) -> list[tuple[datetime.date, datetime.date | None]]:
    return [(s.started_on, s.resumed_on) for s in case.suspensions.all()]


def recompute_due_dates(case: Case) -> None:
    """Both due dates from the acceptance day, the limits, the extension and the closed suspensions."""
    if case.accepted_on is None:
        return
    promised, statutory, provisional = deadlines.due_dates(
        accepted_on=case.accepted_on,
        promised_limit=case.promised_limit,
        statutory_limit=case.statutory_limit,
        extension_days=case.extension_days,
        unit=case.limit_unit,
        suspensions=suspension_pairs(case),
        extension_unit=case.extension_unit,
    )
    case.promised_due, case.statutory_due, case.due_provisional = promised, statutory, provisional


def enter_step(case: Case, role: str, day: datetime.date) -> None:
    """Move the case to the first step of ``role`` in its 流程时限表 and give that step its due date: the
    step's limit in working days, as the catalogue states it (``环节时限（工作日）``) and the case page counts
    it, whatever unit the case's own limits count in."""
    steps = (case.application.item_snapshot or {}).get("steps") or []
    step = next((s for s in steps if s.get("role") == role), None)
    if step is None:
        case.current_step = str(STEP_DEFAULTS.get(role, role))
        case.step_due = None
        return
    case.current_step = step.get("name") or str(STEP_DEFAULTS.get(role, role))
    case.step_due = calendar.add_days(day, int(step.get("limit_days") or 0), unit=LimitUnit.WORKING).date


def conclude(case: Case) -> datetime.date:
    """Stamp the conclusion and fix the elapsed working days (the figures sum them). Returns the day."""
    now = timezone.now()
    case.concluded_at = now
    case.concluded_on = concluded_on = timezone.localdate(now)
    if case.accepted_on is not None:
        case.elapsed_days = deadlines.elapsed(
            accepted_on=case.accepted_on,
            until=concluded_on,
            unit=case.limit_unit,
            suspensions=suspension_pairs(case),
        )
    return concluded_on


def staff_with_roles(department_id: int | None, *roles: str) -> list[User]:
    if department_id is None:
        return []
    return list(
        User.objects.filter(department_id=department_id, groups__name__in=roles, is_active=True).distinct()
    )


def base_context(case: Case) -> dict[str, Any]:
    """What every notification about the case names."""
    bundle = case.application.package_application if case.application.package_application_id else None
    if bundle is not None:  # 一件事 (DESIGN §10): every notice about one of its cases names the package
        name = _("%(package)s · %(item)s") % {"package": bundle.package.name, "item": case.item.name}
        return {"reference": case.reference, "item_name": str(name), "package_reference": bundle.reference}
    return {"reference": case.reference, "item_name": case.item.name}


def due_dates_context(case: Case) -> dict[str, Any]:
    assert case.promised_due is not None and case.statutory_due is not None  # set on acceptance
    return {"promised_due": case.promised_due.isoformat(), "statutory_due": case.statutory_due.isoformat()}
