"""Supervision services: the set-based alert scan and the alert life (explain → review → finding).

The scan runs a fixed number of queries whatever the number of open cases: the thresholds are dates
computed once in Python with the calendar service, then one ``INSERT … SELECT … ON CONFLICT DO
NOTHING`` per level (the unique constraint (case, level, step) makes each alert once-only), one
``UPDATE`` to close alerts of concluded cases, and ``INSERT … SELECT`` into the history table for the
rows just raised or closed. Notifications go out for the new alerts only.
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.constants import CLOSED_STATES, RUNNING_STATES, CaseState
from approvals.models import Case, CaseTransition
from portal.accounts.constants import Role
from portal.accounts.models import Department, User
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from .constants import (
    DEFAULT_DAYS,
    EXPLANATION_REQUIRED,
    OFFICE_LEVELS,
    AlertLevel,
    AlertState,
    FindingKind,
)
from .models import AccountabilityFinding, Alert, AlertRule

# Cases whose clock runs and can be late (a suspended case's due dates move on resumption).
LIVE_STATES = sorted(str(s) for s in RUNNING_STATES - {CaseState.SUSPENDED})


@dataclass(frozen=True)
class ScanResult:
    raised: int
    closed: int


# --- thresholds ----------------------------------------------------------------------------------


def working_day_cutoff(today: datetime.date, n: int) -> datetime.date:
    """The last due date that leaves at most ``n`` working days: the n-th working day after today."""
    return calendar.add_days(today, n).date


def received_cutoff(today: datetime.date, limit: int) -> datetime.date:
    """The latest receipt day R with more than ``limit`` working days counted after it up to today: a
    case received on or before R sits past the deemed-acceptance limit."""
    day = today - datetime.timedelta(days=limit + 1)
    while calendar.count_days(day, today) <= limit:
        day -= datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class LevelRules:
    """The rules of one level: default days (None = level off) and item / department overrides."""

    default: int | None
    items: dict[int, int | None]
    departments: dict[int, int | None]


def _rules(rows: list[AlertRule]) -> dict[str, LevelRules]:
    out: dict[str, LevelRules] = {}
    for level in AlertLevel:
        default: int | None = DEFAULT_DAYS.get(level, 0)
        items: dict[int, int | None] = {}
        departments: dict[int, int | None] = {}
        for rule in rows:
            if rule.level != level:
                continue
            days = rule.days if rule.active else None
            if rule.item_id:
                items[rule.item_id] = days
            elif rule.department_id:
                departments[rule.department_id] = days
            else:
                default = days
        out[level] = LevelRules(default, items, departments)
    return out


def _case_expr(rules: LevelRules, to_date: Any) -> tuple[str, list[Any]]:
    """SQL ``CASE`` giving each case its threshold date (NULL when the level is off for it)."""
    ops = connection.ops
    parts, params = [], []
    for column, table in (("item_id", rules.items), ("department_id", rules.departments)):
        for pk, days in table.items():
            parts.append(f"WHEN c.{column} = %s THEN %s")
            params += [pk, None if days is None else ops.adapt_datefield_value(to_date(days))]
    default = None if rules.default is None else ops.adapt_datefield_value(to_date(rules.default))
    if not parts:
        return "%s", [default]
    return "CASE " + " ".join(parts) + " ELSE %s END", params + [default]


# --- the scan ------------------------------------------------------------------------------------


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _insert_alerts(*, level: str, due_col: str, step_col: str, where: str, params: list[Any], now: Any, token: str) -> int:
    alert_t = Alert._meta.db_table
    case_t = Case._meta.db_table
    sql = (
        f"INSERT INTO {alert_t} (case_id, level, step, department_id, due, state, raised_at, closed_at, "
        f"scan_token, explanation, review_note) "
        f"SELECT c.id, %s, {step_col}, c.department_id, {due_col}, %s, %s, NULL, %s, '', '' "
        f"FROM {case_t} c WHERE {where} "
        # the anti-join skips cases already alerted (cheap, set-based); ON CONFLICT covers a concurrent scan
        f"AND NOT EXISTS (SELECT 1 FROM {alert_t} a WHERE a.case_id = c.id AND a.level = %s AND a.step = {step_col}) "
        f"ON CONFLICT (case_id, level, step) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [level, AlertState.RAISED, now, token, *params, level])
        return max(cursor.rowcount, 0)


def _write_history(*, token: str, now: Any, history_type: str, reason: str) -> None:
    """History rows for the alerts just touched by the scan (bulk SQL writes none by itself)."""
    history = Alert.history.model
    cols = [
        f.column
        for f in history._meta.concrete_fields
        if f.column not in ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")
    ]
    col_list = ", ".join(cols)
    select_list = ", ".join(f"a.{c}" for c in cols)
    sql = (
        f"INSERT INTO {history._meta.db_table} ({col_list}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {select_list}, %s, %s, %s, NULL FROM {Alert._meta.db_table} a "
        f"WHERE a.scan_token = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, reason, history_type, token])


def alert_scan(*, now: datetime.datetime | None = None) -> ScanResult:
    """Raise every due alert once, close the alerts of concluded cases, notify for new alerts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ops = connection.ops
    db_now = ops.adapt_datetimefield_value(now)
    db_today = ops.adapt_datefield_value(today)
    token = uuid.uuid4().hex[:31]
    raise_token, close_token = token + "r", token + "c"
    rules = _rules(list(AlertRule.objects.all()))
    calendar.get_index()  # load the calendar once (cached between scans)

    with transaction.atomic():
        # 1. close the alerts of cases that have ended (conduct findings on refusals stay until reviewed),
        # and step alerts once the case has moved on to another step: two UPDATEs driven by the open alerts
        alert_t, case_t = Alert._meta.db_table, Case._meta.db_table
        closed_states = sorted(str(s) for s in CLOSED_STATES)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {alert_t} SET closed_at = %s, scan_token = %s WHERE closed_at IS NULL AND level <> %s "
                f"AND EXISTS (SELECT 1 FROM {case_t} c WHERE c.id = {alert_t}.case_id "
                f"AND c.state IN ({_placeholders(closed_states)}))",
                [db_now, close_token, AlertLevel.REFUSAL_NO_REASON, *closed_states],
            )
            closed = max(cursor.rowcount, 0)
            cursor.execute(
                f"UPDATE {alert_t} SET closed_at = %s, scan_token = %s WHERE closed_at IS NULL AND level = %s "
                f"AND EXISTS (SELECT 1 FROM {case_t} c WHERE c.id = {alert_t}.case_id "
                f"AND c.state IN ({_placeholders(LIVE_STATES)}) AND c.current_step <> {alert_t}.step)",
                [db_now, close_token, AlertLevel.STEP, *LIVE_STATES],
            )
            closed += max(cursor.rowcount, 0)
        if closed:
            _write_history(token=close_token, now=db_now, history_type="~", reason="alert_scan: closed")

        live = f"c.state IN ({_placeholders(LIVE_STATES)})"
        raised = 0
        # 2. yellow: at most N working days left before the promised due date (N per rule)
        r = rules[AlertLevel.YELLOW]
        expr, p = _case_expr(r, lambda n: working_day_cutoff(today, n))
        raised += _insert_alerts(
            level=AlertLevel.YELLOW, due_col="c.promised_due", step_col="''",
            where=f"{live} AND c.promised_due >= %s AND c.promised_due <= {expr}",
            params=[*LIVE_STATES, db_today, *p], now=db_now, token=raise_token,
        )
        # 3. red and statutory: past the due date, not concluded
        for level, column in ((AlertLevel.RED, "promised_due"), (AlertLevel.STATUTORY, "statutory_due")):
            if _level_on(rules[level]):
                expr, p = _case_expr(rules[level], lambda n: today)
                raised += _insert_alerts(
                    level=level, due_col=f"c.{column}", step_col="''",
                    where=f"{live} AND c.{column} < {expr}",
                    params=[*LIVE_STATES, *p], now=db_now, token=raise_token,
                )
        # 4. step warnings: past the current step's limit (once per step)
        if _level_on(rules[AlertLevel.STEP]):
            expr, p = _case_expr(rules[AlertLevel.STEP], lambda n: today)
            raised += _insert_alerts(
                level=AlertLevel.STEP, due_col="c.step_due", step_col="c.current_step",
                where=f"{live} AND c.current_step <> '' AND c.step_due < {expr}",
                params=[*LIVE_STATES, *p], now=db_now, token=raise_token,
            )
        # 5. conduct: submitted and unanswered past the deemed-acceptance limit
        r = rules[AlertLevel.INTAKE_OVERDUE]
        expr, p = _case_expr(r, lambda n: received_cutoff(today, n))
        raised += _insert_alerts(
            level=AlertLevel.INTAKE_OVERDUE, due_col="c.received_on", step_col="''",
            where=f"c.state = %s AND c.received_on <= {expr}",
            params=[CaseState.SUBMITTED, *p], now=db_now, token=raise_token,
        )
        # 6. conduct: refused (不予受理) without a written reason
        if _level_on(rules[AlertLevel.REFUSAL_NO_REASON]):
            expr, p = _case_expr(rules[AlertLevel.REFUSAL_NO_REASON], lambda n: today)
            raised += _insert_alerts(
                level=AlertLevel.REFUSAL_NO_REASON, due_col="NULL", step_col="''",
                where=(
                    f"c.state = %s AND {expr} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    f"{CaseTransition._meta.db_table} t WHERE t.case_id = c.id AND t.to_state = %s "
                    f"AND TRIM(t.reason) <> '')"
                ),
                params=[CaseState.NOT_ACCEPTED, *p, CaseState.NOT_ACCEPTED], now=db_now, token=raise_token,
            )
        if raised:
            _write_history(token=raise_token, now=db_now, history_type="+", reason="alert_scan: raised")
            _notify_new(token=raise_token)
    return ScanResult(raised=raised, closed=closed)


