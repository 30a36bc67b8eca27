"""Tables of the dashboards as (title, headers, rows), written to .xlsx (supervision.xlsx) or CSV, and the
monthly report (one workbook, one sheet per table)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from approvals.constants import CaseState
from hall.selectors import hall_figures

from .constants import AlertLevel, AlertState, Breakdown, FindingKind
from .figures import Rate, Report, Row, analytic_snapshot, figures, figures_many, month_end_moment
from .selectors import alert_list, finding_list, overdue_cases


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


FIGURE_HEADERS = [
    "受理量",
    "办结量",
    "办结率",
    "提前办结率",
    "按时办结率",
    "超期件",
    "法定超期件",
    "平均实际办理时限（工作日）",
    "实际提速率",
    "好评率",
    "评价数",
    "投诉受理量",
    "投诉办结量",
    "投诉办结率",
]


def _cell(value: Any) -> Any:
    if isinstance(value, Rate):
        return value.as_float()
    if hasattr(value, "is_finite"):  # Decimal
        return float(value)
    return value


def figure_cells(row: Row) -> list[Any]:
    return [
        _cell(v)
        for v in (
            row.accepted,
            row.concluded,
            row.completion_rate,
            row.early_rate,
            row.on_time_rate,
            row.overdue,
            row.statutory_breaches,
            row.mean_actual_days,
            row.actual_speedup,
            row.satisfaction,
            row.ratings,
            row.complaints_received,
            row.complaints_concluded,
            row.complaint_completion_rate,
        )
    ]


GROUP_TITLES = {
    None: ("总体指标", "范围"),
    Breakdown.DEPARTMENT: ("各部门指标", "部门"),
    Breakdown.ITEM: ("各事项指标", "事项"),
    Breakdown.WINDOW: ("各窗口指标", "窗口"),
    Breakdown.CLERK: ("各受理人员指标", "受理人员"),
    Breakdown.MONTH: ("各月指标", "月份"),
}


def figures_table(report: Report) -> Table:
    title, first = GROUP_TITLES[Breakdown(report.by) if report.by else None]
    rows = [[r.label] + figure_cells(r) for r in report.rows]
    if not report.by:
        rows[0].append(_cell(report.promised_speedup))
        return Table("summary", title, [first] + FIGURE_HEADERS + ["承诺提速率"], rows)
    return Table(report.by, title, [first] + FIGURE_HEADERS, rows)


def item_days_table(report: Report) -> Table:
    """Statutory vs promised vs actual days per item (concluded cases)."""
    rows = [
        [
            r.label,
            _cell(r.mean_statutory_limit),
            _cell(r.mean_promised_limit),
            _cell(r.mean_actual_days),
            r.elapsed_n,
        ]
        for r in report.rows
        if r.elapsed_n
    ]
    return Table(
        "item_days",
        "法定、承诺与实际办理时限对比",
        ["事项", "法定时限", "承诺时限", "实际办理时限", "办结量"],
        rows,
    )


def red_blue(report: Report, size: int = 3) -> tuple[list[Row], list[Row]]:
    """红蓝榜: the best (red) and worst (blue) groups by on-time rate, then satisfaction, then fewer
    overdue cases; only groups with concluded cases are ranked."""
    ranked = [r for r in report.rows if r.concluded and r.group is not None]

    def score(r: Row) -> tuple[Any, ...]:
        return (
            r.on_time_rate.value or 0,
            r.satisfaction.value if r.satisfaction.value is not None else 0,
            -r.overdue,
            r.completion_rate.value or 0,
        )

    ranked.sort(key=score, reverse=True)
    k = min(size, max(1, len(ranked) // 2))  # never the same group on both lists
    red = ranked[:k]
    blue = [r for r in reversed(ranked) if r not in red][:k]
    return red, blue


def red_blue_table(report: Report, what: str) -> Table:
    red, blue = red_blue(report)
    rows = [["红榜", i + 1, r.label] + figure_cells(r) for i, r in enumerate(red)]
    rows += [["蓝榜", i + 1, r.label] + figure_cells(r) for i, r in enumerate(blue)]
    return Table(f"redblue_{report.by}", f"{what}红蓝榜", ["榜单", "名次", what] + FIGURE_HEADERS, rows)


def overdue_table(*, department_id: int | None, limit: int | None = None) -> Table:
    # plain tuples of the columns shown (a report may list thousands of overdue cases: no model
    # instances, no choices lookup per row)
    qs = overdue_cases(department_id=department_id).values_list(
        "reference",
        "item__name",
        "department__name",
        "state",
        "accepted_on",
        "promised_due",
        "statutory_due",
        "holder__enterprise_name",
        "holder__real_name",
        "holder__first_name",
        "holder__last_name",
        "holder__username",
    )
    total = None
    if limit:
        total = overdue_cases(department_id=department_id).count()  # always: a constant number of queries
        qs = qs[:limit]
    today = timezone.localdate()
    states = {str(value): str(label) for value, label in CaseState.choices}
    rows = [
        [
            reference,
            item,
            department,
            states.get(state, state),
            accepted_on,
            promised_due,
            statutory_due,
            (today - promised_due).days if promised_due else None,
            _holder_name(*holder),
        ]
        for reference, item, department, state, accepted_on, promised_due, statutory_due, *holder in qs
    ]
    if total is not None and total > len(rows):
        rows.append([f"共 {total} 件，此处列出超期最久的 {len(rows)} 件；完整清单请导出“超期在办件”。"])
    return Table(
        "overdue",
        "超期在办件",
        [
            "申报号",
            "事项",
            "部门",
            "状态",
            "受理日期",
            "承诺办结日期",
            "法定办结日期",
            "超期自然日",
            "承办人",
        ],
        rows,
    )


def _holder_name(enterprise: Any, real: Any, first: Any, last: Any, username: Any) -> str:
    """``User.display_name`` from the columns (empty when the case has no holder)."""
    if username is None:
        return ""
    return enterprise or real or f"{first} {last}".strip() or username


def alerts_table(*, user: Any, filters: dict[str, Any] | None = None, limit: int | None = None) -> Table:
    qs = alert_list(user=user, filters=filters)
    if limit:
        qs = qs[:limit]
    rows = [
        [
            a.case.reference,
            AlertLevel(a.level).label,
            a.step,
            a.department.name,
            a.due,
            AlertState(a.state).label,
            timezone.localtime(a.raised_at).replace(tzinfo=None),
            timezone.localtime(a.closed_at).replace(tzinfo=None) if a.closed_at else None,
            a.explanation,
            a.review_note,
        ]
        for a in qs
    ]
    return Table(
        "alerts",
        "监察预警",
        [
            "申报号",
            "级别",
            "环节",
            "部门",
            "到期日期",
            "状态",
            "预警时间",
            "关闭时间",
            "情况说明",
            "审核意见",
        ],
        rows,
    )


def findings_table(*, user: Any) -> Table:
    rows = [
        [
            timezone.localtime(f.recorded_at).replace(tzinfo=None),
            f.department.name,
            f.person.display_name if f.person else "",
            FindingKind(f.kind).label,
            f.finding,
            f.case.reference if f.case else "",
            f.recorded_by.display_name,
        ]
        for f in finding_list(user=user)
    ]
    return Table(
        "findings",
        "效能问责",
        ["记录时间", "部门", "人员", "问责方式", "事实与依据", "申报号", "记录人"],
        rows,
    )


def cohort_tables(
    *,
    name: str,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    department_id: int | None,
    user: Any,
) -> Table:
    """One named table of the dashboard for export."""
    kw: dict[str, Any] = dict(
        accepted_from=accepted_from, accepted_to=accepted_to, as_of=as_of, department_id=department_id
    )
    if name == "summary":
        return figures_table(figures(**kw))
    if name in Breakdown.values:
        return figures_table(figures(by=name, **kw))
    if name == "item_days":
        return item_days_table(figures(by=Breakdown.ITEM, **kw))
    if name == "redblue_department":
        return red_blue_table(figures(by=Breakdown.DEPARTMENT, **kw), "部门")
    if name == "redblue_window":
        return red_blue_table(figures(by=Breakdown.WINDOW, **kw), "窗口")
    if name == "overdue":
        return overdue_table(department_id=department_id)
    if name == "alerts":
        return alerts_table(user=user, filters={"department": department_id} if department_id else None)
    if name == "findings":
        return findings_table(user=user)
    if name == "hall":
        return hall_table(date_from=accepted_from, date_to=accepted_to)
    raise KeyError(name)


TABLE_NAMES = [
    "summary",
    *Breakdown.values,
    "item_days",
    "redblue_department",
    "redblue_window",
    "overdue",
    "alerts",
    "findings",
    "hall",
]

HALL_HEADERS = [
    "日期",
    "窗口",
    "叫号量",
    "预约签到",
    "爽约",
    "平均等候（分钟）",
    "等候90分位（分钟）",
    "等候超30分钟占比",
    "平均办理时长（分钟）",
]


def hall_table(*, date_from: datetime.date, date_to: datetime.date) -> Table:
    """The service hall's waiting figures per window and day (DESIGN §9)."""
    rows = [
        [
            r.date,
            f"{r.window}号窗口" if r.window is not None else "（未到窗口）",
            r.tickets,
            r.appointments,
            r.no_shows,
            _cell(r.mean_wait_minutes),
            _cell(r.p90_wait_minutes),
            _cell(r.over_30_share),
            _cell(r.mean_service_minutes),
        ]
        for r in hall_figures(date_from=date_from, date_to=date_to)
    ]
    return Table("hall", "大厅排队等候（各窗口各日）", HALL_HEADERS, rows)


