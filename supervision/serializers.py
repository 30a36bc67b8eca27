"""Input and output serializers of the supervision API (and the report command's argument check)."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .constants import AlertLevel, AlertState, Breakdown
from .models import Alert


class FiguresQuerySerializer(serializers.Serializer):
    accepted_from = serializers.DateField(label=_("受理起始日期"))
    accepted_to = serializers.DateField(label=_("受理截止日期"))
    as_of = serializers.DateTimeField(label=_("统计时点"), required=False)
    by = serializers.ChoiceField(label=_("分组"), choices=Breakdown.choices, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["accepted_from"] > attrs["accepted_to"]:
            raise serializers.ValidationError({"accepted_to": [_("截止日期不能早于起始日期。")]})
        as_of = attrs.get("as_of") or timezone.now()
        if timezone.is_naive(as_of):
            as_of = timezone.make_aware(as_of)
        attrs["as_of"] = as_of
        attrs["by"] = attrs.get("by") or None
        if attrs["accepted_to"] - attrs["accepted_from"] > datetime.timedelta(days=3660):
            raise serializers.ValidationError({"accepted_to": [_("统计区间不能超过十年。")]})
        return attrs


class RateSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()


class FiguresRowSerializer(serializers.Serializer):
    group = serializers.JSONField(required=False)
    label = serializers.CharField(required=False)  # type: ignore[assignment]  # a field named like Field.label
    accepted = serializers.IntegerField()
    concluded = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    early_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    statutory_breaches = serializers.IntegerField()
    mean_actual_days = serializers.FloatField(allow_null=True)
    actual_speedup = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    ratings = serializers.IntegerField()
    complaints_received = serializers.IntegerField()
    complaints_concluded = serializers.IntegerField()
    complaint_completion_rate = serializers.FloatField(allow_null=True)
    fractions = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class FiguresSerializer(serializers.Serializer):
    accepted_from = serializers.DateField()
    accepted_to = serializers.DateField()
    as_of = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    promised_speedup = serializers.FloatField(allow_null=True)
    promised_speedup_fraction = serializers.ListField(child=serializers.IntegerField())
    rows = FiguresRowSerializer(many=True)


class AlertSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference", read_only=True)
    level = serializers.ChoiceField(choices=AlertLevel.choices, read_only=True)
    state = serializers.ChoiceField(choices=AlertState.choices, read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "reference",
            "level",
            "step",
            "department",
            "department_name",
            "due",
            "state",
            "raised_at",
            "closed_at",
            "explanation",
            "explained_at",
            "review_note",
            "reviewed_at",
        ]
        read_only_fields = fields
