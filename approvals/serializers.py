from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from intake.constants import MaterialCheck
from portal.api import PlainRowsMixin

from . import inputs
from .constants import (
    AfterCheckResult,
    CaseState,
    DeliveryMethod,
    MaterialVerdict,
    SubApprovalAnswer,
    SuspensionKind,
)
from .models import Case, CaseTransition, SubApproval

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@extend_schema_field({"type": "string"})
class StateLabelField(serializers.Field):
    """The state's label, as ``get_state_display()`` gives it, looked up directly: the model's display method
    hashes every choice's lazy label (one translation each) on every row of a list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="state", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        try:
            return str(CaseState(value).label)
        except ValueError:
            return value


class CaseListSerializer(PlainRowsMixin, serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    state_label = StateLabelField()
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    elapsed_days_now = serializers.IntegerField(source="elapsed_now", read_only=True, allow_null=True)
    remaining_days = serializers.IntegerField(source="remaining_now", read_only=True, allow_null=True)
    due_colour = serializers.CharField(read_only=True)
    answer_by = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="While the application waits for the window: the last day it may answer (Art. 32), counted "
        "from receipt or from the complete correction.",
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "state",
            "state_label",
            "mode",
            "item_code",
            "item_name",
            "department",
            "submitted_at",
            "accepted_on",
            "promised_due",
            "statutory_due",
            "due_provisional",
            "current_step",
            "step_due",
            "concluded_on",
            "ended_on",
            "elapsed_days_now",
            "remaining_days",
            "due_colour",
            "answer_by",
        ]
        read_only_fields = fields


class CaseTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseTransition
        fields = ["name", "from_state", "to_state", "actor", "at", "reason", "data"]

    def get_actor(self, obj: CaseTransition) -> str:
        return obj.actor.display_name if obj.actor else "系统"


class CaseDetailSerializer(CaseListSerializer):
    timeline = CaseTransitionSerializer(source="transitions", many=True, read_only=True)
    outcome = serializers.CharField(read_only=True)
    # blank until the result is handed out; a read-only model field would lose allow_blank in the schema
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, allow_blank=True, read_only=True
    )

    # the applicant's choice (送达, chosen when applying, changeable until delivered) and the postal address
    delivery_choice = serializers.ChoiceField(
        source="application.delivery_method", choices=DeliveryMethod.choices, read_only=True
    )
    delivery_address = serializers.CharField(source="application.delivery_address", read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "outcome",
            "statutory_limit",
            "promised_limit",
            "limit_unit",
            "extension_days",
            "suspended_days",
            "deferred_materials",
            "deferred_supply_by",
            "after_check_due",
            "decision_reasons",
            "remedies",
            "delivery_method",
            "carrier",
            "tracking_number",
            "delivery_choice",
            "delivery_address",
            "timeline",
        ]
        read_only_fields = fields


# What GET …/transitions/ answers (built as dicts by transitions.transition_spec; declared inline: their
# keys "label", "required" and "fields" are names a Serializer class uses for itself).
def transition_specs_schema() -> serializers.Serializer[Any]:
    field_spec = inline_serializer(
        "FieldSpec",
        {
            "name": serializers.CharField(),
            "label": serializers.CharField(),
            "kind": serializers.CharField(
                help_text="text, textarea, user, integer, date, choice, list, materials, files"
            ),
            "required": serializers.BooleanField(),
            "choices": serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        },
        many=True,
    )
    return inline_serializer(
        "TransitionSpec",
        {"name": serializers.CharField(), "label": serializers.CharField(), "fields": field_spec},
        many=True,
    )


# --- the input of each transition (POST /api/v1/cases/{reference}/transitions/{name}/) ---------------
# One serializer per transition, so the schema documents each one's fields. The fields may also be sent
# wrapped in {"data": {…}}. Unknown keys are ignored. Limits and messages: approvals/inputs.py.


class _TextField(serializers.CharField):
    """Text only: a number, a boolean, a list or an object is refused (DRF would turn a number into text)."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind  # what GET …/transitions/ reports: a long text, a one-line text, a username
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _text(
    label: "StrOrPromise", *, required: bool = False, max_length: int = inputs.TEXT_MAX, kind: str = ""
) -> _TextField:
    return _TextField(
        kind=kind or ("textarea" if max_length >= inputs.TEXT_MAX else "text"),
        label=label,
        required=required,
        allow_blank=not required,
        max_length=max_length,
        default="" if not required else serializers.empty,
        error_messages=inputs.TEXT_MESSAGES,
    )


