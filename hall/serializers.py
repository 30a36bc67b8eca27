"""Input and output serializers of /api/v1/hall/ (the contract of issue 20)."""

from rest_framework import serializers

from portal.accounts.models import Window

from .constants import HalfDay
from .models import Appointment, BusinessType, Ticket, WindowGroup


class BusinessTypeSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")

    class Meta:
        model = BusinessType
        fields = ["id", "code", "name", "department"]


class SlotQuerySerializer(serializers.Serializer):
    business_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=BusinessType.objects.filter(is_active=True),
        help_text="the letter, e.g. A",
    )
    date = serializers.DateField()


class SlotSerializer(serializers.Serializer):
    group = serializers.IntegerField(source="group_id")
    group_name = serializers.CharField()
    date = serializers.DateField()
    half = serializers.ChoiceField(choices=HalfDay.choices)
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()
    available = serializers.IntegerField()


class AppointmentInputSerializer(serializers.Serializer):
    business_type = serializers.SlugRelatedField(slug_field="code", queryset=BusinessType.objects.all())
    date = serializers.DateField()
    half = serializers.ChoiceField(choices=HalfDay.choices)
    group = serializers.PrimaryKeyRelatedField(
        queryset=WindowGroup.objects.all(), required=False, allow_null=True, default=None
    )


class AppointmentChangeInputSerializer(serializers.Serializer):
    """改约: the new half-day slot, in the same window group."""

    date = serializers.DateField()
    half = serializers.ChoiceField(choices=HalfDay.choices)


class TicketSerializer(serializers.ModelSerializer):
    business_type = serializers.CharField(source="business_type.code")
    window = serializers.IntegerField(source="window.number", default=None)
    waiting_ahead = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "business_type",
            "date",
            "state",
            "priority",
            "window",
            "issued_at",
            "waiting_ahead",
        ]

    def get_waiting_ahead(self, obj: Ticket) -> int:
        from .services import waiting_ahead

        return waiting_ahead(ticket=obj)


class AppointmentSerializer(serializers.ModelSerializer):
    business_type = serializers.CharField(source="business_type.code")
    group = serializers.IntegerField(source="group_id")
    ticket = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "business_type", "group", "date", "half", "state", "ticket"]

    def get_ticket(self, obj: Appointment) -> str | None:
        ticket = getattr(obj, "ticket", None)
        return ticket.number if ticket else None


class TicketInputSerializer(serializers.Serializer):
    business_type = serializers.SlugRelatedField(slug_field="code", queryset=BusinessType.objects.all())


class TransferInputSerializer(serializers.Serializer):
    window = serializers.SlugRelatedField(
        slug_field="number", queryset=Window.objects.filter(is_active=True), help_text="the window number"
    )


class FinishSerializer(serializers.Serializer):
    """The finished visit: the ticket, what was registered and accepted in it, and the rating device's
    one-time page."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    business_type = serializers.CharField()
    date = serializers.DateField()
    state = serializers.CharField()
    priority = serializers.BooleanField()
    window = serializers.IntegerField(allow_null=True)
    issued_at = serializers.DateTimeField()
    waiting_ahead = serializers.IntegerField()
    applications = serializers.ListField(child=serializers.CharField(), help_text="registered in the visit")
    cases = serializers.ListField(child=serializers.CharField(), help_text="accepted in the visit")
    rating_url = serializers.CharField(help_text="the rating device's page for this visit (one-time)")


class DisplayCallSerializer(serializers.Serializer):
    number = serializers.CharField()
    window = serializers.IntegerField()
    window_name = serializers.CharField()
    at = serializers.DateTimeField()
    recall = serializers.BooleanField()


class DisplaySerializer(serializers.Serializer):
    calls = DisplayCallSerializer(many=True)
    waiting = serializers.ListField(child=serializers.CharField())
    waiting_count = serializers.IntegerField()
