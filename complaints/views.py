"""Pages: rate a case (case page, invitation link, window tablet), file and follow complaints, the
handlers' queue, the efficiency office's tickets and appeals, and the public list without personal data."""

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from approvals import deadlines
from approvals import selectors as case_selectors
from approvals.constants import CLOSED_STATES
from approvals.models import Case
from portal.accounts.constants import Role
from portal.exceptions import ApplicationError, PermissionDeniedError
from portal.http import AuthenticatedHttpRequest
from portal.ratelimits import limited

from . import selectors, services
from .constants import ComplaintChannel, Finding, RatingChannel, Score
from .models import Complaint, Rating


def _errors(request: HttpRequest, exc: ApplicationError) -> dict:
    messages.error(request, exc.message)
    return exc.extra


def _rate(request: HttpRequest, case: Case, channel: str, actor, template_extra: dict) -> HttpResponse:
    errors: dict = {}
    if request.method == "POST":
        try:
            services.rating_submit(case=case, actor=actor, data=request.POST.dict(), channel=channel)
        except PermissionDeniedError as exc:
            return render(request, "complaints/message.html", {"message": exc.message}, status=403)
        except ApplicationError as exc:
            errors = _errors(request, exc)
        else:
            # Post/Redirect/Get: reloading the thanks page sends nothing again
            request.session["rated"] = case.reference
            return redirect(request.get_full_path())
    already = Rating.objects.filter(case=case).exists()
    if already and request.method == "GET" and request.session.get("rated") == case.reference:
        return render(request, "complaints/rated.html", {"case": case})
    return render(
        request,
        "complaints/rate.html",
        {
            "case": case,
            "scores": Score.choices,
            "errors": errors,
            "post": request.POST if errors else {},  # what was chosen stays chosen after an error
            "already": already,
            **template_extra,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, reference=reference)
    if case.applicant_id != request.user.pk:
        raise Http404
    return _rate(request, case, RatingChannel.ONLINE, request.user, {})


@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        case = services.rating_link_case(token)
    except ApplicationError as exc:
        return render(request, "complaints/message.html", {"message": exc.message}, status=400)
    return _rate(request, case, RatingChannel.LINK, _signed_in(request), {})


def _signed_in(request: HttpRequest) -> Any:
    """Whoever is signed in where a rating is tapped: the service refuses a staff member (issue 15)."""
    return request.user if request.user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def window_device(request: HttpRequest, token: str) -> HttpResponse:
    """The window's rating device (评价器) for a decided case, opened on the counter tablet by the signed
    address the clerk's page shows: bound to the case, not to anyone's session."""
    try:
        case = services.window_rating_case(token)
    except ApplicationError as exc:
        return render(request, "complaints/message.html", {"message": exc.message}, status=400)
    return _rate(request, case, RatingChannel.WINDOW, _signed_in(request), {})


@login_required
@require_http_methods(["GET"])
def window_rate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clerk finds the case and hands it to the counter's rating device: the page shows the device's
    address for that case. The clerk's own session never rates (the service refuses staff)."""
    if not request.user.has_role(Role.CLERK):
        raise PermissionDenied
    reference = (request.GET.get("reference") or request.POST.get("reference") or "").strip().upper()
    case = Case.objects.filter(reference=reference).first() if reference else None
    if case is None:
        missing = [_("没有这个申报号，请核对后重新输入。")] if reference else []
        return render(
            request,
            "complaints/window_pick.html",
            {
                "reference": reference,
                "not_found": bool(reference),
                "not_found_errors": missing,
                "errors_list": [("wr-ref", m) for m in missing],
            },
        )
    device_url = request.build_absolute_uri(
        reverse("complaints:window_device", args=[services.window_rating_token(case)])
    )
    return render(
        request,
        "complaints/window_pick.html",
        {
            "reference": reference,
            "case": case,
            "device_url": device_url,
            # The tablet scans this instead of anyone typing the long signed address (an inline SVG: no
            # script, nothing fetched, allowed by the CSP).
            "device_qr": mark_safe(  # noqa: S308 - segno's own SVG of our own URL, no user text in it
                segno.make(device_url, error="m").svg_inline(
                    scale=4, title=_("评价器地址二维码"), svgclass="portal-qr"
                )
            ),
            "valid_minutes": services.WINDOW_DEVICE_MAX_AGE // 60,
        },
    )


@require_http_methods(["GET", "POST"])
def file(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    staff = request.user.is_authenticated and request.user.is_portal_staff
    if request.method == "POST":
        if request.POST.get("website"):  # honeypot: people never fill it; it looks like success
            request.session["complaint_filed"] = ""
            return redirect("complaints:filed")
        if not request.user.is_authenticated and limited(request, "complaint-anonymous"):
            return render(
                request, "complaints/message.html", {"message": _("提交过于频繁，请稍后再试。")}, status=429
            )
        if request.FILES.getlist("attachments") and limited(request, "upload"):
            return render(
                request,
                "complaints/message.html",
                {"message": _("上传过于频繁，请稍后再试；本次投诉未提交。")},
                status=429,
            )
        try:
            complaint = services.complaint_file(
                actor=request.user if request.user.is_authenticated else None,
                channel=request.POST.get("channel") or ComplaintChannel.ONLINE,
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
                subject=request.POST.get("subject", ""),
                content=request.POST.get("content", ""),
                reference=request.POST.get("reference", ""),
                attachments=request.FILES.getlist("attachments"),
            )
        except ApplicationError as exc:
            errors = _errors(request, exc)
        else:
            # Post/Redirect/Get: the confirmation is a page of its own, so reloading it files nothing again
            request.session["complaint_filed"] = complaint.number
            return redirect("complaints:filed")
    return render(
        request,
        "complaints/file.html",
        {"errors": errors, "staff": staff, "post": request.POST, "channels": ComplaintChannel.choices},
        status=400 if errors else 200,
    )


def filed(request: HttpRequest) -> HttpResponse:
    """The confirmation after filing: the number just filed in this browser session (anonymous filers
    included), never a complaint named in the URL."""
    if "complaint_filed" not in request.session:
        return redirect("complaints:file")
    number = request.session["complaint_filed"]
    complaint = Complaint.objects.filter(number=number).first() if number else None
    if complaint is None:
        return render(request, "complaints/message.html", {"message": _("投诉已提交。")})
    return render(request, "complaints/filed.html", {"complaint": complaint})


@login_required
def centre(request: AuthenticatedHttpRequest) -> HttpResponse:
    """个人中心: the applicant's cases, drafts, ratings, complaints and messages on one page. It lives here,
    at the top of the dependency chain (complaints → approvals → intake → portal), because it reads them all."""
    from intake.models import Application
    from licences.selectors import licence_list_own
    from portal.notifications.selectors import inbox_list, inbox_unread_count

    user = request.user
    if not user.is_applicant:
        return redirect("home")
    today = case_selectors.today()
    cases = case_selectors.case_visible(user=user).filter(applicant=user).order_by("-submitted_at")
    recent = deadlines.annotate_times(list(cases[:5]), today)
    return render(
        request,
        "complaints/centre.html",
        {
            "cases": recent,
            "case_count": cases.count(),
            "open_count": cases.exclude(state__in=CLOSED_STATES).count(),
            "drafts": Application.objects.filter(applicant=user, status="draft").count(),
            "ratings": Rating.objects.filter(applicant=user)
            .select_related("case__item")
            .order_by("-created_at")[:5],
            "to_rate": cases.filter(concluded_on__isnull=False, rating__isnull=True).select_related("item")[
                :5
            ],
            "complaints": Complaint.objects.filter(complainant=user).order_by("-received_at")[:5],
            "messages_recent": inbox_list(user=user)[:5],
            "unread": inbox_unread_count(user=user),
            "licences": list(licence_list_own(user=user)[:5]),  # 我的证照 (DESIGN §11)
        },
    )


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    complaints = Complaint.objects.filter(complainant=request.user).order_by("-received_at")
    return render(request, "complaints/mine.html", {"complaints": complaints})


def _get_complaint(request: HttpRequest, number: str) -> Complaint:
    complaint = selectors.complaint_visible(user=request.user).filter(number=number).first()
    if complaint is None:
        raise Http404
    return complaint


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    complaint = _get_complaint(request, number)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "investigate":
                services.complaint_investigate(complaint=complaint, actor=request.user)
            elif action == "conclude":
                services.complaint_conclude(
                    complaint=complaint,
                    actor=request.user,
                    finding=request.POST.get("finding", ""),
                    action=request.POST.get("result", ""),
                )
            elif action == "rate":
                services.complaint_rate_handling(
                    complaint=complaint, actor=request.user, score=request.POST.get("score")
                )
            elif action == "reopen":
                services.complaint_reopen(
                    complaint=complaint, actor=request.user, reason=request.POST.get("reason", "")
                )
            elif action == "publish":
                services.complaint_publish(
                    complaint=complaint,
                    actor=request.user,
                    subject=request.POST.get("public_subject", ""),
                    action=request.POST.get("public_action", ""),
                )
            elif action == "unpublish":
                services.complaint_unpublish(
                    complaint=complaint, actor=request.user, reason=request.POST.get("reason", "")
                )
            else:
                raise ApplicationError(_("未知的操作。"))
        except ApplicationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已保存。"))
        return redirect("complaints:detail", number=number)
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "is_office": request.user.has_role(Role.INSPECTOR),
            "is_complainant": complaint.complainant_id == request.user.pk,
            "attachments": complaint.attachments.all()
            if selectors.complaint_attachments_visible(user=request.user, complaint=complaint)
            else [],
            "findings": Finding.choices,
            "scores": Score.choices,
            "today": case_selectors.today(),
        },
    )


