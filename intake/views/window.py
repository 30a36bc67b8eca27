"""Window side (一窗受理): a front-desk clerk registers a walk-in application for any department's item on
the applicant's behalf; then fills the form and scans in the materials on the same pages as online."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest

from ..constants import Channel
from ..forms import WalkInForm
from ..permissions import may_register_walk_in
from ..services.applications import application_create_draft, walk_in_applicant_get_or_create


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_register_walk_in(request.user):
        raise PermissionDenied
    form = WalkInForm(request.POST or None, initial={"item_code": request.GET.get("item", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        applicant = walk_in_applicant_get_or_create(
            kind=data["kind"], name=data["name"], number=data["id_number"], phone=data["phone"]
        )
        app = application_create_draft(
            item=data["item_code"],
            applicant=applicant,
            actor=request.user,
            channel=Channel.WINDOW,
            contact_phone=data["phone"],
        )
        messages.success(request, _("已为申请人创建窗口申请，请填写申请表并扫描上传材料。"))
        return redirect("intake:draft_edit", pk=app.pk)
    return render(request, "intake/window/register.html", {"form": form})


urlpatterns = [path("window/register/", register, name="window_register")]
