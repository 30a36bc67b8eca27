"""Supervision pages: dashboard, alerts, alert detail (explain / review / accountability), exports."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_fsm import can_proceed, has_transition_perm

from hall.selectors import hall_figures, wait_alert_list
from portal.accounts.constants import Role
from portal.accounts.models import Department, User
from portal.exceptions import ApplicationError, PermissionDeniedError
from portal.forms import PortalFormMixin
from portal.http import AuthenticatedHttpRequest

from . import exports
from .constants import AlertLevel, AlertState, Breakdown, FindingKind
from .figures import analytic_snapshot, figures_many
from .permissions import is_efficiency_office, may_review
from .selectors import alert_list, figures_scope, overdue_cases
from .serializers import FiguresQuerySerializer
from .services import alert_explain, alert_review, finding_record


def _scope(request: HttpRequest) -> int | None:
    try:
        return figures_scope(user=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _cohort(
    request: HttpRequest, today: datetime.date | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Cohort parameters from the query string; defaults: this year to today, as of now."""
    today = today or timezone.localdate()
    data = {
        "accepted_from": request.GET.get("accepted_from") or today.replace(month=1, day=1).isoformat(),
        "accepted_to": request.GET.get("accepted_to") or today.isoformat(),
        "by": "",
    }
    if request.GET.get("as_of"):
        data["as_of"] = request.GET["as_of"]
    query = FiguresQuerySerializer(data=data)
    if query.is_valid():
        return dict(query.validated_data), {}
    fallback = FiguresQuerySerializer(
        data={"accepted_from": today.replace(month=1, day=1).isoformat(), "accepted_to": today.isoformat()}
    )
    fallback.is_valid(raise_exception=True)
    return dict(fallback.validated_data), {k: [str(m) for m in v] for k, v in query.errors.items()}


def _month(value: str) -> datetime.date | None:
    """A ``YYYY-MM`` month from the query string; None when it is not one (or so far off, like 9999-12,
    that the day after its end does not exist)."""
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").replace(tzinfo=datetime.UTC).date()
    except ValueError:
        return None
    return month if 1900 <= month.year <= 9000 else None


