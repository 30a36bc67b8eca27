"""The case page's forms: one per transition, with the same fields, limits and messages as the API's
input serializers (approvals/inputs.py). Forms only read and check input; the rules live in the services."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.constants import MaterialCheck
from portal.exceptions import ApplicationError
from portal.workcalendar.constants import LimitUnit

from . import inputs, selectors
from .constants import AfterCheckResult, DeliveryMethod, SubApprovalAnswer, SuspensionKind
from .models import Case
from .phrases import PHRASE_TARGETS, phrases_for
from .services.correction import beyond_first_notice, supplied_files_from
from .services.deferred import deferred_material_rows

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
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages=inputs.CHOICE_MESSAGES
    )


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
    """A transition's form on the page of ``case``: ids ``<transition>-<field>``, field names as the API's.

    Drawn with GOV.UK's components (crispy-forms-gds). A transition with common opinion phrases
    (``phrases.phrases_for``, kept by the admins) gets a group of checkboxes ``phrases_<transition>`` (the name unique on the case
    page, where several forms stand): the ticked phrases go before the typed opinion."""

    transition = ""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.transition}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.case = case
        self.phrase_target = ""
        phrases = phrases_for(self.transition) if self.transition in PHRASE_TARGETS else []
        if phrases:
            target = PHRASE_TARGETS[self.transition]
            self.phrase_target = target
            self.phrase_field = f"phrases_{self.transition}"
            self.fields[self.phrase_field] = forms.MultipleChoiceField(
                label=_("常用意见"),
                required=False,
                choices=[(p, p) for p in phrases],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("点选常用意见，会加到下面的意见中，可再修改。"),
                error_messages=inputs.CHOICE_MESSAGES,
            )
            # the phrases first, then the opinion they go into
            self.fields = {self.phrase_field: self.fields.pop(self.phrase_field), **self.fields}
            self.target_required = self.fields[target].required
            self.fields[target].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.phrase_target:
            picked = data.pop(self.phrase_field, None) or []
            typed = data.get(self.phrase_target) or ""
            text = "".join(p for p in picked if p not in typed) + typed
            if len(text) > inputs.TEXT_MAX:
                self.add_error(
                    self.phrase_target,
                    inputs.FORM_TEXT_MESSAGES["max_length"] % {"limit_value": inputs.TEXT_MAX},
                )
            elif not text and self.target_required:
                self.add_error(self.phrase_target, inputs.REQUIRED)
            else:
                data[self.phrase_target] = text
        return data


class _NoteForm(TransitionForm):
    note = _text(_("意见"))


class AcceptForm(TransitionForm):
    transition = "accept"
    note = _text(_("意见"))
    override_reason = _text(
        _("补正文件未核验即受理的理由"),
    )
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

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.unchecked = selectors.unchecked_supplied_files(case)
        if self.unchecked:
            self.fields["override_reason"].help_text = _(
                "申请人补正后上传的文件尚未核验：%(files)s。请先在上方“材料核验”中核验；确需先行受理的，"
                "在此写明理由，理由会记入办理过程。"
            ) % {"files": "、".join(f"{f.material_name}（{f.original_name}）" for f in self.unchecked)}
        else:
            del self.fields["override_reason"]
        if case.mode != "deferred":
            del self.fields["deferred_materials"]
            del self.fields["supply_by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data.setdefault("deferred_materials", [])
        data.setdefault("supply_by", None)
        return data


class RequestCorrectionForm(TransitionForm):
    """The one-time correction notice, made by ticking the materials: each ticked material goes into the
    notice with the problem the material check recorded for it."""

    transition = "request_correction"
    materials = forms.MultipleChoiceField(
        label=_("需补正的材料"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请勾选至少一项需补正的材料。"),
            "invalid_choice": _("不是有效的选项。"),
        },
    )
    note = _text(_("意见"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        rows = selectors.material_rows(case=case)
        # 一次性告知 (DESIGN §3): the service's own rule says which ticks would make a second notice
        beyond = {
            m["name"]
            for m in beyond_first_notice(case, [{"name": r.material.name, "problem": ""} for r in rows])
        }
        choices = []
        for row in rows:
            if row.review is not None and row.review.problem:
                label = f"{row.material.name}：{row.review.problem}"
            elif not row.files:
                label = _("%(name)s：未提交该材料") % {"name": row.material.name}
            else:
                label = _("%(name)s（尚未写明问题）") % {"name": row.material.name}
            if row.material.name in beyond:
                label = _("%(label)s（首次告知未列出或已核验合格，勾选将计为二次补正告知）") % {
                    "label": label
                }
            choices.append((str(row.material.pk), label))
        field: Any = self.fields["materials"]
        field.choices = choices
        field.help_text = _(
            "勾选需要补正的材料（在“材料核验”中选了“需补正”的已勾好）。每项的问题取自核验时写明的内容；"
            "没有提交文件的材料写为“未提交该材料”。"
        )
        if not self.is_bound:
            self.initial.setdefault("materials", [str(r.material.pk) for r in rows if r.needs_fix])

    def clean_materials(self) -> list[dict[str, str]]:
        ids = [int(pk) for pk in self.cleaned_data.get("materials") or []]
        try:
            return selectors.correction_items(case=self.case, material_ids=ids)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


class ProposeRefusalForm(TransitionForm):
    transition = "propose_refusal"
    reasons = _text(_("不予受理的理由"), required=True)
    legal_basis = _text(_("法律依据"), required=True)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["legal_basis"].help_text = _(
            "写明法律、法规条款，例如《中华人民共和国行政许可法》第三十二条。"
        )
        self.fields["reasons"].help_text = _("提交后由承办部门负责人在平台签批，同意后方作出不予受理决定。")


class RefuseForm(TransitionForm):
    transition = "refuse"
    note = _text(_("签批意见"))


class RejectRefusalForm(TransitionForm):
    transition = "reject_refusal"
    reason = _text(_("退回理由"), required=True)


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


class SupplyDeferredForm(SupplyForm):
    """容缺: a file for each deferred material (fields ``files_<material id>``), and a note."""

    transition = "supply_deferred"
    files_label = _("容缺后补材料文件（PDF、JPG、PNG）")
    files_help = _("每一项容缺后补材料都须上传文件，窗口核验后方可出件。")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        wanted = {f"files_{m.pk}" for m in deferred_material_rows(case)}
        self.fields = {
            name: field
            for name, field in self.fields.items()
            if not name.startswith("files_") or name in wanted
        }
        for name in wanted & set(self.fields):
            self.fields[name].required = False  # the service names the missing ones beside the field


class CheckDeferredForm(TransitionForm):
    transition = "check_deferred"
    result = _choice(
        _("核验结果"),
        [
            (MaterialCheck.RECEIVED.value, _("材料齐全、符合要求")),
            (MaterialCheck.FAULTY.value, _("不符合要求，请申请人重新上传")),
        ],
    )
    note = _text(_("核验意见（不符合要求时必填）"))


class WithdrawForm(TransitionForm):
    transition = "withdraw"
    reason = _text(_("撤回原因"))


class TerminateForm(TransitionForm):
    transition = "terminate"
    reason = _text(_("理由"), required=True)


class RevokeForm(TransitionForm):
    transition = "revoke"
    reason = _text(_("理由"), required=True)


class RecordAfterCheckForm(TransitionForm):
    transition = "record_after_check"
    result = _choice(_("核查结果"), AfterCheckResult.choices)
    note = _text(_("核查情况"), required=True)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["result"].help_text = _("承诺不实的，将撤销许可并通知申请人。")


class DeliverForm(TransitionForm):
    transition = "deliver"
    method = _choice(_("送达方式"), DeliveryMethod.choices)
    tracking_number = _text(
        _("邮寄单号（邮寄送达时必填）"), max_length=inputs.TRACKING_NUMBER_MAX, area=False
    )
    carrier = _text(
        _("寄递企业（邮寄送达时填写，默认中国邮政EMS）"), max_length=inputs.CARRIER_MAX, area=False
    )
    place = _text(_("领取地点"), max_length=inputs.PLACE_MAX, area=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        # the applicant's choice (送达, made when applying) comes first; the clerk may still hand it out otherwise
        self.fields["method"].initial = case.application.delivery_method
        if case.application.delivery_method == "post":
            self.fields["tracking_number"].help_text = _("寄往：%(address)s") % {
                "address": case.application.delivery_address
            }


# --- 并联: a co-department's answer and the lead's resolution of a disagreement (not case transitions) ---


class SubApprovalAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("协办意见"),
        choices=[
            (SubApprovalAnswer.CONSENT.value, SubApprovalAnswer.CONSENT.label),
            (SubApprovalAnswer.CONDITIONAL.value, SubApprovalAnswer.CONDITIONAL.label),
            (SubApprovalAnswer.OBJECT.value, SubApprovalAnswer.OBJECT.label),
        ],
        widget=forms.RadioSelect,
        error_messages=inputs.CHOICE_MESSAGES,
    )
    opinion = _text(_("理由或条件"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["opinion"].help_text = _("不同意须说明理由；附条件同意须写明条件。")


class SubApprovalResolveForm(forms.Form):
    resolution = _text(_("分歧处理结果"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["resolution"].help_text = _(
            "写明与协办部门协调的过程和结论；记录后方可作出准予许可决定。"
        )
