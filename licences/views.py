"""Pages: the public verification (证照核验, no sign-in), my licences (我的证照) and a licence's PDF."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from portal import ratelimits
from portal.http import AuthenticatedHttpRequest

from . import selectors
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
                context["error"] = _("查询过于频繁，请稍后再试。")
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


urlpatterns = [
    path("verify/", verify, name="verify"),
    path("mine/", mine, name="mine"),
    path("<str:number>/pdf/", download, name="download"),
]