# what the dashboard's overdue and alert tables show (templates/supervision/dashboard.html, _alert_table.html)
_HOLDER_NAME = ("enterprise_name", "real_name", "first_name", "last_name", "username")  # User.display_name
# (a case's state too: django-fsm reads it when the row is loaded)
_OVERDUE_COLUMNS = (
    "reference",
    "state",
    "limit_unit",
    "promised_due",
    "statutory_due",
    "item__name",
    "department__name",
    *(f"holder__{f}" for f in _HOLDER_NAME),
)
_ALERT_COLUMNS = (
    "level",
    "step",
    "due",
    "state",
    "raised_at",
    "closed_at",
    "case__reference",
    "case__state",
    "case__limit_unit",
    "department__name",
)


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    department_id = _scope(request)
    # one local date for the whole page: the cohort's default end, the overdue cases and the days left
    today = timezone.localdate()
    cohort, errors = _cohort(request, today)
    cohort.pop("by", None)
    kw = dict(department_id=department_id, **cohort)
    # 红蓝榜 of one month (default: the last full month), departments and windows
    rb_month = _month(request.GET.get("rb_month", "")) or (
        today.replace(day=1) - datetime.timedelta(days=1)
    ).replace(day=1)
    rb_kw = dict(department_id=department_id, **exports.month_cohort(rb_month.year, rb_month.month))
    with analytic_snapshot():  # both in one snapshot, one transaction
        # one grouped query gives the overall row and the month, department and item breakdowns
        many = figures_many(by=[Breakdown.DEPARTMENT, Breakdown.ITEM, Breakdown.MONTH], **kw)
        # both boards from one grouped query (the window rollup has the department too)
        rb = figures_many(by=[Breakdown.DEPARTMENT, Breakdown.WINDOW], **rb_kw)
    summary, by_dept, by_item, by_month = many[None], many["department"], many["item"], many["month"]
    red_dept, blue_dept = exports.red_blue(rb["department"])
    red_win, blue_win = exports.red_blue(rb["window"])
    charts = {
        "months": [r.label for r in by_month.rows],
        "accepted": [r.accepted for r in by_month.rows],
        "concluded": [r.concluded for r in by_month.rows],
        "departments": [r.label for r in by_dept.rows],
        "dept_completion": [r.completion_rate.as_float() for r in by_dept.rows],
        "dept_on_time": [r.on_time_rate.as_float() for r in by_dept.rows],
        "dept_satisfaction": [r.satisfaction.as_float() for r in by_dept.rows],
        "items": [r.label for r in by_item.rows if r.elapsed_n],
        "item_statutory": [float(r.mean_statutory_limit or 0) for r in by_item.rows if r.elapsed_n],
        "item_promised": [float(r.mean_promised_limit or 0) for r in by_item.rows if r.elapsed_n],
        "item_actual": [float(r.mean_actual_days or 0) for r in by_item.rows if r.elapsed_n],
        "labels": {
            "accepted": str(_("受理量")),
            "concluded": str(_("办结量")),
            "completion": str(_("办结率")),
            "on_time": str(_("按时办结率")),
            "satisfaction": str(_("好评率")),
            "statutory": str(_("法定时限")),
            "promised": str(_("承诺时限")),
            "actual": str(_("实际办理时限")),
            "hall_mean": str(_("平均等候（分钟）")),
            "hall_p90": str(_("等候90分位（分钟）")),
        },
    }
    # the service hall's waiting figures (hall app, aggregated in SQL): per day over the whole period for
    # the chart; per window and day in the table for the period's last 31 days (the export has them all)
    hall_to = cohort["accepted_to"]
    hall_from = max(cohort["accepted_from"], hall_to - datetime.timedelta(days=30))
    hall_days = hall_figures(date_from=cohort["accepted_from"], date_to=hall_to, per_window=False)
    charts["hall_days"] = [d.date.isoformat() for d in hall_days]
    charts["hall_mean"] = [d.mean_wait_minutes for d in hall_days]
    charts["hall_p90"] = [d.p90_wait_minutes for d in hall_days]
    query = request.GET.urlencode()
    from .packages import package_figures

    context = {
        # 一件事 beside the cases: received in the same period (by submission), concluded by "as of"
        "packages": package_figures(
            submitted_from=cohort["accepted_from"],
            submitted_to=cohort["accepted_to"],
            as_of=cohort["as_of"],
            department_id=department_id,
        ),
        "hall_rows": hall_figures(date_from=hall_from, date_to=hall_to),
        "hall_table_from": hall_from if hall_from > cohort["accepted_from"] else None,
        "hall_alerts": wait_alert_list(),
        "summary": summary,
        "row": summary.rows[0],
        "by_month": by_month,
        "by_dept": by_dept,
        "by_item": by_item,
        "red_dept": red_dept,
        "blue_dept": blue_dept,
        "red_win": red_win,
        "blue_win": blue_win,
        # the two lists read only the columns their tables show (a case row and an alert row are wide)
        "overdue": overdue_cases(department_id=department_id, today=today).only(*_OVERDUE_COLUMNS)[:20],
        "alerts": alert_list(user=request.user, filters={"open": "1"})
        .select_related(None)
        .select_related("case", "department")
        .only(*_ALERT_COLUMNS)[:20],
        "charts": charts,
        "cohort": cohort,
        "errors": errors,
        "is_office": department_id is None,
        "department": Department.objects.filter(pk=department_id).first() if department_id else None,
        "tables": exports.TABLE_NAMES,
        "query": query,
        "this_month": today.strftime("%Y-%m"),
        "rb_month": rb_month.strftime("%Y-%m"),
        "today": today,
    }
    return render(request, "supervision/dashboard.html", context)


@login_required
def export(request: AuthenticatedHttpRequest, name: str, fmt: str) -> HttpResponse:
    department_id = _scope(request)
    if name not in exports.TABLE_NAMES or fmt not in ("xlsx", "csv"):
        raise Http404
    cohort, _errors = _cohort(request)
    cohort.pop("by", None)
    table = exports.cohort_tables(name=name, department_id=department_id, user=request.user, **cohort)
    return _file([table], f"supervision-{name}", fmt)