def _level_on(rules: LevelRules) -> bool:
    return rules.default is not None or any(v is not None for v in (*rules.items.values(), *rules.departments.values()))


def _notify_new(*, token: str) -> None:
    """Tell the holder, the department head and (red, statutory, refusal) the efficiency office:
    three queries for any number of new alerts, then one notify() per recipient."""
    alerts = list(Alert.objects.filter(scan_token=token).select_related("case", "case__holder"))
    dept_ids = {a.department_id for a in alerts}
    heads: dict[int, list[User]] = {}
    for user in User.objects.filter(groups__name=Role.HEAD, department_id__in=dept_ids, is_active=True):
        heads.setdefault(user.department_id, []).append(user)  # type: ignore[arg-type]
    office: list[User] = []
    if any(a.level in OFFICE_LEVELS for a in alerts):
        office = list(
            User.objects.filter(Q(groups__name=Role.INSPECTOR) | Q(department__is_efficiency_office=True), is_active=True)
            .distinct()
        )
    for alert in alerts:
        case = alert.case
        recipients: dict[int, User] = {}
        if case.holder_id and case.holder is not None:
            recipients[case.holder_id] = case.holder
        for user in heads.get(alert.department_id, []):
            recipients[user.pk] = user
        if alert.level in OFFICE_LEVELS:
            for user in office:
                recipients[user.pk] = user
        for user in recipients.values():
            if alert.level == AlertLevel.STEP:
                notify(
                    recipient=user,
                    event="staff.step_warning",
                    context={"reference": case.reference, "step": alert.step,
                             "step_due": alert.due.isoformat() if alert.due else None},
                    case=case,
                )
            else:
                notify(
                    recipient=user,
                    event="alert.raised",
                    context={"reference": case.reference, "level": alert.level,
                             "due": alert.due.isoformat() if alert.due else None,
                             "level_label": str(AlertLevel(alert.level).label)},
                    case=case,
                )


