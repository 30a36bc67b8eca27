"""Case pages: the citizen's cases, the case page with its timeline and one form per available
transition, the worklists of the window and the departments, the public progress query and notices."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from intake.models import Application
from intake.services.packages import PACKAGE_REFERENCE_PREFIX
from intake.views.apply import delivery_choices
from portal import ratelimits
from portal.accounts.constants import Role
from portal.exceptions import ApplicationError
from portal.http import AuthenticatedHttpRequest

from . import deadlines, presentation, selectors
from .constants import CLOSED_STATES, LOG_ONLY_ACTIONS, CaseAction, CaseState, DeliveryMethod, MaterialVerdict
from .filters import CaseFilter, ResultsQueueFilter
from .forms import SubApprovalAnswerForm, SubApprovalResolveForm, TransitionForm
from .models import Case
from .permissions import (
    case_transition_check,
    is_window_supervisor,
    may_answer_sub_approval,
    may_check_materials,
    may_resolve_sub_approval,
)
from .services.delivery import CHANGE_DELIVERY, CHANGEABLE_STATES, case_delivery_change
from .services.intake import MaterialCheckInput, case_check_materials
from .services.parallel import subapproval_answer, subapproval_resolve
from .services.refusal import refusal_remedies
from .transitions import TRANSITIONS, Transition, available_transitions


@login_required
def my_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = (
        selectors.case_visible(user=request.user)
        .filter(applicant=request.user)
        .select_related("application__package_application__package")
        .order_by("-submitted_at")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    deadlines.annotate_times(page.object_list, selectors.today())
    drafts = Application.objects.filter(applicant=request.user, status="draft").count()
    # 一件事 (DESIGN §10): the packages first, each followed as one thing
    from .packages import own_package_applications, package_view

    packages = [
        package_view(
            bundle, selectors.today(), [a.case for a in bundle.item_applications.all() if hasattr(a, "case")]
        )
        for bundle in own_package_applications(request.user)[:5]
    ]
    return render(request, "approvals/my_cases.html", {"page": page, "drafts": drafts, "views": packages})


def _transition_forms(
    request: AuthenticatedHttpRequest, case: Case
) -> tuple[list[tuple[Transition, TransitionForm]], TransitionForm | None]:
    """A form for every transition the user may fire now; the one just refused comes back bound, with
    its input and its messages beside the fields (returned second, for the error summary at the top)."""
    kept = request.session.pop("transition_form", None) or {}
    out = []
    failed = None
    for transition in available_transitions(case=case, user=request.user):
        if kept.get("name") == transition.name:
            form = transition.form(MultiValueDict(kept.get("data") or {}), case=case)
            form.is_valid()
            for field, messages_ in (kept.get("errors") or {}).items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
            failed = form
        else:
            form = transition.form(case=case)
        out.append((transition, form))
    return out, failed


# Entries of the transition log that are not transitions of the case's state machine.
TIMELINE_LABELS = LOG_ONLY_ACTIONS


def _co_approval_forms(request: AuthenticatedHttpRequest, case: Case) -> list[dict[str, Any]]:
    """并联, on the case page: the answer form of the user's department's open part, and the lead's
    resolution form of each unresolved disagreement — only where the user may use them. A form just
    refused comes back with its input and messages."""
    if case.mode != "parallel":
        return []
    kept = request.session.pop("co_form", None) or {}
    out: list[dict[str, Any]] = []
    form_class: type[Form]
    for sub in case.sub_approvals.select_related("department"):
        if not sub.answer and may_answer_sub_approval(sub, request.user):
            kind, form_class = "answer", SubApprovalAnswerForm
        elif sub.blocks_approval and may_resolve_sub_approval(sub, request.user):
            kind, form_class = "resolve", SubApprovalResolveForm
        else:
            continue
        prefix = f"co{sub.pk}"
        if kept.get("id") == sub.pk and kept.get("kind") == kind:
            form = form_class(MultiValueDict(kept.get("data") or {}), auto_id=f"{prefix}-%s")
            form.is_valid()
            for field, messages_ in (kept.get("errors") or {}).items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            form = form_class(auto_id=f"{prefix}-%s")
        out.append({"sub": sub, "kind": kind, "form": form})
    return out


@login_required
def case_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    if reference.startswith(f"{PACKAGE_REFERENCE_PREFIX}-"):  # a package's notices link here
        return redirect("approvals:package_detail", reference=reference)
    case = selectors.case_get(user=request.user, reference=reference)
    today = selectors.today()
    deadlines.annotate_times([case], today)
    is_applicant = case.applicant_id == request.user.pk
    timeline = list(case.transitions.select_related("actor").all())
    labels = {**dict(CaseAction.choices), **TIMELINE_LABELS}
    methods = dict(DeliveryMethod.choices)
    for entry in timeline:
        entry.timeline_label = labels.get(entry.name, "")  # type: ignore[attr-defined]
        if entry.name == CHANGE_DELIVERY:  # "窗口领取 → 邮寄送达（address）", in words
            entry.delivery_from, entry.delivery_to = (  # type: ignore[attr-defined]
                _delivery_words(methods, (entry.data or {}).get(k) or {}) for k in ("from", "to")
            )
    transitions, failed = _transition_forms(request, case)
    bundle = case.application.package_application if case.application.package_application_id else None
    if bundle is not None:  # 一件事: the window checks, corrects and accepts on the package page, as one
        transitions = [(t, f) for t, f in transitions if t.name not in PACKAGE_WHOLE_ACTIONS]
    may_check = (
        may_check_materials(case, request.user) and case.state == CaseState.SUBMITTED and bundle is None
    )
    check_kept = request.session.pop("material_check", None) or {}
    rows = selectors.material_rows(case=case) if request.user.is_portal_staff else []
    for row in rows:  # what the clerk sent last time, if it was refused, with the messages
        pk = str(row.material.pk)
        if f"verdict_{pk}" in (check_kept.get("data") or {}):
            data = check_kept["data"]
            row.kept = {
                "verdict": data.get(f"verdict_{pk}", ""),
                "problem": data.get(f"problem_{pk}", ""),
                "seen": data.get(f"seen_{pk}") == "1",
            }
        row.errors = {
            k.split("_")[0]: v for k, v in (check_kept.get("errors") or {}).items() if k.endswith(f"_{pk}")
        }
    return render(
        request,
        "approvals/case_detail.html",
        {
            "case": case,
            "app": case.application,
            "bundle": bundle,
            "timeline": timeline,
            "transitions": transitions,
            "failed_form": failed,
            "material_rows": rows,
            "check_errors": [
                (_check_anchor(k), m) for k, ms in (check_kept.get("errors") or {}).items() for m in ms
            ],
            "phrase_fields": {t.name: getattr(f, "phrase_field", "") for t, f in transitions},
            "is_applicant": is_applicant,
            "is_staff_view": request.user.is_portal_staff,
            "materials": case.application.materials.all(),
            "answers": case.application.form_answers(),
            "suspensions": case.suspensions.all(),
            "sub_approvals": case.sub_approvals.select_related("department"),
            "co_forms": _co_approval_forms(request, case),
            "correction": case.transitions.filter(name="request_correction").last()
            if case.state == CaseState.CORRECTION_REQUESTED
            else None,
            "verdicts": MaterialVerdict.choices,
            "may_check": may_check,
            "unchecked_files": [f for row in rows for f in row.unchecked],
            "steps": presentation.step_bar(case),
            "due_rows": presentation.due_rows(case, today),
            "suspension_now": presentation.open_suspension(case),
            "delivery_changeable": case.state in CHANGEABLE_STATES,
            "delivery_changes": [t for t in timeline if t.name == CHANGE_DELIVERY],
            # the issuing department's decider or head may re-issue its licence (licences/services.py)
            "may_decide": request.user.department_id == case.department_id
            and request.user.has_role(Role.DECIDER, Role.HEAD),
            "delivery_choices": delivery_choices(),
            "delivery_errors": request.session.pop("delivery_errors", None),
        },
    )


def _delivery_words(methods: dict[str, Any], choice: dict[str, Any]) -> str:
    words = str(methods.get(choice.get("method", ""), choice.get("method", "")))
    if choice.get("address"):
        words += f"（{choice['address']}）"
    return words


# What the window does to a package's cases only on the package page, all at once (DESIGN §10).
PACKAGE_WHOLE_ACTIONS = {CaseAction.ACCEPT, CaseAction.REQUEST_CORRECTION, CaseAction.SUPPLY}


def _check_anchor(key: str) -> str:
    """The control a material check's message leads to: ``verdict_12`` → its first radio, ``problem_12``."""
    kind, _sep, pk = key.partition("_")
    return f"verdict-{pk}-ok" if kind == "verdict" else f"problem-{pk}"


