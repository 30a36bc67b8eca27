from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api import FieldsBuiltOnceMixin

from .constants import CaseState, DeliveryMethod
from .models import Case, CaseTransition


class StateLabelField(serializers.Field):
    """The state's label, as ``get_state_display()`` gives it, looked up directly: the model's display method
    hashes every choice's lazy label (one translation each) on every row of a list."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(source="state", read_only=True, **kwargs)

    def to_representation(self, value):  # type: ignore[no-untyped-def]
        try:
            return str(CaseState(value).label)
        except ValueError:
            return value


StateLabelField = extend_schema_field({"type": "string"})(StateLabelField)


class CaseListSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    state_label = StateLabelField()
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    elapsed_days_now = serializers.IntegerField(source="elapsed_now", read_only=True, allow_null=True)
    remaining_days = serializers.IntegerField(source="remaining_now", read_only=True, allow_null=True)
    due_colour = serializers.CharField(read_only=True)

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
            "elapsed_days_now",
            "remaining_days",
            "due_colour",
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
            "tracking_number",
            "timeline",
        ]
        read_only_fields = fields


class FieldSpecSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class TransitionSpecSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    fields = FieldSpecSerializer(many=True)


class TransitionInputSerializer(serializers.Serializer):
    """The transition's fields (see GET …/transitions/ for each one's list); unknown keys are ignored.
    The supply transition also takes files: send it as multipart/form-data with the files in fields named
    ``files_<material id>`` (PDF, JPG or PNG; several per field allowed)."""

    data = serializers.DictField(
        required=False, help_text="the transition's fields, or send them at the top level"
    )


class TransitionResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