def month_cohort(year: int, month: int) -> dict[str, Any]:
    """The cohort of one month: accepted in it, as of the end of the month (or now, if earlier)."""
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    as_of = month_end_moment(start)  # the figures rollup keeps every settled case as it stood then
    return {"accepted_from": start, "accepted_to": end, "as_of": min(as_of, timezone.now())}


REPORT_OVERDUE_ROWS = 200


def monthly_report(*, year: int, month: int, department_id: int | None, user: Any) -> list[Table]:
    """The monthly report: the month's cohort as of the end of the month (Asia/Shanghai)."""
    kw = dict(department_id=department_id, **month_cohort(year, month))
    # two grouped queries over the figures rollup (and the few live cases): one per rollup shape
    with analytic_snapshot():  # both in one snapshot, one transaction
        by_item = figures_many(by=[Breakdown.ITEM], **kw)
        by_desk = figures_many(by=[Breakdown.DEPARTMENT, Breakdown.WINDOW], **kw)
    by_dept, by_window = by_desk["department"], by_desk["window"]
    tables = [figures_table(by_item[None]), figures_table(by_dept), figures_table(by_window)]
    tables += [red_blue_table(by_dept, "部门"), red_blue_table(by_window, "窗口")]
    tables.append(item_days_table(by_item["item"]))
    # the most overdue cases only (every overdue case is in the dashboard's own overdue export): at
    # 1,000,000 cases there are thousands, and listing them all was most of the report's time
    tables.append(overdue_table(department_id=department_id, limit=REPORT_OVERDUE_ROWS))
    tables.append(hall_table(date_from=kw["accepted_from"], date_to=kw["accepted_to"]))
    tables.append(package_table(**kw))
    return tables


