"""Pages of the service hall: the citizen's booking page, the kiosk (取号), the clerk's calling console,
the calling screen (叫号屏) and the counter's rating device (评价器). Thin: each POST calls one service and
redirects (PRG); a service's ApplicationError is shown beside its field."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaints.constants import Score
from portal.accounts.models import Window
from portal.exceptions import ApplicationError, PermissionDeniedError

from . import permissions as perm
from . import selectors, services
from .constants import AppointmentState, HalfDay
from .models import BusinessType, Ticket

BAD_REASONS = [
    _("等候时间太长"),
    _("服务态度不好"),
    _("一次性告知不清，需要再跑"),
    _("材料要求与办事指南不一致"),
    _("窗口系统故障"),
]


def _date(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw or "")
    except ValueError:
        return None


# --- citizen: booking ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not perm.may_book(user):
        raise PermissionDenied
    types = list(selectors.business_type_list())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors: dict[str, list[str]] = {}
    code = (request.POST.get("business_type") or request.GET.get("business_type") or "").strip()
    day = _date(request.POST.get("date") or request.GET.get("date")) or tomorrow
    business_type = next((t for t in types if t.code == code), None)
    if request.method == "POST":
        slot = request.POST.get("slot", "")
        group_id, _sep, half = slot.partition(":")
        if business_type is None:
            errors["business_type"] = [_("请选择业务类型。")]
        elif not group_id.isdigit() or half not in HalfDay.values:
            errors["slot"] = [_("请选择预约时段。")]
        else:
            try:
                services.appointment_book(
                    citizen=user,
                    business_type=business_type,
                    day=day,
                    half=half,
                    group=business_type.window_groups.filter(pk=int(group_id)).first(),
                )
            except ApplicationError as exc:
                errors = {
                    k if k in ("business_type", "date") else "slot": v
                    for k, v in exc.extra.items()
                    if k != "code"
                }
                errors = errors or {"slot": [exc.message]}
            else:
                messages.success(request, _("预约成功。请在预约当天到大厅签到取号。"))
                return redirect("hall:book")
    slots = selectors.slot_list(business_type=business_type, day=day) if business_type else []
    return render(
        request,
        "hall/book.html",
        {
            "types": types,
            "chosen": business_type,
            "day": day,
            "min_day": tomorrow,
            "max_day": timezone.localdate() + datetime.timedelta(days=services.BOOK_AHEAD_DAYS),
            "slots": slots,
            "errors": errors,
            "appointments": selectors.appointment_list(citizen=user)[:20],
            "blocked_until": services.booking_blocked_until(citizen=user),
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """改约: pick another half-day slot of the same window group, up to the day before the booked one."""
    user: Any = request.user
    appointment = get_object_or_404(
        selectors.appointment_list(citizen=user).filter(state=AppointmentState.BOOKED), pk=pk
    )
    today = timezone.localdate()
    if appointment.date <= today:
        messages.error(request, _("预约当天不能改约；未到场将记为爽约。"))
        return redirect("hall:book")
    tomorrow = today + datetime.timedelta(days=1)
    day = _date(request.POST.get("date") or request.GET.get("date")) or appointment.date
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        half = request.POST.get("half", "")
        if half not in HalfDay.values:
            errors["half"] = [_("请选择新的预约时段。")]
            status = 400
        else:
            try:
                moved = services.appointment_change(appointment=appointment, actor=user, day=day, half=half)
            except ApplicationError as exc:
                status = exc.status_code
                errors = {"date" if k == "date" else "half": v for k, v in exc.extra.items() if k != "code"}
                errors = errors or {"half": [exc.message]}
            else:
                messages.success(
                    request,
                    _("改约成功：%(date)s %(half)s。预约前一天会再发短信提醒。")
                    % {"date": moved.date.isoformat(), "half": moved.get_half_display()},
                )
                return redirect("hall:book")
    slots = [
        s
        for s in selectors.slot_list(business_type=appointment.business_type, day=day)
        if s.group_id == appointment.group_id
    ]
    return render(
        request,
        "hall/change.html",
        {
            "appointment": appointment,
            "day": day,
            "min_day": tomorrow,
            "max_day": today + datetime.timedelta(days=services.BOOK_AHEAD_DAYS),
            "slots": slots,
            "errors": errors,
            "blocked_until": services.booking_blocked_until(citizen=user),
        },
        status=status,
    )


@login_required
@require_POST
def appointment_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    appointment = get_object_or_404(selectors.appointment_list(citizen=user), pk=pk)
    try:
        if action == "cancel":
            services.appointment_cancel(appointment=appointment, actor=user)
            messages.success(request, _("预约已取消。"))
        else:
            ticket = services.appointment_check_in(appointment=appointment, actor=user)
            messages.success(
                request,
                _("签到成功，您的号码是 %(number)s，前面还有 %(ahead)s 人。")
                % {"number": ticket.number, "ahead": services.waiting_ahead(ticket=ticket)},
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("hall:book")


# --- the kiosk: 取号 ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        business_type = BusinessType.objects.filter(
            code=request.POST.get("business_type", ""), is_active=True
        ).first()
        if business_type is None:
            return render(
                request,
                "hall/kiosk.html",
                {"types": selectors.business_type_list(), "error": _("请选择业务类型。")},
                status=400,
            )
        user: Any = request.user
        applicant = user if perm.may_book(user) else None
        ticket = services.ticket_issue(business_type=business_type, applicant=applicant)
        return redirect("hall:kiosk_ticket", pk=ticket.pk)
    return render(request, "hall/kiosk.html", {"types": selectors.business_type_list()})


def kiosk_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(
        Ticket.objects.select_related("business_type"), pk=pk, date=timezone.localdate()
    )
    return render(
        request, "hall/kiosk_ticket.html", {"ticket": ticket, "ahead": services.waiting_ahead(ticket=ticket)}
    )


# --- the clerk's calling console ---------------------------------------------------------------


def _clerk_window(request: HttpRequest) -> Window:
    user: Any = request.user
    if not perm.is_hall_clerk(user) or user.window_id is None:
        raise PermissionDenied
    window: Window = user.window
    return window


@login_required
def console(request: HttpRequest) -> HttpResponse:
    window = _clerk_window(request)
    current = selectors.clerk_current(window=window)
    return render(
        request,
        "hall/console.html",
        {
            "window": window,
            "current": current,
            "queue": services.window_queue(window=window).select_related("business_type")[:20],
            "other_windows": Window.objects.filter(is_active=True).exclude(pk=window.pk),
            "rating_url": request.session.pop("hall_rating_url", None),
            "device_url": request.build_absolute_uri(
                reverse("hall:device", args=[services.device_token(window=window)])
            ),
        },
    )


@login_required
@require_POST
def console_act(request: HttpRequest, action: str) -> HttpResponse:
    window = _clerk_window(request)
    user: Any = request.user
    try:
        if action == "call":
            ticket = services.ticket_call_next(window=window, actor=user)
            messages.success(
                request,
                _("请 %(number)s 号到 %(window)s 号窗口。")
                % {"number": ticket.number, "window": window.number},
            )
        else:
            current = selectors.clerk_current(window=window)
            if current is None:
                raise ApplicationError(_("当前没有正在办理的号码。"))
            if action == "recall":
                services.ticket_recall(ticket=current, actor=user)
            elif action == "skip":
                services.ticket_skip(ticket=current, actor=user)
            elif action == "transfer":
                to = Window.objects.filter(number=request.POST.get("window") or 0, is_active=True).first()
                if to is None:
                    raise ApplicationError(_("请选择转入的窗口。"))
                services.ticket_transfer(ticket=current, actor=user, to_window=to)
            elif action == "finish":
                _ticket, token = services.ticket_finish(ticket=current, actor=user)
                request.session["hall_rating_url"] = reverse("hall:rate", args=[token])
            else:
                raise PermissionDenied
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("hall:console")


# --- the calling screen ------------------------------------------------------------------------


def screen(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/screen.html", {"data": selectors.display()})


# --- the counter's rating device ---------------------------------------------------------------


def device(request: HttpRequest, token: str) -> HttpResponse:
    """The counter tablet's standing page, paired with one window by its signed address: it polls
    ``device_next`` and turns to the rating page of each visit the window finishes."""
    try:
        window = services.device_window(token=token)
    except ApplicationError as exc:
        return render(request, "hall/rate_done.html", {"message": exc.message}, status=exc.status_code)
    return render(request, "hall/device.html", {"window": window, "token": token})


def device_next(request: HttpRequest, token: str) -> JsonResponse:
    """What the paired tablet shows now: the rating page of the window's last finished visit, or null."""
    try:
        window = services.device_window(token=token)
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message}, status=exc.status_code)
    pending = services.device_pending(window=window)
    if pending is None:
        response = JsonResponse({"rate": None, "visit": None})
    else:
        url = f"{reverse('hall:rate', args=[services.rating_token(pending)])}?device={token}"
        response = JsonResponse({"rate": url, "visit": pending.pk})
    response["Cache-Control"] = "no-store"
    return response


