"""Supervision services: the set-based alert scan and the alert life (explain → review → finding).

The scan runs a fixed number of queries whatever the number of open cases: the thresholds are dates
computed once in Python with the calendar service, then ``INSERT … SELECT … ON CONFLICT DO NOTHING``
statements (the unique constraint (case, level, step) makes each alert once-only) driven by the
case's own alert bookkeeping (``Case.alert_levels`` / ``alert_step``, read from the running-case
index without touching the alerts table), ``UPDATE`` statements to close alerts of concluded cases
(found through the small index of closed cases that still carry bookkeeping), and ``INSERT … SELECT``
into the history table for the rows just raised or closed. Notifications go out for the new alerts
only.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from approvals import deadlines
from approvals.constants import CLOSED_STATES, RUNNING_STATES, CaseState
from approvals.models import Case, CaseTransition
from approvals.services.correction import SECOND_NOTICE
from intake.constants import HandlingMode
from portal.accounts.constants import Role
from portal.accounts.models import Department, User
from portal.audit import audited_save
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from . import permissions as perm
from .constants import (
    DEFAULT_DAYS,
    KEPT_UNTIL_REVIEWED,
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
    """The latest day R from which the window's count started (receipt, or the complete correction) whose
    ``limit`` working days are over by today: the deemed acceptance's own cut-off (行政许可法 Art. 32),
    the one function both use."""
    return deadlines.acceptance_cutoff(today, limit)


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
# The scan is set-based SQL. Its statements are assembled from table names (``_meta.db_table``), fixed
# fragments and placeholders; every value goes in as a parameter, so the S608 suppressions below are safe.


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _insert_alerts(*, select: str, params: list[Any], now: Any, token: str) -> int:
    """``select`` yields (case id, level, step, department id, due) of the alerts to raise."""
    alert_t = Alert._meta.db_table
    sql = (
        f"INSERT INTO {alert_t} (case_id, level, step, department_id, due, state, raised_at, closed_at, "  # noqa: S608
        f"scan_token, explanation, review_note) "
        f"SELECT x.case_id, x.level, x.step, x.department_id, x.due, %s, %s, NULL, %s, '', '' FROM ({select}) x WHERE TRUE "
        # (WHERE TRUE: SQLite needs it to parse an upsert after a SELECT.) The case's own bookkeeping
        # skips cases already alerted; ON CONFLICT covers a concurrent scan
        # and a step visited twice (one warning per step)
        f"ON CONFLICT (case_id, level, step) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [AlertState.RAISED, now, token, *params])
        return max(int(cursor.rowcount), 0)


# The bit of each level in ``Case.alert_levels`` (the step warning has ``Case.alert_step`` instead).
LEVEL_BITS = {
    AlertLevel.YELLOW: 1,
    AlertLevel.RED: 2,
    AlertLevel.STATUTORY: 4,
    AlertLevel.INTAKE_OVERDUE: 8,
    AlertLevel.LICENCE_YELLOW: 16,
    AlertLevel.LICENCE_RED: 32,
}
# The licence levels (Art. 44) watch approved cases, which are closed for every other level: their bits
# and alerts live until the case is delivered (or revoked), the others' until the case ends.
LICENCE_LEVELS = (AlertLevel.LICENCE_YELLOW, AlertLevel.LICENCE_RED)
LICENCE_BITS = LEVEL_BITS[AlertLevel.LICENCE_YELLOW] | LEVEL_BITS[AlertLevel.LICENCE_RED]
CASE_BITS = (
    LEVEL_BITS[AlertLevel.YELLOW]
    | LEVEL_BITS[AlertLevel.RED]
    | LEVEL_BITS[AlertLevel.STATUTORY]
    | LEVEL_BITS[AlertLevel.INTAKE_OVERDUE]
)
_DUE_COLUMN = {
    AlertLevel.STATUTORY: "statutory",
    AlertLevel.LICENCE_YELLOW: "licence",
    AlertLevel.LICENCE_RED: "licence",
}


def _raise_levels(
    levels: list[tuple[int, str, str, list[Any]]],
    *,
    where: str,
    where_params: list[Any],
    now: Any,
    token: str,
) -> int:
    """Raise several levels over one set of cases: one INSERT … SELECT reading each case once (a row per
    level whose condition holds and whose bit is not set yet), then one UPDATE setting those bits."""
    if not levels:
        return 0
    case_t = Case._meta.db_table
    kinds = " UNION ALL ".join("SELECT %s AS bit, %s AS level, %s AS due_col" for _ in levels)
    kinds_params: list[Any] = []
    whens, when_params = [], []
    for bit, level, cond, params in levels:
        kinds_params += [bit, level, _DUE_COLUMN.get(AlertLevel(level), "promised")]
        whens.append(f"WHEN {bit} THEN ({cond})")
        when_params += params
    # the due date of each level, naming only the columns of these levels: the running cases' index
    # has the promised and statutory dates, not the licence date (naming it read every case's heap row)
    due_cols = sorted({_DUE_COLUMN.get(AlertLevel(level), "promised") for _bit, level, _c, _p in levels})
    due = " ".join(f"WHEN lv.due_col = '{col}' THEN c.{col}_due" for col in due_cols)
    select = (
        f"SELECT c.id AS case_id, lv.level AS level, '' AS step, c.department_id, "  # noqa: S608
        f"CASE {due} END AS due "
        f"FROM {case_t} c CROSS JOIN ({kinds}) lv WHERE {where} AND (c.alert_levels & lv.bit) = 0 "
        f"AND CASE lv.bit {' '.join(whens)} ELSE FALSE END"
    )
    raised = _insert_alerts(
        select=select, params=[*kinds_params, *where_params, *when_params], now=now, token=token
    )
    sets, set_params, anys, any_params = [], [], [], []
    for bit, _level, cond, params in levels:
        sets.append(f"(CASE WHEN {cond} THEN {bit} ELSE 0 END)")
        set_params += params
        anys.append(f"(({cond}) AND (c.alert_levels & {bit}) = 0)")
        any_params += params
    _update_cases(
        f"alert_levels = c.alert_levels | {' | '.join(sets)}",
        set_params,
        where=f"{where} AND ({' OR '.join(anys)})",
        params=[*where_params, *any_params],
    )
    return raised


def _update_cases(assignments: str, assignment_params: list[Any], *, where: str, params: list[Any]) -> int:
    """UPDATE the cases matching ``where`` (over alias ``c``): the rows are found first, in a
    materialized CTE that PostgreSQL answers from the running-case index alone (a plain subquery in an
    UPDATE must read every candidate's heap row), so the heap is read only for the (usually no) rows
    that change."""
    case_t = Case._meta.db_table
    return _update_where_case_in(
        f"UPDATE {case_t} AS c SET {assignments} WHERE c.id",  # noqa: S608
        assignment_params,
        where=where,
        params=params,
    )


def _update_where_case_in(update: str, update_params: list[Any], *, where: str, params: list[Any]) -> int:
    """``update`` (ending in the column to match) ``IN`` the ids of the cases matching ``where``. On
    PostgreSQL the ids come from a materialized CTE, read from the index alone; SQLite gets a plain
    subquery (its driver reports no row count for a statement starting with WITH)."""
    select = f"SELECT c.id FROM {Case._meta.db_table} c WHERE {where}"  # noqa: S608
    if connection.vendor == "postgresql":
        return _execute(
            f"WITH hit AS MATERIALIZED ({select}) {update} IN (SELECT id FROM hit)",  # noqa: S608
            [*params, *update_params],
        )
    return _execute(f"{update} IN ({select})", [*update_params, *params])


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(int(cursor.rowcount), 0)


def _write_history(*, token: str, now: Any, history_type: str, reason: str) -> None:
    """History rows for the alerts just touched by the scan (bulk SQL writes none by itself)."""
    history = Alert.history.model
    cols = [
        f.column
        for f in history._meta.concrete_fields
        if f.column
        not in ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")
    ]
    col_list = ", ".join(cols)
    select_list = ", ".join(f"a.{c}" for c in cols)
    sql = (
        f"INSERT INTO {history._meta.db_table} ({col_list}, history_date, history_change_reason, history_type, "  # noqa: S608
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
        alert_t, case_t = Alert._meta.db_table, Case._meta.db_table
        closed_states = sorted(str(s) for s in CLOSED_STATES)
        live = f"c.state IN ({_placeholders(LIVE_STATES)})"
        # 1. close the alerts of cases that have ended (conduct findings on refusals stay until reviewed),
        # found through the tiny index of closed cases that still carry alert bookkeeping, then clear it
        # (and an after-check alert stays until the after-check is recorded)
        kept = sorted(
            str(level)
            for level in KEPT_UNTIL_REVIEWED | set(LICENCE_LEVELS) | {AlertLevel.AFTER_CHECK_OVERDUE}
        )
        ended = (
            f"c.state IN ({_placeholders(closed_states)}) AND (c.alert_levels > 0 OR c.alert_step > '') "
            f"AND ((c.alert_levels & {CASE_BITS}) > 0 OR c.alert_step > '')"
        )
        closed = _update_where_case_in(
            f"UPDATE {alert_t} SET closed_at = %s, scan_token = %s WHERE closed_at IS NULL "  # noqa: S608
            f"AND level NOT IN ({_placeholders(kept)}) AND case_id",
            [db_now, close_token, *kept],
            where=ended,
            params=closed_states,
        )
        _update_cases(
            f"alert_levels = c.alert_levels & {LICENCE_BITS}, alert_step = ''",
            [],
            where=ended,
            params=closed_states,
        )
        # 1b. Art. 44: close the licence alerts of cases delivered (or revoked) since
        delivered_states = [s for s in closed_states if s != CaseState.APPROVED]
        handed_out = (
            f"c.state IN ({_placeholders(delivered_states)}) AND c.alert_levels > 0 "
            f"AND (c.alert_levels & {LICENCE_BITS}) > 0"
        )
        closed += _update_where_case_in(
            f"UPDATE {alert_t} SET closed_at = %s, scan_token = %s WHERE closed_at IS NULL "  # noqa: S608
            f"AND level IN (%s, %s) AND case_id",
            [db_now, close_token, *LICENCE_LEVELS],
            where=handed_out,
            params=delivered_states,
        )
        _update_cases(
            f"alert_levels = c.alert_levels & {CASE_BITS}", [], where=handed_out, params=delivered_states
        )
        # ... and an after-check alert once the after-check is recorded (passed, or revoked)
        # (driven by the open alerts of that level, few: the after-checked cases only grow in number)
        closed += _execute(
            f"UPDATE {alert_t} SET closed_at = %s, scan_token = %s WHERE closed_at IS NULL AND level = %s "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {case_t} c WHERE c.id = {alert_t}.case_id "
            f"AND c.after_checked_at IS NOT NULL AND c.mode = %s)",
            [db_now, close_token, AlertLevel.AFTER_CHECK_OVERDUE, HandlingMode.COMMITMENT],
        )
        # 2. close step warnings once the case has moved on to another step
        moved = f"{live} AND c.alert_step > '' AND c.alert_step <> c.current_step"
        closed += _update_where_case_in(
            f"UPDATE {alert_t} SET closed_at = %s, scan_token = %s WHERE closed_at IS NULL AND level = %s AND case_id",  # noqa: S608
            [db_now, close_token, AlertLevel.STEP],
            where=moved,
            params=LIVE_STATES,
        )
        _update_cases("alert_step = ''", [], where=moved, params=LIVE_STATES)
        if closed:
            _write_history(token=close_token, now=db_now, history_type="~", reason="alert_scan: closed")

        raised = 0
        # 3. the deadline levels in one pass over the running cases (their index alone): yellow at most
        # N working days before the promised due date (N per rule), red past it, statutory past the
        # statutory due date; each raised once per case (the case's bits), then the bits are set
        levels: list[tuple[int, str, str, list[Any]]] = []
        expr, p = _case_expr(rules[AlertLevel.YELLOW], lambda n: working_day_cutoff(today, n))
        levels.append(
            (
                LEVEL_BITS[AlertLevel.YELLOW],
                AlertLevel.YELLOW,
                f"c.promised_due >= %s AND c.promised_due <= {expr}",
                [db_today, *p],
            )
        )
        for level, column in ((AlertLevel.RED, "promised_due"), (AlertLevel.STATUTORY, "statutory_due")):
            if _level_on(rules[level]):
                expr, p = _case_expr(rules[level], lambda n: today)
                levels.append((LEVEL_BITS[level], level, f"c.{column} < {expr}", p))
        raised += _raise_levels(
            levels, where=live, where_params=list(LIVE_STATES), now=db_now, token=raise_token
        )
        # 3b. Art. 44: the licence of an approved case, due within 10 working days of the approval: yellow
        # as for the promised date, red once past it (the efficiency office hears of it)
        licence_levels: list[tuple[int, str, str, list[Any]]] = []
        expr, p = _case_expr(rules[AlertLevel.LICENCE_YELLOW], lambda n: working_day_cutoff(today, n))
        licence_levels.append(
            (
                LEVEL_BITS[AlertLevel.LICENCE_YELLOW],
                AlertLevel.LICENCE_YELLOW,
                f"c.licence_due >= %s AND c.licence_due <= {expr}",
                [db_today, *p],
            )
        )
        if _level_on(rules[AlertLevel.LICENCE_RED]):
            expr, p = _case_expr(rules[AlertLevel.LICENCE_RED], lambda n: today)
            licence_levels.append(
                (LEVEL_BITS[AlertLevel.LICENCE_RED], AlertLevel.LICENCE_RED, f"c.licence_due < {expr}", p)
            )
        raised += _raise_levels(
            licence_levels,
            where="c.state = %s AND c.licence_due IS NOT NULL",
            where_params=[CaseState.APPROVED],
            now=db_now,
            token=raise_token,
        )
        # 4. conduct: submitted and unanswered past the deemed-acceptance limit
        expr, p = _case_expr(rules[AlertLevel.INTAKE_OVERDUE], lambda n: received_cutoff(today, n))
        raised += _raise_levels(
            [
                (
                    LEVEL_BITS[AlertLevel.INTAKE_OVERDUE],
                    AlertLevel.INTAKE_OVERDUE,
                    f"c.answer_from <= {expr}",
                    p,
                )
            ],
            where="c.state = %s",
            where_params=[CaseState.SUBMITTED],
            now=db_now,
            token=raise_token,
        )
        # 5. step warnings: past the current step's limit, once per step
        if _level_on(rules[AlertLevel.STEP]):
            expr, p = _case_expr(rules[AlertLevel.STEP], lambda n: today)
            late = (
                f"{live} AND c.current_step <> '' AND c.step_due < {expr} AND c.alert_step <> c.current_step"
            )
            raised += _insert_alerts(
                select=f"SELECT c.id AS case_id, %s AS level, c.current_step AS step, c.department_id, "  # noqa: S608
                f"c.step_due AS due FROM {case_t} c WHERE {late}",
                params=[AlertLevel.STEP, *LIVE_STATES, *p],
                now=db_now,
                token=raise_token,
            )
            _update_cases("alert_step = c.current_step", [], where=late, params=[*LIVE_STATES, *p])
        # 6. conduct: refused (不予受理) without a written reason (not many cases: an anti-join suffices)
        if _level_on(rules[AlertLevel.REFUSAL_NO_REASON]):
            expr, p = _case_expr(rules[AlertLevel.REFUSAL_NO_REASON], lambda n: today)
            raised += _insert_alerts(
                select=(
                    f"SELECT c.id AS case_id, %s AS level, '' AS step, c.department_id, CAST(NULL AS DATE) AS due "  # noqa: S608
                    f"FROM {case_t} c WHERE c.state = %s AND {expr} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    f"{CaseTransition._meta.db_table} t WHERE t.case_id = c.id AND t.to_state = %s "
                    f"AND TRIM(t.reason) <> '') AND NOT EXISTS (SELECT 1 FROM {alert_t} a "
                    f"WHERE a.case_id = c.id AND a.level = %s)"
                ),
                params=[
                    AlertLevel.REFUSAL_NO_REASON,
                    CaseState.NOT_ACCEPTED,
                    *p,
                    CaseState.NOT_ACCEPTED,
                    AlertLevel.REFUSAL_NO_REASON,
                ],
                now=db_now,
                token=raise_token,
            )
        # 7. conduct: a correction notice that named materials the first notice did not (一次性告知 broken:
        # a second notice, recorded in the case's log by approvals.services.correction)
        if _level_on(rules[AlertLevel.SECOND_CORRECTION]):
            expr, p = _case_expr(rules[AlertLevel.SECOND_CORRECTION], lambda n: today)
            raised += _insert_alerts(
                select=(
                    # driven by the small partial index of second notices in the transition log
                    f"SELECT DISTINCT c.id AS case_id, %s AS level, '' AS step, c.department_id, "  # noqa: S608
                    f"CAST(NULL AS DATE) AS due FROM {CaseTransition._meta.db_table} t JOIN {case_t} c "
                    f"ON c.id = t.case_id WHERE t.name = %s AND {expr} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {alert_t} a WHERE a.case_id = c.id AND a.level = %s)"
                ),
                params=[AlertLevel.SECOND_CORRECTION, SECOND_NOTICE, *p, AlertLevel.SECOND_CORRECTION],
                now=db_now,
                token=raise_token,
            )
        # 8. 告知承诺: an approval on commitment whose after-check (事后核查) is past its due date unrecorded
        if _level_on(rules[AlertLevel.AFTER_CHECK_OVERDUE]):
            expr, p = _case_expr(rules[AlertLevel.AFTER_CHECK_OVERDUE], lambda n: today)
            raised += _insert_alerts(
                select=(
                    f"SELECT c.id AS case_id, %s AS level, '' AS step, c.department_id, c.after_check_due AS due "  # noqa: S608
                    f"FROM {case_t} c WHERE c.mode = %s AND c.state IN (%s, %s) AND c.after_checked_at IS NULL "
                    f"AND c.after_check_due < {expr} AND NOT EXISTS (SELECT 1 FROM {alert_t} a "
                    f"WHERE a.case_id = c.id AND a.level = %s)"
                ),
                params=[
                    AlertLevel.AFTER_CHECK_OVERDUE,
                    HandlingMode.COMMITMENT,
                    CaseState.APPROVED,
                    CaseState.DELIVERED,
                    *p,
                    AlertLevel.AFTER_CHECK_OVERDUE,
                ],
                now=db_now,
                token=raise_token,
            )
        if raised:
            _write_history(token=raise_token, now=db_now, history_type="+", reason="alert_scan: raised")
            _notify_new(token=raise_token)
    return ScanResult(raised=raised, closed=closed)


def _level_on(rules: LevelRules) -> bool:
    return rules.default is not None or any(
        v is not None for v in (*rules.items.values(), *rules.departments.values())
    )


def _notify_new(*, token: str) -> None:
    """Tell the holder, the department head and (red, statutory, refusal) the efficiency office:
    three queries for any number of new alerts, then one notify() per recipient."""
    alerts = list(Alert.objects.filter(scan_token=token).select_related("case", "case__holder", "case__item"))
    dept_ids = {a.department_id for a in alerts}
    heads: dict[int | None, list[User]] = {}
    for user in User.objects.filter(groups__name=Role.HEAD, department_id__in=dept_ids, is_active=True):
        heads.setdefault(user.department_id, []).append(user)
    office: list[User] = []
    if any(a.level in OFFICE_LEVELS for a in alerts):
        office = list(
            User.objects.filter(
                Q(groups__name=Role.INSPECTOR) | Q(department__is_efficiency_office=True), is_active=True
            ).distinct()
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
                    context={
                        "reference": case.reference,
                        "step": alert.step,
                        "step_due": alert.due.isoformat() if alert.due else None,
                    },
                    case=case,
                )
            else:
                notify(
                    recipient=user,
                    event="alert.raised",
                    context={
                        "reference": case.reference,
                        "item_name": case.item.name,
                        "level": alert.level,
                        "due": alert.due.isoformat() if alert.due else None,
                        "level_label": str(AlertLevel(alert.level).label),
                    },
                    case=case,
                )


# --- the alert's life ----------------------------------------------------------------------------


def _alert_check(alert: Alert, user: User, action: str) -> None:
    """403 when ``user`` may not explain / review, 409 when the alert's state (or a missing explanation)
    does not allow it now."""
    method = getattr(alert, action)
    if action == "explain" and not perm.may_explain(alert, user):
        raise PermissionDeniedError(_("只有办件承办人或本部门人员可以提交情况说明。"))
    if action == "review" and not perm.may_review(alert, user):
        raise PermissionDeniedError(_("只有效能办可以审核预警。"))
    if not can_proceed(method, check_conditions=False):
        raise ConflictError(_("该预警已说明或已审核。") if action == "explain" else _("该预警已审核。"))
    if not can_proceed(method):
        raise ConflictError(_("红牌和法定超期预警须先由承办人提交情况说明。"))


@transaction.atomic
def alert_explain(*, alert: Alert, actor: User, explanation: str) -> Alert:
    """The handler's written explanation (情况说明)."""
    alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
    _alert_check(alert, actor, "explain")
    explanation = (explanation or "").strip()
    if not explanation:
        raise ApplicationError(_("请填写情况说明。"), extra={"explanation": [_("请填写情况说明。")]})
    alert.explain()
    alert.explanation = explanation
    alert.explained_by = actor
    alert.explained_at = timezone.now()
    audited_save(alert, actor=actor, reason="explain")
    return alert


@transaction.atomic
def alert_review(*, alert: Alert, actor: User, note: str = "") -> Alert:
    """The efficiency office reviews the alert (after the explanation, which red and statutory need)."""
    alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
    _alert_check(alert, actor, "review")
    alert.review()
    alert.review_note = (note or "").strip()
    alert.reviewed_by = actor
    alert.reviewed_at = timezone.now()
    if alert.level in KEPT_UNTIL_REVIEWED and alert.closed_at is None:
        alert.closed_at = alert.reviewed_at
    audited_save(alert, actor=actor, reason="review")
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
    if not perm.is_efficiency_office(actor):
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
    audited_save(obj, actor=actor, reason="record")
    return obj