# --- the alert's life ----------------------------------------------------------------------------


def can_explain(*, alert: Alert, user: User) -> bool:
    if user.has_role(Role.INSPECTOR):
        return False
    return alert.case.holder_id == user.pk or (
        user.department_id == alert.department_id and user.has_role(Role.HEAD, Role.REVIEWER, Role.DECIDER)
    )


def can_review(*, user: User) -> bool:
    return user.has_role(Role.INSPECTOR)


@transaction.atomic
def alert_explain(*, alert: Alert, actor: User, explanation: str) -> Alert:
    """The handler's written explanation (情况说明)."""
    alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
    if not can_explain(alert=alert, user=actor):
        raise PermissionDeniedError(_("只有办件承办人或本部门人员可以提交情况说明。"))
    if alert.state != AlertState.RAISED:
        raise ConflictError(_("该预警已说明或已审核。"))
    explanation = (explanation or "").strip()
    if not explanation:
        raise ApplicationError(_("请填写情况说明。"), extra={"explanation": [_("请填写情况说明。")]})
    alert.explanation = explanation
    alert.explained_by = actor
    alert.explained_at = timezone.now()
    alert.state = AlertState.EXPLAINED
    alert._change_reason = "explain"  # type: ignore[attr-defined]
    alert._history_user = actor  # type: ignore[attr-defined]
    alert.save()
    return alert