def _days(label: "StrOrPromise") -> serializers.IntegerField:
    return serializers.IntegerField(
        label=label,
        min_value=inputs.DAYS_MIN,
        max_value=inputs.DAYS_MAX,
        error_messages=inputs.INTEGER_MESSAGES,
    )


def _choice(label: "StrOrPromise", choices: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(label=label, choices=choices, error_messages=inputs.CHOICE_MESSAGES)


class _ParsedField(serializers.Field):
    """A field read by one of the parsers of approvals/inputs.py (a text of lines or a list)."""

    parse: Any = None
    kind = ""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist") and len(dictionary.getlist(self.field_name)) > 1:
            return dictionary.getlist(self.field_name)  # form-encoded: the key repeated, one entry each
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return type(self).parse(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None

    def to_representation(self, value: Any) -> Any:
        return value


_LINES_SCHEMA = {
    "oneOf": [
        {"type": "array", "items": {"type": "string", "maxLength": inputs.MATERIAL_NAME_MAX}},
        {"type": "string", "description": "one entry per line"},
    ]
}


@extend_schema_field({**_LINES_SCHEMA, "description": f"at most {inputs.DEFERRED_ITEMS_MAX} material names"})
class DeferredMaterialsField(_ParsedField):
    parse = staticmethod(inputs.parse_deferred_materials)
    kind = "list"


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "array",
                "maxItems": inputs.CORRECTION_ITEMS_MAX,
                "items": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string", "maxLength": inputs.MATERIAL_NAME_MAX},
                                "problem": {"type": "string", "maxLength": inputs.PROBLEM_MAX},
                            },
                            "required": ["name"],
                        },
                        {"type": "string", "description": "材料名称：问题"},
                    ]
                },
            },
            {"type": "string", "description": "one 材料名称：问题 per line"},
        ],
        "description": "every material to correct, in one notice (a missing problem means 缺少)",
    }
)
class CorrectionMaterialsField(_ParsedField):
    parse = staticmethod(inputs.parse_correction_materials)
    kind = "materials"


@extend_schema_field(
    {
        "type": "string",
        "description": "not a JSON field: send the files as multipart/form-data in fields named "
        "files_<material id> (PDF, JPG or PNG; several per field allowed)",
    }
)
class SuppliedFilesField(serializers.Field):
    """Files come only as multipart fields ``files_<material id>`` (the view collects them); a ``files``
    key in the body is a mistake."""

    kind = "files"

    def to_internal_value(self, data: Any) -> Any:
        raise serializers.ValidationError(_("文件须以表单上传（multipart/form-data）。"))

    def to_representation(self, value: Any) -> Any:
        return value


class _NoteInput(serializers.Serializer):
    note = _text(_("意见"))


class StartReviewInput(_NoteInput):
    pass


class ResumeInput(_NoteInput):
    pass


class SupplyDeferredInput(serializers.Serializer):
    files = SuppliedFilesField(
        label=_("容缺后补材料文件（PDF、JPG、PNG）"),
        required=False,
        help_text=_("每一项容缺后补材料都须上传文件，窗口核验后方可出件。"),
    )
    note = _text(_("意见"))


class CheckDeferredInput(serializers.Serializer):
    result = _choice(
        _("核验结果"),
        [
            (MaterialCheck.RECEIVED.value, _("材料齐全、符合要求")),
            (MaterialCheck.FAULTY.value, _("不符合要求，请申请人重新上传")),
        ],
    )
    note = _text(_("核验意见（不符合要求时必填）"))


class ApproveOnTheSpotInput(_NoteInput):
    pass


