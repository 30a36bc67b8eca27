"""The personal centre (complaints/centre.html) lists the citizen's coming appointments with their
change (改约) and cancel links; the centre's view cannot import the hall (the hall sits above it), so
the template asks for them here."""

from typing import Any

from django import template
from django.utils import timezone

from .. import selectors
from ..constants import AppointmentState

register = template.Library()


@register.inclusion_tag("hall/_centre_appointments.html")
def coming_appointments(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    coming = (
        selectors.appointment_list(citizen=user)
        .filter(state=AppointmentState.BOOKED, date__gte=today)
        .order_by("date", "half")[:5]
    )
    return {"appointments": list(coming), "today": today}
