import datetime
import html
import re
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localdate, localtime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from approvals import deadlines
from approvals.presentation import days_left_text

from .. import permissions
from ..constants import AlertLevel, AlertState, alert_due_unit

register = template.Library()


@register.filter
def is_supervisor(user: Any) -> bool:
    """Efficiency office or a department head: may open the supervision dashboard."""
    return permissions.is_supervisor(user)


@register.filter
def sees_alerts(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_portal_staff)


_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9_.-]+")
_CASE_URL_MARK = "CASEREFERENCE"
_url_patterns: dict[tuple[Any, str, str, tuple[str, ...]], str] = {}


def _url_with(name: str, marks: tuple[str, ...], values: tuple[str, ...]) -> str | None:
    """``reverse(name, args=values)`` from a URL reversed once per URLconf and prefix with ``marks`` as
    its arguments, each mark then replaced by its plain value (letters, digits, ``-_.``, which ``reverse``
    leaves as they are); "" when the URL is not mounted, None when a value is not plain (reverse it)."""
    if not all(isinstance(v, str) and _PLAIN_REFERENCE.fullmatch(v) for v in values):
        return None
    key = (get_urlconf(), get_script_prefix(), name, marks)
    pattern = _url_patterns.get(key)
    if pattern is None:
        try:
            pattern = reverse(name, args=marks)
        except NoReverseMatch:
            pattern = ""
        _url_patterns[key] = pattern
    for mark, value in zip(marks, values, strict=True):
        pattern = pattern.replace(mark, value)
    return pattern


@register.filter
def case_url(reference: str) -> str:
    """Drill-down to the case page (approvals:case_detail); empty while that page is not mounted. The
    URL is reversed once per URLconf and prefix and a plain reference put into it (``_url_with``): the
    dashboard's tables link 40 cases."""
    url = _url_with("approvals:case_detail", (_CASE_URL_MARK,), (reference,))
    return _reverse_case_url(reference) if url is None else url


def _reverse_case_url(reference: Any) -> str:
    try:
        return reverse("approvals:case_detail", args=[reference])
    except NoReverseMatch:
        return ""


_EXPORT_MARKS = ("EXPORTNAME", "EXPORTFORMAT")


@register.simple_tag
def export_url(name: str, fmt: str) -> str:
    """``{% url 'supervision:export' name fmt %}``, from the URL reversed once (``_url_with``)."""
    url = _url_with("supervision:export", _EXPORT_MARKS, (name, fmt))
    return reverse("supervision:export", args=[name, fmt]) if url is None else url


@register.simple_tag(takes_context=True)
def export_links(context: Any, name: str) -> SafeString:
    """The Excel and CSV links of one of the dashboard's tables, for its query string (``query``): the
    HTML of the template partial it replaced, without an ``{% include %}`` and two ``{% url %}`` a
    table."""
    query = _escape(context.get("query", ""))
    xlsx, csv = _escape(export_url(name, "xlsx")), _escape(export_url(name, "csv"))
    return mark_safe(  # noqa: S308 (every value escaped here)
        f'<span class="export-links">{_escape(_("导出"))}: <a href="{xlsx}?{query}">Excel</a> · '
        f'<a href="{csv}?{query}">CSV</a></span>\n'  # (the partial's file ended in a newline)
    )


@register.filter
def pct(rate: Any) -> str:
    value = getattr(rate, "value", rate)
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def frac(rate: Any) -> str:
    return f"{rate.numerator}/{rate.denominator}"


@register.filter
def days(value: Any) -> str:
    """Mean days with at most one decimal: 7.75 → "7.8", 9 → "9"; None → "—"."""
    if value is None:
        return "—"
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


# the cells of a figures row, in the order of _figures_head.html: (attribute, how it is shown); a rate
# also gets its fraction as the cell's title
_FIGURE_CELLS = (
    ("accepted", None),
    ("concluded", None),
    ("completion_rate", pct),
    ("early_rate", pct),
    ("on_time_rate", pct),
    ("overdue", None),
    ("statutory_breaches", None),
    ("mean_actual_days", days),
    ("actual_speedup", pct),
    ("satisfaction", pct),
    ("complaints_received", None),
    ("complaint_completion_rate", pct),
)


@register.simple_tag
def figure_cells(row: Any) -> SafeString:
    """The twelve cells of a figures row (the dashboard's month and department tables): built here
    rather than through an ``{% include %}`` per row, whose ≈ 25 variable lookups and filters a row cost
    more than the page's figures did to compute."""
    cells = []
    for name, show in _FIGURE_CELLS:
        value = getattr(row, name)
        if show is pct:
            cells.append(
                f'<td title="{conditional_escape(frac(value))}">{conditional_escape(pct(value))}</td>'
            )
        else:
            cells.append(f"<td>{conditional_escape(show(value) if show else value)}</td>")
    return mark_safe("".join(cells))  # noqa: S308 (every value escaped above)


@register.filter
def change_reason(value: str | None) -> str:
    """What a history entry of an alert says, in words (the services record a short code as the reason;
    supervision/apps.py registers its words)."""
    from portal.audit import reason_label

    from ..models import Alert

    return reason_label(value, Alert)


# The export tables of the dashboard, by their file name.
TABLE_LABELS = {
    "summary": _("主要指标"),
    "month": _("各月指标"),
    "department": _("各部门指标"),
    "window": _("各窗口指标"),
    "item": _("各事项指标"),
    "clerk": _("各受理人员指标"),
    "item_days": _("各事项办理时限"),
    "redblue_department": _("部门红蓝榜"),
    "redblue_window": _("窗口红蓝榜"),
    "overdue": _("超期在办件"),
    "alerts": _("监察预警"),
    "findings": _("效能问责"),
    "hall": _("大厅排队等候（各窗口各日）"),
}


