"""Forms for the intake pages. Forms only parse and check input; the rules live in the services."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from portal.accounts.constants import ApplicantKind
from portal.accounts.validators import validate_credit_code, validate_mobile, validate_resident_id
from portal.forms import PortalFormMixin

from .selectors.catalogue import item_get

PERSON_NAME_MAX = 50  # User.real_name


class WalkInForm(PortalFormMixin, forms.Form):
    item_code = forms.CharField(label=_l("事项编码"), max_length=40)
    kind = forms.ChoiceField(
        label=_l("申请人类型"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_l("申请人姓名 / 单位名称"), max_length=120)
    id_number = forms.CharField(label=_l("居民身份证号码 / 统一社会信用代码"), max_length=18)
    phone = forms.CharField(label=_l("手机号码"), max_length=11, validators=[validate_mobile])

    def clean_item_code(self) -> object:
        item = item_get(code=self.cleaned_data["item_code"].strip())
        if item is None:
            raise forms.ValidationError(_("没有这个已发布的事项。"))
        return item

    def clean(self):
        data = super().clean()
        number = (data.get("id_number") or "").strip().upper()
        try:
            (validate_resident_id if data.get("kind") == ApplicantKind.PERSON else validate_credit_code)(
                number
            )
        except forms.ValidationError as exc:
            self.add_error("id_number", exc)
        data["id_number"] = number
        # A person's name goes into User.real_name (50), a company's into enterprise_name (120).
        name = data.get("name") or ""
        if data.get("kind") == ApplicantKind.PERSON and len(name.strip()) > PERSON_NAME_MAX:
            self.add_error("name", _("申请人姓名过长（最多%(n)s字）。") % {"n": PERSON_NAME_MAX})
        return data