@login_required
def attachment(request: AuthenticatedHttpRequest, number: str, pk: int) -> FileResponse:
    """A complaint's attachment: for the efficiency office, which handles it, and the complainant only."""
    complaint = _get_complaint(request, number)
    if not selectors.complaint_attachments_visible(user=request.user, complaint=complaint):
        raise Http404
    row = complaint.attachments.filter(pk=pk).first()
    if row is None:
        raise Http404
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.INSPECTOR):
        raise PermissionDenied
    qs = selectors.complaint_list(user=request.user, filters=request.GET).order_by(
        "concluded_at", "due_on", "id"
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "complaints/queue.html", {"page": page, "today": case_selectors.today()})


@login_required
@require_http_methods(["GET", "POST"])
def tickets(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.INSPECTOR, Role.HEAD, Role.REVIEWER, Role.DECIDER):
        raise PermissionDenied
    if request.method == "POST":
        try:
            for key in ("ticket", "rating"):  # a tampered id: no such row, not a server error
                if request.POST.get(key) and not (
                    request.POST[key].isascii() and request.POST[key].isdigit()
                ):
                    raise Http404
            if request.POST.get("ticket"):
                ticket = selectors.ticket_visible(user=request.user).filter(pk=request.POST["ticket"]).first()
                if ticket is None:
                    raise Http404
                services.ticket_act(
                    ticket=ticket,
                    actor=request.user,
                    action=request.POST.get("action", ""),
                    note=request.POST.get("note", ""),
                )
            elif request.POST.get("rating"):
                rating = selectors.rating_visible(user=request.user).filter(pk=request.POST["rating"]).first()
                if rating is None:
                    raise Http404
                if request.POST.get("action") == "appeal":
                    services.rating_appeal(
                        rating=rating, actor=request.user, reason=request.POST.get("note", "")
                    )
                else:
                    services.rating_appeal_decide(
                        rating=rating,
                        actor=request.user,
                        void=request.POST.get("action") == "void",
                        decision=request.POST.get("note", ""),
                    )
        except ApplicationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已保存。"))
        return redirect("complaints:tickets")
    rows: list[Any] = list(selectors.ticket_visible(user=request.user).order_by("state", "-created_at")[:200])
    for t in rows:
        allowed = services.ticket_actions_for(ticket=t, user=request.user)
        t.actions = [(a, label) for a, label in services.TICKET_ACTIONS.items() if a in allowed]
    appeals = selectors.rating_visible(user=request.user).filter(appeal_state="appealed")
    bad = selectors.rating_visible(user=request.user).filter(overall__lte=2, appeal_state="")[:100]
    return render(
        request,
        "complaints/tickets.html",
        {
            "tickets": rows,
            "appeals": appeals,
            "bad": bad,
            "today": case_selectors.today(),
            "is_office": request.user.has_role(Role.INSPECTOR),
            "is_head": request.user.has_role(Role.HEAD),
        },
    )