@register.filter
def table_label(name: str) -> str:
    return str(TABLE_LABELS.get(name, name))


# The fields of the dashboard's filter, for its error messages.
FILTER_LABELS = {
    "accepted_from": _("受理起始日期"),
    "accepted_to": _("受理截止日期"),
    "as_of": _("统计时点"),
    "department": _("部门"),
    "by": _("分组"),
    "rb_month": _("月份"),
}


@register.filter
def filter_label(name: str) -> str:
    return str(FILTER_LABELS.get(name, ""))


def _label(choices: Any, value: Any) -> Any:
    """``get_<field>_display()`` of a choices field, without it: Django's builds a dict of every choice
    (each label translated to be hashed) on every call."""
    try:
        return choices(value).label
    except ValueError:
        return value


_escaped_labels: dict[tuple[str | None, Any, Any], str] = {}


def _escaped_label(choices: Any, value: Any) -> str:
    """``_escape(_label(choices, value))``, kept per language: a table's rows share a few labels."""
    key = (get_language(), choices, value)
    text = _escaped_labels.get(key)
    if text is None:
        text = _escaped_labels[key] = _escape(_label(choices, value))
    return text


def _escape(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrappers (a plain value: ``html.escape(str())``)."""
    html_method = getattr(value, "__html__", None)
    return html_method() if html_method is not None else html.escape(str(value))


def _ymd(value: Any) -> str:
    """``value|date:"Y-m-d"``: a date's ISO form (the same text without the format machinery)."""
    if type(value) is datetime.date:
        return value.isoformat()
    return date_filter(value, "Y-m-d")


def _due_cell(due: Any, today: datetime.date, unit: str | None) -> str:
    """A due date as the case pages show it (approvals.presentation): the date and, when ``unit`` is given
    (the date is still watched), the days left or overdue in that unit on a second line, coloured as the
    worklist colours it; the bare date otherwise ("" for none)."""
    text = _ymd(due)
    if unit is None or due is None:
        return _escape(text)
    left = deadlines.remaining(due=due, today=today, unit=unit)
    return (
        f'<span class="due-{deadlines.colour(left)}">{_escape(text)}<br>'
        f"{_escape(days_left_text(left, unit))}</span>"
    )


_ALERT_MARK = "424242424242"  # digits: the alert detail's URL takes an integer


def _ymd_hm(value: datetime.datetime) -> str:
    """``value|date:"Y-m-d H:i"`` for a year of four digits, without the format machinery."""
    if 1000 <= value.year:
        return value.strftime("%Y-%m-%d %H:%M")
    return date_filter(value, "Y-m-d H:i")


@register.simple_tag
def alert_row(alert: Any, today: datetime.date | None = None) -> SafeString:
    """One row of the alert table (the dashboard's open alerts, the alert list), built here rather than
    from ≈ 20 template nodes, variable lookups and filters a row: the same HTML, ≈ 3 ms less a page. An
    open alert's due date also says the days left (or overdue) on ``today`` (the page's local date), in
    the unit of its level (``constants.alert_due_unit``); a closed one shows the date alone."""
    e = _escape
    step = f" · {e(alert.step)}" if alert.step else ""
    case = alert.case
    reference = case.reference
    url = case_url(reference)
    case_cell = f'<a href="{e(url)}">{e(reference)}</a>' if url else e(reference)
    if alert.due is None:
        due = "—"
    else:  # a closed alert's date alone
        unit = None if alert.closed_at else alert_due_unit(alert.level, case.limit_unit)
        due = _due_cell(alert.due, today or localdate(), unit)
    closed = f" · {e(_('已关闭'))}" if alert.closed_at else ""
    raised = _ymd_hm(localtime(alert.raised_at))
    detail = _url_with("supervision:alert_detail", (_ALERT_MARK,), (str(alert.pk),))
    return mark_safe(  # noqa: S308 (every value escaped here)
        "<tr>\n"
        f'    <td><a href="{e(detail)}"><span class="alert-level level-{e(alert.level)}">'
        f"{_escaped_label(AlertLevel, alert.level)}</span>{step}</a></td>\n"
        f"    <td>{case_cell}</td>\n"
        f"    <td>{e(alert.department.name)}</td><td>{due}</td>\n"
        f"    <td>{_escaped_label(AlertState, alert.state)}{closed}</td><td>{e(raised)}</td>\n"
        "  </tr>"
    )


@register.simple_tag
def overdue_row(case: Any, today: datetime.date | None = None) -> SafeString:
    """One row of the dashboard's overdue table, built here as ``alert_row`` is: the same HTML as the
    template's ≈ 15 nodes, variable lookups and filters a row did (≈ 1.2 ms less a page). Both due dates
    say how far overdue (or how many days are left), on ``today``, in the case's own unit."""
    e = _escape
    today = today or localdate()
    reference = case.reference
    url = case_url(reference)
    case_cell = f'<a href="{e(url)}">{e(reference)}</a>' if url else e(reference)
    holder = case.holder.display_name if case.holder is not None else ""
    unit = case.limit_unit
    return mark_safe(  # noqa: S308 (every value escaped here)
        "<tr>\n"
        f"      <td>{case_cell}</td>\n"
        f"      <td>{e(case.item.name)}</td><td>{e(case.department.name)}</td>"
        f"<td>{_due_cell(case.promised_due, today, unit)}</td>"
        f"<td>{_due_cell(case.statutory_due, today, unit)}</td>"
        f"<td>{e(holder or '—')}</td>\n"
        "    </tr>"
    )