def _device_of(request: HttpRequest) -> str | None:
    """A paired tablet's address (``?device=``), when it is a valid one: the rating pages then go back to
    waiting for the next visit."""
    token = request.GET.get("device", "")
    try:
        services.device_window(token=token)
    except ApplicationError:
        return None
    return token


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """Bound to one finished visit by its one-time token, not to anyone's session: the clerk's console
    hands the link to the counter's tablet, the applicant taps the score."""
    device = _device_of(request)
    if request.method == "GET" and request.session.get("hall_rated") == token:
        # Post/Redirect/Get: the thanks page once after the rating; reloading it sends nothing again
        del request.session["hall_rated"]
        return render(
            request,
            "hall/rate_done.html",
            {"message": _("感谢您的评价！"), "done": True, "device": device},
        )
    try:
        ticket = services.rating_device_ticket(token=token)
    except ApplicationError as exc:
        return render(
            request,
            "hall/rate_done.html",
            {"message": exc.message, "device": device},
            status=exc.status_code,
        )
    errors: dict[str, list[str]] = {}
    post = request.POST
    if request.method == "POST":
        reason = (post.get("reason") or "").strip()
        typed = (post.get("comment") or "").strip()
        comment = "；".join(p for p in (reason, typed) if p)
        rater = request.user if request.user.is_authenticated else None
        try:
            services.ticket_rate(token=token, overall=post.get("overall"), comment=comment, rater=rater)
        except PermissionDeniedError as exc:
            return render(
                request,
                "hall/rate_done.html",
                {"message": exc.message, "device": device},
                status=exc.status_code,
            )
        except ApplicationError as exc:
            errors = {k: v for k, v in exc.extra.items() if k != "code"} or {"overall": [exc.message]}
            if "comment" in errors:
                errors["comment"] = [_("选“不满意”或“非常不满意”时，请选择或填写原因。")]
        else:
            request.session["hall_rated"] = token
            return redirect(request.get_full_path())
    return render(
        request,
        "hall/rate.html",
        {
            "ticket": ticket,
            "scores": Score.choices,
            "reasons": BAD_REASONS,
            "errors": errors,
            "post": post,
            "device": device,
        },
        status=400 if errors else 200,
    )