@login_required
def monthly_report(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    department_id = _scope(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    month = _month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    tables = exports.monthly_report(
        year=month.year, month=month.month, department_id=department_id, user=request.user
    )
    return _file(tables, f"supervision-monthly-{month:%Y-%m}", fmt)


def _file(tables: list[exports.Table], stem: str, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        body = exports.to_xlsx(tables)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.to_csv(tables)
        ctype = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _staff_only(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_authenticated and user.is_portal_staff):
        raise PermissionDenied


@login_required
def alerts(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    filters = {k: request.GET.get(k, "") for k in ("level", "state", "open")}
    qs = alert_list(user=request.user, filters=request.GET)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/alerts.html",
        {
            "page": page,
            "filters": filters,
            "levels": AlertLevel.choices,
            "states": AlertState.choices,
            "query": request.GET.urlencode(),
            "today": timezone.localdate(),  # the alerts' days left
        },
    )


class ExplainForm(PortalFormMixin, forms.Form):
    explanation = forms.CharField(
        label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ReviewForm(PortalFormMixin, forms.Form):
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class FindingForm(PortalFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("问责方式"), choices=FindingKind.choices)
    person = forms.ModelChoiceField(label=_("被问责人员"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("被问责部门"), queryset=Department.objects.all(), required=False
    )
    finding = forms.CharField(
        label=_("问责事实与依据"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(
            groups__name__in=[Role.CLERK, Role.REVIEWER, Role.DECIDER, Role.HEAD]
        ).distinct()
        if department is not None:
            staff = staff.filter(department=department)
            self.fields["department"].initial = department.pk
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = staff.order_by("username")


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    alert = get_object_or_404(alert_list(user=request.user), pk=pk)
    user = request.user
    assert isinstance(user, User)  # _staff_only let only signed-in staff through
    explain_form = ExplainForm(prefix="explain")
    review_form = ReviewForm(prefix="review")
    finding_form = FindingForm(prefix="finding", department=alert.department)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "explain":
                explain_form = ExplainForm(request.POST, prefix="explain")
                if explain_form.is_valid():
                    alert_explain(
                        alert=alert, actor=user, explanation=explain_form.cleaned_data["explanation"]
                    )
                    messages.success(request, _("情况说明已提交。"))
                    return redirect("supervision:alert_detail", pk=alert.pk)
            elif action == "review":
                review_form = ReviewForm(request.POST, prefix="review")
                if review_form.is_valid():
                    alert_review(alert=alert, actor=user, note=review_form.cleaned_data["note"])
                    messages.success(request, _("预警已审核。"))
                    return redirect("supervision:alert_detail", pk=alert.pk)
            elif action == "finding":
                finding_form = FindingForm(request.POST, prefix="finding", department=alert.department)
                if finding_form.is_valid():
                    cd = finding_form.cleaned_data
                    finding_record(
                        actor=user,
                        alert=alert,
                        kind=cd["kind"],
                        finding=cd["finding"],
                        person=cd["person"],
                        department=cd["department"],
                    )
                    messages.success(request, _("效能问责已记录。"))
                    return redirect("supervision:alert_detail", pk=alert.pk)
            else:
                messages.error(request, _("未知操作。"))
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ApplicationError as exc:
            messages.error(request, exc.message)
    history = alert.history.select_related("history_user").order_by("history_date", "history_id")
    try:
        case_url = reverse("approvals:case_detail", args=[alert.case.reference])
    except Exception:  # noqa: BLE001 - the approvals page may not be mounted yet
        case_url = ""
    return render(
        request,
        "supervision/alert_detail.html",
        {
            "alert": alert,
            "case": alert.case,
            "case_url": case_url,
            "history": history,
            "findings": alert.findings.select_related("person", "department", "recorded_by"),
            "can_explain": has_transition_perm(alert.explain, user),
            # shown while not reviewed (a red card not yet explained answers why it cannot be reviewed yet)
            "can_review": may_review(alert, user) and can_proceed(alert.review, check_conditions=False),
            "can_record": is_efficiency_office(user),
            "explain_form": explain_form,
            "review_form": review_form,
            "finding_form": finding_form,
        },
    )