@transaction.atomic
def alert_review(*, alert: Alert, actor: User, note: str = "") -> Alert:
    """The efficiency office reviews the alert (after the explanation, which red and statutory need)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not can_review(user=actor):
        raise PermissionDeniedError(_("只有效能办可以审核预警。"))
    if alert.state == AlertState.REVIEWED:
        raise ConflictError(_("该预警已审核。"))
    if alert.level in EXPLANATION_REQUIRED and alert.state != AlertState.EXPLAINED:
        raise ConflictError(_("红牌和法定超期预警须先由承办人提交情况说明。"))
    alert.review_note = (note or "").strip()
    alert.reviewed_by = actor
    alert.reviewed_at = timezone.now()
    alert.state = AlertState.REVIEWED
    if alert.level == AlertLevel.REFUSAL_NO_REASON and alert.closed_at is None:
        alert.closed_at = alert.reviewed_at
    alert._change_reason = "review"  # type: ignore[attr-defined]
    alert._history_user = actor  # type: ignore[attr-defined]
    alert.save()
    return alert


@transaction.atomic
def finding_record(
    *,
    actor: User,
    kind: str,
    finding: str,
    department: Department | None = None,
    person: User | None = None,
    alert: Alert | None = None,
) -> AccountabilityFinding:
    """Record an accountability finding (效能问责) against a person or a department."""
    if not can_review(user=actor):
        raise PermissionDeniedError(_("只有效能办可以记录效能问责。"))
    errors: dict[str, list[str]] = {}
    if kind not in FindingKind.values:
        errors["kind"] = [_("请选择问责方式。")]
    if not (finding or "").strip():
        errors["finding"] = [_("请填写问责事实与依据。")]
    if department is None:
        department = (person.department if person else None) or (alert.department if alert else None)
    if department is None:
        errors["department"] = [_("请选择被问责部门或人员。")]
    if errors:
        raise ApplicationError(_("问责信息不完整。"), extra=errors)
    obj = AccountabilityFinding(
        alert=alert,
        case=alert.case if alert else None,
        department=department,
        person=person,
        kind=kind,
        finding=finding.strip(),
        recorded_by=actor,
    )
    obj._change_reason = "record"  # type: ignore[attr-defined]
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()
    return obj
