"""Pages: the public verification (证照核验, no sign-in), my licences (我的证照) and a licence's PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import ratelimits
from portal.exceptions import ApplicationError
from portal.http import AuthenticatedHttpRequest

from . import selectors, services
from .apis import pdf_response

app_name = "licences"


def verify(request: HttpRequest) -> HttpResponse:
    """By the QR link (``?number=…&holder=…``) or by typing both; counted with the API per address."""
    number, holder = request.GET.get("number", ""), request.GET.get("holder", "")
    context: dict = {"number": number, "holder": holder, "result": None, "errors": {}}
    if "number" in request.GET or "holder" in request.GET:
        errors = {}
        if not number.strip():
            errors["number"] = [_("请输入证照编号。")]
        if not holder.strip():
            errors["holder"] = [_("请输入持证人名称。")]
        context["errors"] = errors
        if not errors:
            if ratelimits.limited(request, "licence-verify"):
                context["error"], context["limited"] = _("查询过于频繁，请稍后再试。"), True
                return render(request, "licences/verify.html", context, status=429)
            context["result"] = selectors.licence_verify(number=number, holder=holder)
            if context["result"] is None:
                context["error"] = _("未查到与该编号和持证人相符的证照，请核对后重试。")
                return render(request, "licences/verify.html", context, status=404)
        else:
            context["error"] = next(iter(errors.values()))[0]
            return render(request, "licences/verify.html", context, status=400)
    return render(request, "licences/verify.html", context)


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    licences = list(selectors.licence_list_own(user=request.user))
    return render(request, "licences/mine.html", {"licences": licences})


@login_required
def download(request: AuthenticatedHttpRequest, number: str) -> FileResponse:
    licence = selectors.licence_for_download(user=request.user, number=number)
    if licence is None:
        raise Http404
    return pdf_response(licence)


@login_required
@require_POST
def reissue(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """补发/换发 a lost or damaged licence (the issuing department's decider or head), from the case page."""
    licence = selectors.licence_for_download(user=request.user, number=number)
    if licence is None:
        raise Http404
    try:
        new = services.licence_reissue(
            licence=licence, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已换发新证照 %(new)s，原证照 %(old)s 作废。") % {"new": new.number, "old": licence.number},
        )
    return redirect("approvals:case_detail", reference=licence.case.reference)


urlpatterns = [
    path("verify/", verify, name="verify"),
    path("mine/", mine, name="mine"),
    path("<str:number>/pdf/", download, name="download"),
    path("<str:number>/reissue/", reissue, name="reissue"),
]
