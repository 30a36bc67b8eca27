from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from portal.forms import PortalFormMixin

from .constants import ApplicantKind
from .validators import validate_credit_code, validate_mobile, validate_resident_id


class LoginForm(PortalFormMixin, AuthenticationForm):
    """Django's sign-in form with messages that name the field."""


class RegistrationForm(PortalFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=ApplicantKind.PERSON,
    )
    username = forms.RegexField(
        label=_("用户名"),
        max_length=40,
        regex=r"^[A-Za-z0-9_.@+-]{4,40}$",
        error_messages={"invalid": _("用户名为4–40位字母、数字或 _.@+-。")},
    )
    real_name = forms.CharField(label=_("真实姓名（企业为经办人姓名）"), max_length=50)
    id_number = forms.CharField(
        label=_("居民身份证号码"), max_length=18, required=False, help_text=_("自然人必填，18位。")
    )
    enterprise_name = forms.CharField(label=_("单位名称"), max_length=120, required=False)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("法人必填，18位。")
    )
    phone = forms.CharField(label=_("手机号码"), max_length=11, validators=[validate_mobile])
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def clean_id_number(self) -> str:
        return (self.cleaned_data.get("id_number") or "").strip().upper()

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ApplicantKind.PERSON:
            if not data.get("id_number"):
                self.add_error("id_number", _("自然人注册须填写居民身份证号码。"))
            else:
                try:
                    validate_resident_id(data["id_number"])
                except forms.ValidationError as exc:
                    self.add_error("id_number", exc)
        elif kind == ApplicantKind.ENTERPRISE:
            if not data.get("enterprise_name"):
                self.add_error("enterprise_name", _("法人注册须填写单位名称。"))
            if not data.get("credit_code"):
                self.add_error("credit_code", _("法人注册须填写统一社会信用代码。"))
            else:
                try:
                    validate_credit_code(data["credit_code"])
                except forms.ValidationError as exc:
                    self.add_error("credit_code", exc)
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class PreferencesForm(PortalFormMixin, forms.Form):
    """How the user wants to hear from the portal. Decisions always reach the in-site inbox as well."""

    notify_sms = forms.BooleanField(label=_("短信通知"), required=False)
    notify_email = forms.BooleanField(label=_("邮件通知"), required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("通知语言"), choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    elder_mode = forms.BooleanField(label=_("使用长辈版（字号更大、对比更强、导航更简单）"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("notify_email") and not data.get("email"):
            self.add_error("email", _("选择邮件通知须填写电子邮箱。"))
        return data


class SmsCodeRequestForm(PortalFormMixin, forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )

    def clean_phone(self) -> str:
        return self.cleaned_data["phone"].strip()


class SmsCodeLoginForm(SmsCodeRequestForm):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("验证码为6位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
