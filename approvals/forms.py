"""The case page's forms: one per transition, with the same fields, limits and messages as the API's
input serializers (approvals/inputs.py). Forms only read and check input; the rules live in the services."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.exceptions import ApplicationError
from portal.workcalendar.constants import LimitUnit

from . import inputs
from .constants import DeliveryMethod, SuspensionKind
from .models import Case
from .services.correction import supplied_files_from

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _text(
    label: "StrOrPromise", *, required: bool = False, max_length: int = inputs.TEXT_MAX, area: bool = True
) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}) if area else forms.TextInput,
        error_messages=inputs.FORM_TEXT_MESSAGES,
    )


def _days(label: "StrOrPromise") -> Any:
    return forms.IntegerField(
        label=label,
        min_value=inputs.DAYS_MIN,
        max_value=inputs.DAYS_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=inputs.INTEGER_MESSAGES,
    )


def _choice(label: "StrOrPromise", choices: Any) -> Any:
    return forms.ChoiceField(label=label, choices=choices, error_messages=inputs.CHOICE_MESSAGES)


class _LinesField(forms.CharField):
    """A textarea of one entry per line, read by a parser of approvals/inputs.py."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, parse: Any, **kwargs: Any) -> None:
        self.parse = parse
        kwargs.setdefault("error_messages", {"required": inputs.REQUIRED})
        super().__init__(max_length=inputs.TEXT_MAX * 5, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        return self.parse(text)


class TransitionForm(forms.Form):
    """A transition's form on the page of ``case``: ids ``<transition>-<field>``, field names as the API's."""

    transition = ""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.transition}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.case = case


class _NoteForm(TransitionForm):
    note = _text(_("意见"))


class AcceptForm(TransitionForm):
    transition = "accept"
    note = _text(_("意见"))
    deferred_materials = _LinesField(
        parse=inputs.parse_deferred_materials,
        label=_("容缺后补材料（每行一项，容缺受理时填写）"),
        required=False,
        help_text=_("仅容缺受理：列出允许后补的非关键材料。"),
    )
    supply_by = forms.DateField(
        label=_("容缺材料补齐期限"),
        required=False,
        help_text=_("不得晚于承诺办结日期。"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=inputs.DATE_MESSAGES,
    )


class RequestCorrectionForm(TransitionForm):
    transition = "request_correction"
    materials = _LinesField(
        parse=inputs.parse_correction_materials, label=_("需补正的材料及问题（每行：材料名称：问题）")
    )
    note = _text(_("意见"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        names = "、".join(m.name for m in case.item.materials.all())
        self.fields["materials"].help_text = _("事项材料清单：%(names)s") % {"names": names}


class RefuseForm(TransitionForm):
    transition = "refuse"
    reason = _text(_("理由"), required=True)
    approved_by = _text(
        _("审核人用户名（窗口负责人或部门负责人）"), required=True, max_length=inputs.USERNAME_MAX, area=False
    )


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MaterialFilesField(forms.FileField):
    """Several files for one material. The form reads them all at once (``SupplyForm.clean``); the service
    checks each one (type, size, duplicates) before storing anything."""

    widget = _MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        return data


class SupplyForm(TransitionForm):
    """New files per material of the item (fields ``files_<material id>``), a note, or both."""

    transition = "supply"
    note = _text(_("意见"))

    files_label = _("补正的材料文件（PDF、JPG、PNG，可多选）")
    files_help = _("按一次性补正告知，为需要补正的材料选择新的文件；原来的文件仍保留在案卷中。")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        accept = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
        file_fields = {
            f"files_{m.pk}": _MaterialFilesField(
                label=m.name, required=False, widget=_MultipleFileInput(attrs={"accept": accept})
            )
            for m in case.item.materials.all()
        }
        self.fields = {**file_fields, **self.fields}  # the files first, then the note

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            files = supplied_files_from(self.files) if self.files else []
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None
        return {"note": data.get("note", ""), "files": files}

    def file_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("files_")]

    def other_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("files_")]


class StartReviewForm(_NoteForm):
    transition = "start_review"


class SendToDecisionForm(TransitionForm):
    transition = "send_to_decision"
    opinion = _text(_("审查意见"), required=True)


class ApproveForm(TransitionForm):
    transition = "approve"
    opinion = _text(_("决定意见"))


class ApproveOnTheSpotForm(_NoteForm):
    transition = "approve_on_the_spot"


class DenyForm(TransitionForm):
    transition = "deny"
    reasons = _text(_("不予许可的理由"), required=True)
    remedies = _text(_("救济途径"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["remedies"].help_text = _("留空则使用法定表述。")


class SuspendForm(TransitionForm):
    transition = "suspend"
    kind = _choice(_("特别程序"), SuspensionKind.choices)
    reason = _text(_("理由"), required=True)
    expected_days = _days(_("预计时长（工作日）"))


class ResumeForm(_NoteForm):
    transition = "resume"


class RequestExtensionForm(TransitionForm):
    transition = "request_extension"
    days = _days(_("申请延长天数"))
    reason = _text(_("延期理由"), required=True)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        from .services.extension import extension_rule

        rule = extension_rule(case)
        self.fields["days"].help_text = _("本件最多还可延长%(n)s个%(unit)s（%(basis)s）。") % {
            "n": max(rule.limit - case.extension_days, 0),
            "unit": LimitUnit(rule.unit).label,
            "basis": rule.basis,
        }


class ExtendForm(TransitionForm):
    transition = "extend"
    days = _days(_("批准延长天数（留空按申请）"))
    reason = _text(_("审批意见"))
    government_approval = _text(
        _("本级人民政府负责人批准文件（超过10个工作日时必填）"),
        max_length=inputs.APPROVAL_DOCUMENT_MAX,
        area=False,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["days"].required = False
        from .services.extension import pending_request

        request = pending_request(case)
        if request is not None:
            self.fields["days"].help_text = _("承办人申请延长%(n)s天，理由：%(reason)s") % {
                "n": case.extension_requested_days,
                "reason": request.reason,
            }


class RejectExtensionForm(TransitionForm):
    transition = "reject_extension"
    reason = _text(_("不批准的理由"), required=True)


class SupplyDeferredForm(_NoteForm):
    transition = "supply_deferred"


class WithdrawForm(TransitionForm):
    transition = "withdraw"
    reason = _text(_("撤回原因"))


class TerminateForm(TransitionForm):
    transition = "terminate"
    reason = _text(_("理由"), required=True)


class RevokeForm(TransitionForm):
    transition = "revoke"
    reason = _text(_("理由"), required=True)


class DeliverForm(TransitionForm):
    transition = "deliver"
    method = _choice(_("送达方式"), DeliveryMethod.choices)
    tracking_number = _text(
        _("邮寄单号（邮寄送达时必填）"), max_length=inputs.TRACKING_NUMBER_MAX, area=False
    )
    place = _text(_("领取地点"), max_length=inputs.PLACE_MAX, area=False)
