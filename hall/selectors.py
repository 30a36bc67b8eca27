"""Reads of the service hall: slots, the calling screen, a citizen's appointments, the waiting figures."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts.models import User, Window

from .constants import DISPLAY_CALLS, DISPLAY_WAITING, AppointmentState, CallAction, HalfDay, TicketState
from .models import Appointment, BusinessType, CallRecord, Ticket, WaitAlert
from .services import half_times, hours_on, slot_booked


def business_type_list() -> QuerySet[BusinessType]:
    return BusinessType.objects.filter(is_active=True).select_related("department")


@dataclass(frozen=True)
class Slot:
    group_id: int
    group_name: str
    date: datetime.date
    half: str
    start: datetime.time
    end: datetime.time
    capacity: int
    booked: int

    @property
    def available(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def half_label(self) -> str:
        return str(HalfDay(self.half).label)


def slot_list(*, business_type: BusinessType, day: datetime.date) -> list[Slot]:
    """The half-day slots of every active window group serving the business type on ``day`` (none on a
    holiday; Monday's hours on a make-up working day)."""
    out = []
    for group in business_type.window_groups.filter(is_active=True).prefetch_related("hours").order_by("pk"):
        hours = hours_on(group=group, day=day)
        for half in HalfDay.values:
            times = half_times(hours, half)
            if times is None:
                continue
            out.append(
                Slot(
                    group_id=group.pk,
                    group_name=group.name,
                    date=day,
                    half=half,
                    start=times[0],
                    end=times[1],
                    capacity=group.capacity(half),
                    booked=slot_booked(group=group, day=day, half=half),
                )
            )
    return out


def appointment_list(*, citizen: User) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(citizen=citizen)
        .select_related("business_type", "group", "ticket")
        .order_by("-date", "half")
    )


def display(*, day: datetime.date | None = None) -> dict[str, Any]:
    """What the calling screen shows: the last calls (number → window) and the waiting numbers."""
    day = day or timezone.localdate()
    calls = [
        {
            "number": c.ticket.number,
            "window": c.window.number,
            "window_name": c.window.name,
            "at": c.at,
            "recall": c.action == CallAction.RECALL,
        }
        for c in CallRecord.objects.filter(
            ticket__date=day, action__in=[CallAction.CALL, CallAction.RECALL]
        ).select_related("ticket", "window")[:DISPLAY_CALLS]
    ]
    waiting = list(
        Ticket.objects.filter(date=day, state=TicketState.WAITING)
        .order_by("-priority", "issued_at", "pk")
        .values_list("number", flat=True)[:DISPLAY_WAITING]
    )
    count = Ticket.objects.filter(date=day, state=TicketState.WAITING).count()
    return {"calls": calls, "waiting": waiting, "waiting_count": count}


def clerk_current(*, window: Window) -> Ticket | None:
    return (
        Ticket.objects.filter(date=timezone.localdate(), window=window, state=TicketState.CALLED)
        .select_related("business_type")
        .first()
    )


# --- waiting figures (supervision reads these) -------------------------------------------------


@dataclass
class HallFigures:
    date: datetime.date
    window: int | None
    tickets: int = 0
    appointments: int = 0
    no_shows: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    @property
    def mean_wait_minutes(self) -> float | None:
        return round(sum(self.waits) / len(self.waits) / 60, 1) if self.waits else None

    @property
    def p90_wait_minutes(self) -> float | None:
        if not self.waits:
            return None
        ordered = sorted(self.waits)
        return round(ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)] / 60, 1)  # nearest rank

    @property
    def over_30_share(self) -> float | None:
        if not self.waits:
            return None
        return round(sum(1 for w in self.waits if w > 30 * 60) / len(self.waits), 3)

    @property
    def mean_service_minutes(self) -> float | None:
        return round(sum(self.services) / len(self.services) / 60, 1) if self.services else None


def hall_figures(
    *, date_from: datetime.date, date_to: datetime.date, per_window: bool = True
) -> list[HallFigures]:
    """Per window and day: numbers called there, appointments (checked in) and no-shows, mean and
    90th-percentile wait (issue → first call), share waiting over 30 minutes, mean service time (last call →
    finish). No-shows never reach a window: they are counted on the day's row with window None.
    ``per_window=False``: one row a day for the whole hall."""
    rows: dict[tuple[datetime.date, int | None], HallFigures] = {}

    def row(day: datetime.date, window: int | None) -> HallFigures:
        key = (day, window)
        if key not in rows:
            rows[key] = HallFigures(date=day, window=window)
        return rows[key]

    tickets = Ticket.objects.filter(
        date__gte=date_from, date__lte=date_to, first_called_at__isnull=False
    ).values_list(
        "date",
        "window__number",
        "issued_at",
        "first_called_at",
        "called_at",
        "finished_at",
        "state",
        "priority",
    )
    for day, window, issued, first, called, finished, state, priority in tickets:
        if first is None:
            continue
        r = row(day, window if per_window else None)
        r.tickets += 1
        r.appointments += 1 if priority else 0
        r.waits.append((first - issued).total_seconds())
        if state == TicketState.FINISHED and finished and called:
            r.services.append((finished - called).total_seconds())
    counts: dict[tuple[datetime.date, str], int] = defaultdict(int)
    for day, state in Appointment.objects.filter(
        date__gte=date_from, date__lte=date_to, state=AppointmentState.NO_SHOW
    ).values_list("date", "state"):
        counts[(day, state)] += 1
    for (day, _state), n in counts.items():
        row(day, None).no_shows += n
    return sorted(rows.values(), key=lambda r: (r.date, r.window if r.window is not None else -1))


def wait_alert_list(*, day: datetime.date | None = None) -> QuerySet[WaitAlert]:
    return WaitAlert.objects.filter(date=day or timezone.localdate()).select_related("business_type")
