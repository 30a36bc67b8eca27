"""Window side (一窗受理): a front-desk clerk registers a walk-in application for any department's item on
the applicant's behalf; then fills the form and scans in the materials on the same pages as online."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from portal.accounts.constants import ApplicantKind, Role
from portal.accounts.models import User
from portal.accounts.validators import validate_credit_code, validate_mobile, validate_resident_id

from ..constants import Channel
from ..selectors.catalogue import item_get
from ..services.applications import application_create_draft


class WalkInForm(forms.Form):
    item_code = forms.CharField(label=_l("事项编码"), max_length=40)
    kind = forms.ChoiceField(label=_l("申请人类型"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON)
    name = forms.CharField(label=_l("申请人姓名 / 单位名称"), max_length=120)
    id_number = forms.CharField(label=_l("居民身份证号码 / 统一社会信用代码"), max_length=18)
    phone = forms.CharField(label=_l("手机号码"), max_length=11, validators=[validate_mobile])

    def clean_item_code(self) -> object:
        item = item_get(code=self.cleaned_data["item_code"].strip())
        if item is None:
            raise forms.ValidationError(_("没有这个已发布的事项。"))
        return item

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        number = (data.get("id_number") or "").strip().upper()
        try:
            (validate_resident_id if data.get("kind") == ApplicantKind.PERSON else validate_credit_code)(number)
        except forms.ValidationError as exc:
            self.add_error("id_number", exc)
        data["id_number"] = number
        return data


def _applicant_for(data: dict) -> User:
    person = data["kind"] == ApplicantKind.PERSON
    lookup = {"id_number": data["id_number"]} if person else {"credit_code": data["id_number"]}
    user = User.objects.filter(**lookup).first()
    if user is not None:
        return user
    from django.contrib.auth.models import Group

    user = User(username=f"w{data['id_number'].lower()}", applicant_kind=data["kind"], phone=data["phone"],
                real_name=data["name"] if person else "", enterprise_name="" if person else data["name"], **lookup)
    user.set_unusable_password()  # a walk-in applicant may register online later with the same number
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.CITIZEN if person else Role.ENTERPRISE)[0])
    return user


@login_required
def register(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.CLERK):
        raise PermissionDenied
    form = WalkInForm(request.POST or None, initial={"item_code": request.GET.get("item", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        applicant = _applicant_for(data)
        app = application_create_draft(item=data["item_code"], applicant=applicant, actor=request.user,
                                       channel=Channel.WINDOW, contact_phone=data["phone"])
        messages.success(request, _("已为申请人创建窗口申请，请填写申请表并扫描上传材料。"))
        return redirect("intake:draft_edit", pk=app.pk)
    return render(request, "intake/window/register.html", {"form": form})


urlpatterns = [path("window/register/", register, name="window_register")]