@login_required
@require_POST
def delivery_change(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The applicant changes how the result reaches them (送达), until it is delivered."""
    case = selectors.case_get(user=request.user, reference=reference)
    try:
        case_delivery_change(
            case=case,
            actor=request.user,
            method=request.POST.get("delivery_method", ""),
            address=request.POST.get("delivery_address", ""),
        )
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        request.session["delivery_errors"] = exc.extra or {"delivery_method": [exc.message]}
        messages.error(request, exc.message)
        return redirect(reverse("approvals:case_detail", args=[case.reference]) + "#delivery-change")
    messages.success(request, _("送达方式已修改。"))
    return redirect("approvals:case_detail", reference=case.reference)


def _keep_form(request: HttpRequest, name: str, errors: dict[str, Any]) -> None:
    """Keep what was typed (not the files) and the field messages for the case page to show again."""
    data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
    request.session["transition_form"] = {
        "name": name,
        "data": data,
        "errors": {k: [str(m) for m in v] for k, v in errors.items()},
    }


@login_required
@require_POST
def case_transition(request: AuthenticatedHttpRequest, reference: str, name: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, reference=reference)
    back = redirect("approvals:case_detail", reference=reference)
    transition = TRANSITIONS.get(name)
    if transition is None:
        messages.error(request, _("没有这个操作：%(name)s") % {"name": name})
        return back
    if request.FILES and ratelimits.limited(request, "upload"):
        messages.error(request, _("上传过于频繁，请稍后再试。"))
        return render(request, "approvals/too_many.html", {"case": case}, status=429)
    try:
        case_transition_check(case=case, user=request.user, action=name)
        form = transition.form(request.POST, request.FILES, case=case)
        if not form.is_valid():  # the messages go beside the fields and into the summary at the top
            _keep_form(request, name, {})
            return redirect(f"{back.url}#{name}")
        transition.fire(case=case, actor=request.user, data=form.cleaned_data)
    except ApplicationError as exc:  # 400 / 403 / 409 all carry a message for the user
        if exc.extra:  # a rule about the input: the message at the top, the field's beside it
            _keep_form(request, name, {"__all__": [exc.message], **exc.extra})
        else:
            messages.error(request, exc.message)
        return back
    except (TransitionNotAllowed, ConcurrentTransition):
        messages.error(request, _("该办件的状态已变化，当前不能执行此操作，请刷新后重试。"))
        return back
    messages.success(request, _("操作成功：%(label)s") % {"label": transition.label})
    return back


@login_required
@require_POST
def check_materials(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Save the material check: every row sent (the "save" button), or the one row named by ``row``
    (the row's own button, or the page's script as the clerk goes, which asks for JSON)."""
    case = selectors.case_get(user=request.user, reference=reference)
    wants_json = "application/json" in request.headers.get("Accept", "")
    only = request.POST.get("row", "")
    checks: dict[int, MaterialCheckInput] = {}
    for row in selectors.checkable_materials(case):
        pk = str(row.pk)
        if (only and only != pk) or f"verdict_{pk}" not in request.POST and not only:
            continue
        checks[row.pk] = {
            "verdict": request.POST.get(f"verdict_{pk}", ""),
            "problem": request.POST.get(f"problem_{pk}", "")[:1000],
            "original_seen": request.POST.get(f"seen_{pk}") == "1",
        }
    back = f"{reverse('approvals:case_detail', args=[reference])}#check-{only or 'materials'}"
    try:
        reviews = case_check_materials(case=case, actor=request.user, checks=checks)
    except ApplicationError as exc:
        if wants_json:
            return JsonResponse({"message": exc.message, "errors": exc.extra}, status=exc.status_code)
        if exc.extra:
            data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
            request.session["material_check"] = {
                "data": data,
                "errors": {k: [str(m) for m in v] for k, v in exc.extra.items()},
            }
        messages.error(request, exc.message)
        return redirect(back)
    if wants_json:
        return JsonResponse({"saved": sorted(str(pk) for pk in checks)})
    fix = [r for r in reviews if r.verdict == MaterialVerdict.FIX]
    if only:
        messages.success(request, _("已保存。"))
    elif fix:
        messages.warning(
            request,
            _("已保存。%(n)s项材料需补正，已在下方“一次性补正告知”中勾选。") % {"n": len(fix)},
        )
    else:
        messages.success(request, _("已保存材料核验结果。"))
    return redirect(back)


def _worklist(
    request: AuthenticatedHttpRequest,
    *,
    title: str,
    base: QuerySet[Case],
    roles: tuple[str, ...],
    template_extra: dict[str, Any] | None = None,
    filterset: type[CaseFilter] = CaseFilter,
) -> HttpResponse:
    if not request.user.has_role(*roles):
        raise PermissionDenied
    filters = {k: request.GET.get(k, "") for k in ("item", "state", "overdue", "due_soon")}
    qs = filterset(request.GET, queryset=base).qs
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = deadlines.annotate_times(page.object_list, selectors.today())
    return render(
        request,
        "approvals/worklist.html",
        {
            "title": title,
            "page": page,
            "rows": rows,
            "filters": filters,
            "states": CaseState.choices,
            **(template_extra or {}),
        },
    )


@login_required
def clerk_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Submitted online applications of every department, oldest first, with how long each has waited."""
    base = (
        selectors.case_visible(user=request.user)
        .filter(state__in=[CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED])
        .order_by("submitted_at", "id")
    )
    return _worklist(
        request,
        title=_("综合受理窗口：待受理"),
        base=base,
        roles=(Role.CLERK,),
        template_extra={"intake_queue": True},
    )


@login_required
def refusal_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """不予受理待签批: the window's refusal proposals, for the head of the owning department (their own
    department's) and for the window supervisor (every department's: the one window takes them all in);
    DESIGN §3."""
    base = (
        selectors.case_visible(user=request.user)
        .filter(refusal_proposed_by__isnull=False)
        .filter(state__in=[CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED])
        .order_by("submitted_at", "id")
    )
    if not is_window_supervisor(request.user):
        if not request.user.has_role(Role.HEAD):
            raise PermissionDenied
        base = base.filter(department_id=request.user.department_id or 0)
    return _worklist(
        request,
        title=_("不予受理待签批"),
        base=base,
        roles=(Role.HEAD, Role.CLERK),
        template_extra={"intake_queue": True},
    )


@login_required
def co_approval_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """并联: the parts of parallel cases this department co-handles, unanswered first (DESIGN §3)."""
    if not request.user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD):
        raise PermissionDenied
    pending = request.GET.get("pending") == "1"
    qs = selectors.co_approval_queue(user=request.user, filters=request.GET)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/co_approval_queue.html",
        {"page": page, "pending": pending, "today": selectors.today()},
    )


@login_required
@require_POST
def co_approval_act(request: AuthenticatedHttpRequest, reference: str, pk: int, kind: str) -> HttpResponse:
    """POST a co-department's answer (``answer``) or the lead's resolution of a disagreement (``resolve``)."""
    case = selectors.case_get(user=request.user, reference=reference)
    sub = case.sub_approvals.filter(pk=pk).first()
    back = redirect("approvals:case_detail", reference=reference)
    if sub is None or kind not in ("answer", "resolve"):
        raise Http404
    form_class: type[Form] = SubApprovalAnswerForm if kind == "answer" else SubApprovalResolveForm
    form = form_class(request.POST)
    data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
    try:
        if not form.is_valid():
            raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=dict(form.errors))
        if kind == "answer":
            subapproval_answer(sub=sub, actor=request.user, **form.cleaned_data)
            messages.success(request, _("协办意见已提交，牵头部门已收到通知。"))
        else:
            subapproval_resolve(sub=sub, actor=request.user, **form.cleaned_data)
            messages.success(request, _("分歧处理结果已记录。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        errors = {k: [str(m) for m in v] for k, v in exc.extra.items()}
        request.session["co_form"] = {"id": sub.pk, "kind": kind, "data": data, "errors": errors}
    return back


@login_required
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    base = (
        selectors.case_visible(user=request.user)
        .filter(
            department_id=request.user.department_id or 0,
            state__in=[CaseState.ACCEPTED, CaseState.IN_REVIEW, CaseState.SUSPENDED],
        )
        .order_by("promised_due", "id")
    )
    return _worklist(request, title=_("审查待办"), base=base, roles=(Role.REVIEWER, Role.HEAD))


@login_required
def decision_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    base = (
        selectors.case_visible(user=request.user)
        .filter(
            department_id=request.user.department_id or 0,
            state=CaseState.AWAITING_DECISION,
        )
        .order_by("promised_due", "id")
    )
    return _worklist(request, title=_("决定待办"), base=base, roles=(Role.DECIDER, Role.HEAD))


@login_required
def results_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """统一窗口出件: decided cases waiting to be handed out."""
    base = (
        selectors.case_visible(user=request.user)
        .filter(state__in=[CaseState.APPROVED, CaseState.DENIED], delivered_at__isnull=True)
        .order_by(F("licence_due").asc(nulls_last=True), "concluded_at", "id")
    )
    # Art. 44: here "overdue" and "due soon" are the licence's 10 working days, not the promised date
    return _worklist(
        request,
        title=_("统一出件：待送达"),
        base=base,
        roles=(Role.CLERK,),
        template_extra={"results_queue": True},
        filterset=ResultsQueueFilter,
    )


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """办件查询 without login: reference + the phone on the application; state and dates only."""
    # Post/Redirect/Get: a found case is shown once on the page the POST redirects to (the phone number
    # stays out of the URL); reloading it queries nothing and counts nothing against the limit
    result = request.session.pop("progress_result", None) if request.method == "GET" else None
    error = ""
    if request.method == "POST":
        if ratelimits.limited(request, "progress"):
            return render(
                request, "approvals/progress.html", {"error": _("查询过于频繁，请稍后再试。")}, status=429
            )
        from .progress import lookup

        result = lookup(reference=request.POST.get("reference", ""), phone=request.POST.get("phone", ""))
        if result is None:
            error = _("未查到与该申报号和手机号相符的办件，请核对后重试。")
        else:
            request.session["progress_result"] = result
            return redirect("approvals:progress")
    return render(request, "approvals/progress.html", {"result": result, "error": error})


@login_required
def notice(request: AuthenticatedHttpRequest, reference: str, kind: str) -> HttpResponse:
    case = selectors.case_get(user=request.user, reference=reference)
    names = {
        "acceptance": "accept",
        "correction": "request_correction",
        "decision": None,
        "refusal": "refuse",
    }
    if kind not in names:
        raise Http404
    entry = None
    if names[kind]:
        entry = case.transitions.filter(name=names[kind]).last()
        if entry is None and kind == "acceptance":
            entry = case.transitions.filter(name="deem_accept").last()
        if entry is None:
            raise Http404
    elif case.state not in (CaseState.APPROVED, CaseState.DENIED, CaseState.DELIVERED, CaseState.REVOKED):
        raise Http404
    return render(
        request,
        "approvals/notice.html",
        {
            "case": case,
            "kind": kind,
            "entry": entry,
            "closed": case.state in CLOSED_STATES,
            "refusal_remedies": refusal_remedies(),
        },
    )


app_name = "approvals"
urlpatterns = [
    path("mine/", my_cases, name="my_cases"),
    path("progress/", progress, name="progress"),
    path("queue/intake/", clerk_queue, name="clerk_queue"),
    path("queue/refusals/", refusal_queue, name="refusal_queue"),
    path("queue/co-approvals/", co_approval_queue, name="co_approval_queue"),
    path("queue/review/", review_queue, name="review_queue"),
    path("queue/decision/", decision_queue, name="decision_queue"),
    path("queue/results/", results_queue, name="results_queue"),
    path("<str:reference>/", case_detail, name="case_detail"),
    path("<str:reference>/do/<str:name>/", case_transition, name="case_transition"),
    path("<str:reference>/check/", check_materials, name="check_materials"),
    path("<str:reference>/delivery/", delivery_change, name="delivery_change"),
    path("<str:reference>/co-approval/<int:pk>/<str:kind>/", co_approval_act, name="co_approval_act"),
    path("<str:reference>/notice/<str:kind>/", notice, name="notice"),
]