class AcceptInput(serializers.Serializer):
    note = _text(_("意见"))
    deferred_materials = DeferredMaterialsField(
        label=_("容缺后补材料（每行一项，容缺受理时填写）"),
        required=False,
        help_text=_("仅容缺受理：列出允许后补的非关键材料。"),
    )
    supply_by = serializers.DateField(
        label=_("容缺材料补齐期限"),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("不得晚于承诺办结日期。"),
        error_messages=inputs.DATE_MESSAGES,
    )
    override_reason = _text(_("补正文件未核验即受理的理由"))


class RequestCorrectionInput(serializers.Serializer):
    materials = CorrectionMaterialsField(
        label=_("需补正的材料及问题（每行：材料名称：问题）"), error_messages={"required": inputs.REQUIRED}
    )
    note = _text(_("意见"))


class ProposeRefusalInput(serializers.Serializer):
    reasons = _text(_("不予受理的理由"), required=True)
    legal_basis = _text(_("法律依据"), required=True)


class RefuseInput(serializers.Serializer):
    note = _text(_("签批意见"))


class RejectRefusalInput(serializers.Serializer):
    reason = _text(_("退回理由"), required=True)


class SupplyInput(serializers.Serializer):
    files = SuppliedFilesField(
        label=_("补正的材料文件（PDF、JPG、PNG，可多选）"),
        required=False,
        help_text=_("按一次性补正告知，为需要补正的材料选择新的文件；原来的文件仍保留在案卷中。"),
    )
    note = _text(_("意见"))


class SendToDecisionInput(serializers.Serializer):
    opinion = _text(_("审查意见"), required=True)


class ApproveInput(serializers.Serializer):
    opinion = _text(_("决定意见"))


class DenyInput(serializers.Serializer):
    reasons = _text(_("不予许可的理由"), required=True)
    remedies = _text(_("救济途径"))


class SuspendInput(serializers.Serializer):
    kind = _choice(_("特别程序"), SuspensionKind.choices)
    reason = _text(_("理由"), required=True)
    expected_days = _days(_("预计时长（工作日）"))


class RequestExtensionInput(serializers.Serializer):
    days = _days(_("申请延长天数"))
    reason = _text(_("延期理由"), required=True)


class ExtendInput(serializers.Serializer):
    days = serializers.IntegerField(
        label=_("批准延长天数（留空按申请）"),
        min_value=inputs.DAYS_MIN,
        max_value=inputs.DAYS_MAX,
        required=False,
        allow_null=True,
        error_messages=inputs.INTEGER_MESSAGES,
    )
    reason = _text(_("审批意见"))
    government_approval = _text(
        _("本级人民政府负责人批准文件（超过10个工作日时必填）"), max_length=inputs.APPROVAL_DOCUMENT_MAX
    )


class RejectExtensionInput(serializers.Serializer):
    reason = _text(_("不批准的理由"), required=True)


class WithdrawInput(serializers.Serializer):
    reason = _text(_("撤回原因"))


class TerminateInput(serializers.Serializer):
    reason = _text(_("理由"), required=True)


class RevokeInput(serializers.Serializer):
    reason = _text(_("理由"), required=True)


class RecordAfterCheckInput(serializers.Serializer):
    result = _choice(_("核查结果"), AfterCheckResult.choices)
    note = _text(_("核查情况"), required=True)


class DeliverInput(serializers.Serializer):
    method = _choice(_("送达方式"), DeliveryMethod.choices)
    tracking_number = _text(_("邮寄单号（邮寄送达时必填）"), max_length=inputs.TRACKING_NUMBER_MAX)
    carrier = _text(_("寄递企业（邮寄送达时填写，默认中国邮政EMS）"), max_length=inputs.CARRIER_MAX)
    place = _text(_("领取地点"), max_length=inputs.PLACE_MAX)


class TransitionResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()


# --- 并联 (parallel approval): a co-department's part -----------------------------------------------


class SubApprovalSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference", read_only=True)
    item_name = serializers.CharField(source="case.item.name", read_only=True)
    lead_department = serializers.CharField(source="case.department.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    answer = serializers.ChoiceField(choices=SubApprovalAnswer.choices, allow_blank=True, read_only=True)
    answer_label = serializers.SerializerMethodField()
    blocks_approval = serializers.BooleanField(read_only=True)

    class Meta:
        model = SubApproval
        fields = [
            "id",
            "reference",
            "item_name",
            "lead_department",
            "department",
            "due_on",
            "answer",
            "answer_label",
            "opinion",
            "answered_at",
            "resolution",
            "resolved_at",
            "blocks_approval",
        ]
        read_only_fields = fields

    def get_answer_label(self, obj: SubApproval) -> str:
        return str(obj.get_answer_display()) if obj.answer else str(_("待答复"))


class SubApprovalAnswerInput(serializers.Serializer):
    answer = _choice(
        _("协办意见"),
        [
            (SubApprovalAnswer.CONSENT.value, SubApprovalAnswer.CONSENT.label),
            (SubApprovalAnswer.CONDITIONAL.value, SubApprovalAnswer.CONDITIONAL.label),
            (SubApprovalAnswer.OBJECT.value, SubApprovalAnswer.OBJECT.label),
        ],
    )
    opinion = _text(_("理由或条件"))


class SubApprovalResolveInput(serializers.Serializer):
    resolution = _text(_("分歧处理结果"), required=True)


# --- the window's material check (材料核验) ------------------------------------------------------------


class MaterialCheckFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)
    unchecked = serializers.BooleanField(
        read_only=True, help_text="supplied after submission and not checked by the window since"
    )


class MaterialCheckRowSerializer(serializers.Serializer):
    """One material of the case as the window checks it: its files and its check so far (``verdict`` empty
    while unchecked)."""

    material = serializers.IntegerField(source="material.pk", read_only=True)
    name = serializers.CharField(source="material.name", read_only=True)
    mandatory = serializers.BooleanField(source="material.mandatory", read_only=True)
    files = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField(
        help_text="ok (合格), fix (需补正), or empty: not checked yet"
    )
    verdict_label = serializers.SerializerMethodField()
    problem = serializers.SerializerMethodField()
    original_seen = serializers.SerializerMethodField()
    checked_by = serializers.SerializerMethodField()
    checked_at = serializers.SerializerMethodField()

    @extend_schema_field(MaterialCheckFileSerializer(many=True))
    def get_files(self, row: Any) -> list[dict[str, Any]]:
        unchecked = {f.pk for f in row.unchecked}
        return [
            {
                "id": f.pk,
                "original_name": f.original_name,
                "uploaded_at": f.uploaded_at,
                "unchecked": f.pk in unchecked,
            }
            for f in row.files
        ]

    def get_verdict(self, row: Any) -> str:
        return row.review.verdict if row.review else ""

    def get_verdict_label(self, row: Any) -> str:
        return str(row.review.get_verdict_display()) if row.review else ""

    def get_problem(self, row: Any) -> str:
        return row.review.problem if row.review else ""

    def get_original_seen(self, row: Any) -> bool:
        return bool(row.review and row.review.original_seen)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_checked_by(self, row: Any) -> str | None:
        user = row.review.checked_by if row.review else None
        return user.display_name if user else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_checked_at(self, row: Any) -> Any:
        return serializers.DateTimeField().to_representation(row.review.checked_at) if row.review else None


class MaterialCheckItemInput(serializers.Serializer):
    material = serializers.IntegerField(help_text="the material's id (``material`` of the check's rows)")
    verdict = serializers.ChoiceField(
        choices=MaterialVerdict.choices,
        help_text="ok (合格) or fix (需补正: say what is wrong in ``problem``)",
        error_messages={"invalid_choice": _("请选择合格还是需补正。")},
    )
    problem = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    original_seen = serializers.BooleanField(required=False, default=False)


class MaterialCheckSaveInput(serializers.Serializer):
    """The window's check of some materials of the case; the materials not named keep their check."""

    checks = MaterialCheckItemInput(many=True, allow_empty=False)