def public(request: HttpRequest) -> HttpResponse:
    """Concluded complaints whose public wording the efficiency office reviewed and published: that wording
    only (masked of personal data when published, and masked again here), no name, no phone, no ID."""
    from portal.pii import mask_public_text

    qs = (
        Complaint.objects.filter(concluded_at__isnull=False, published=True)
        .select_related("department")
        .only(
            "number",
            "public_subject",
            "finding",
            "public_action",
            "received_on",
            "concluded_at",
            "published_at",
            "department__name",
            "channel",
        )
    )
    page = Paginator(qs.order_by("-concluded_at"), 20).get_page(request.GET.get("page"))
    for c in page.object_list:
        c.public_subject = mask_public_text(c.public_subject)
        c.public_action = mask_public_text(c.public_action)
    return render(request, "complaints/public.html", {"page": page})


app_name = "complaints"
urlpatterns = [
    path("", file, name="file"),
    path("filed/", filed, name="filed"),
    path("mine/", mine, name="mine"),
    path("public/", public, name="public"),
    path("queue/", queue, name="queue"),
    path("tickets/", tickets, name="tickets"),
    path("rate/window/", window_rate, name="window_rate"),
    path("rate/device/<str:token>/", window_device, name="window_device"),
    path("rate/link/<str:token>/", rate_link, name="rate_link"),
    path("rate/<str:reference>/", rate, name="rate"),
    path("c/<str:number>/", detail, name="detail"),
    path("c/<str:number>/attachments/<int:pk>/", attachment, name="attachment"),
]