def package_table(
    *,
    accepted_from: datetime.date,
    accepted_to: datetime.date,
    as_of: datetime.datetime,
    department_id: int | None,
) -> Table:
    """一件事 beside the cases (DESIGN §10): packages submitted in the period, concluded by "as of", and the
    mean working days from submission to the last result."""
    from .packages import package_figures

    f = package_figures(
        submitted_from=accepted_from, submitted_to=accepted_to, as_of=as_of, department_id=department_id
    )
    return Table("packages", "一件事", PACKAGE_HEADERS, [[f.received, f.concluded, _cell(f.mean_days)]])


PACKAGE_HEADERS = ["一件事受理量", "一件事办结量", "平均办理时长（工作日，自提交至最后一项办结）"]


# --- writers -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    s = str(value)
    # spreadsheet formula injection: neutralise cells that start like a formula
    if s[:1] in ("=", "+", "-", "@") and not _is_number(s):
        s = "'" + s
    return s


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def to_csv(tables: Iterable[Table]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    first = True
    for table in tables:
        if not first:
            writer.writerow([])
        first = False
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM so that Excel opens Chinese text correctly


def to_xlsx(tables: Iterable[Table]) -> bytes:
    """One sheet per table (``xlsx.workbook``: the header row bold and frozen); numbers and dates as
    such, any other value as neutralised text (``_text``)."""
    from .xlsx import workbook

    return workbook(
        [
            (
                table.title,
                table.headers,
                (
                    [v if isinstance(v, (int, float, datetime.date)) or v is None else _text(v) for v in row]
                    for row in table.rows
                ),
            )
            for table in tables
        ]
    )
