"""What every form of the portal shares: messages that name the field in words.

Django's own "这个字段是必填项。" does not say which field; beside the field and in the error summary at the
top of the page the applicant reads "请填写手机号码" / "请选择申请人类型" / "请上传申请书" instead."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

CHOOSE_WIDGETS = (forms.RadioSelect, forms.Select, forms.CheckboxInput, forms.CheckboxSelectMultiple)


def required_message(field: forms.Field, name: str) -> Any:
    label = field.label or name
    if isinstance(field, forms.FileField):
        return format_lazy(_("请上传{label}"), label=label)
    if isinstance(field.widget, CHOOSE_WIDGETS):
        return format_lazy(_("请选择{label}"), label=label)
    return format_lazy(_("请填写{label}"), label=label)


class PortalFormMixin:
    """Mix into a ``forms.Form``: each field's "required" message names the field."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages = {**field.error_messages, "required": required_message(field, name)}


class PortalForm(PortalFormMixin, forms.Form):
    pass
