import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.exceptions import ApplicationError
from portal.ratelimits import any_limited, limited, username_key

from . import sms_login as sms
from .constants import Role
from .forms import LoginForm, PreferencesForm, RegistrationForm, SmsCodeLoginForm, SmsCodeRequestForm
from .services import applicant_register

logger = logging.getLogger(__name__)

# The header a signed-in user sees first on the home page, by role (first match wins).
HOME_ROLES = [
    Role.INSPECTOR,
    Role.HEAD,
    Role.DECIDER,
    Role.REVIEWER,
    Role.CLERK,
    Role.CATALOGUE_ADMIN,
    Role.ENTERPRISE,
    Role.CITIZEN,
]


def home(request: HttpRequest) -> HttpResponse:
    role = ""
    if request.user.is_authenticated:
        role = next((str(r) for r in HOME_ROLES if request.user.has_role(r)), "")
    return render(request, "home.html", {"home_role": role})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and limited(request, "register"):
        form.is_valid()  # bound, so the page keeps what was typed; nothing is saved
        form.add_error(None, _("注册请求过于频繁，请稍后再试。"))
        return render(request, "accounts/register.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = applicant_register(
                username=data["username"],
                password=data["password1"],
                kind=data["kind"],
                real_name=data["real_name"],
                phone=data["phone"],
                id_number=data["id_number"],
                enterprise_name=data["enterprise_name"],
                credit_code=data["credit_code"],
                email=data["email"],
            )
        except ApplicationError as exc:
            for field, errors in exc.extra.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用一窗受理政务服务平台。"))
            return redirect("home")
    return render(request, "accounts/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    initial = {
        "notify_sms": user.notify_sms,
        "notify_email": user.notify_email,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "elder_mode": user.elder_mode,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for key, value in form.cleaned_data.items():
            setattr(user, key, value)
        user.save(update_fields=list(form.cleaned_data))
        messages.success(request, _("设置已保存。"))
        response = redirect("accounts:preferences")
        response.set_cookie(
            ELDER_COOKIE, "1" if user.elder_mode else "0", max_age=ELDER_COOKIE_AGE, samesite="Lax"
        )
        return response
    return render(request, "accounts/preferences.html", {"form": form})


ELDER_COOKIE = "portal_elder"
ELDER_COOKIE_AGE = 365 * 24 * 3600


def elder_mode_on(request: HttpRequest) -> bool:
    """长辈版 is on for this request: the signed-in user's preference, or the browser's cookie for visitors
    (and for a user who switched it on before signing in)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.elder_mode:
        return True
    return request.COOKIES.get(ELDER_COOKIE) == "1"


@require_http_methods(["POST"])
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch 长辈版 on or off (``on`` = "1" / "0"), one click from the header of every page; remembered in
    a cookie and, for a signed-in user, in their preferences. Back to the page the click came from."""
    on = request.POST.get("on") == "1"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(ELDER_COOKIE, "1" if on else "0", max_age=ELDER_COOKIE_AGE, samesite="Lax")
    if request.user.is_authenticated and request.user.elder_mode != on:
        request.user.elder_mode = on
        request.user.save(update_fields=["elder_mode"])
    return response


@require_http_methods(["GET"])
def my_data(request: HttpRequest) -> HttpResponse:
    """下载我的数据: everything the portal holds about the signed-in user, as a JSON file."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if limited(request, "my-data"):
        return HttpResponse(
            _("下载过于频繁，请稍后再试。"), status=429, content_type="text/plain; charset=utf-8"
        )
    from .personal_data import personal_data_export

    logger.info("personal data exported for user %s", request.user.pk)
    response = JsonResponse(
        personal_data_export(user=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{request.user.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


class LoginView(auth_views.LoginView):
    """Sign-in, rate-limited with a shared atomic counter in the cache (Redis in production): per address
    and per username, so neither guessing one password nor spraying many accounts gets far."""

    template_name = "accounts/login.html"
    form_class = LoginForm

    def post(self, request, *args, **kwargs):
        if any_limited(
            request, ("login-ip", ""), ("login-user", username_key(request.POST.get("username", "")))
        ):
            form = self.get_form()
            form.add_error(None, _("登录尝试过于频繁，请稍后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


# The one answer to every code request with a well-formed number, registered or not.
SMS_SENT = gettext_lazy("如果该手机号码已注册为申请人账号，验证码已发送，5分钟内有效。")


def sms_send_limited(request: HttpRequest, phone: str) -> bool:
    key = sms.phone_key(phone)
    return any_limited(
        request, ("sms-send-phone-minute", key), ("sms-send-phone-hour", key), ("sms-send-ip", "")
    )


def sms_verify_limited(request: HttpRequest, phone: str) -> bool:
    return any_limited(request, ("sms-verify-phone", sms.phone_key(phone)), ("sms-verify-ip", ""))


@require_http_methods(["GET", "POST"])
def sms_login(request: HttpRequest) -> HttpResponse:
    """短信验证码登录: step 1 asks for the mobile number and sends a code (the same answer for every
    number), step 2 takes the code and signs in. Both steps are rate-limited."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    step = request.POST.get("step") if request.method == "POST" else ""
    request_form = SmsCodeRequestForm(request.POST if step == "send" else None, prefix="send")
    login_form = SmsCodeLoginForm(request.POST if step == "verify" else None, prefix="verify")
    status, sent = 200, False
    if request.method == "GET" and request.session.get("sms_login_phone"):
        # after "send": the code form with the number filled in; reloading it sends nothing
        sent = request.session.pop("sms_login_sent", False)
        login_form = SmsCodeLoginForm(initial={"phone": request.session["sms_login_phone"]}, prefix="verify")
    if step == "send" and request_form.is_valid():
        phone = request_form.cleaned_data["phone"]
        if sms_send_limited(request, phone):
            request_form.add_error(None, _("获取验证码过于频繁，请稍后再试。"))
            status = 429
        else:
            sms.sms_code_request(phone=phone)
            # Post/Redirect/Get: a reload of the page that says "sent" must not send another code
            request.session["sms_login_phone"] = phone
            request.session["sms_login_sent"] = True
            target = reverse("accounts:sms_login")
            return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    elif step == "verify" and login_form.is_valid():
        phone = login_form.cleaned_data["phone"]
        if sms_verify_limited(request, phone):
            login_form.add_error(None, _("验证码尝试过于频繁，请稍后再试。"))
            status = 429
        else:
            user = sms.sms_code_verify(phone=phone, code=login_form.cleaned_data["code"])
            if user is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session.pop("sms_login_phone", None)
                return redirect(next_url or "home")
            login_form.add_error("code", _("验证码错误或已失效，请重新获取。"))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/sms_login.html",
        {
            "request_form": request_form,
            "login_form": login_form,
            "sent": sent,
            "sent_message": SMS_SENT,
            "next": next_url,
        },
        status=status,
    )
