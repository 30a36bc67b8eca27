"""Reads of the service hall: slots, the calling screen, a citizen's appointments, the waiting figures."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models import Window as Over
from django.db.models.functions import RowNumber
from django.utils import timezone

from portal.accounts.models import User, Window
from portal.compiled_sql import compiled_rows

from .constants import DISPLAY_CALLS, DISPLAY_WAITING, AppointmentState, CallAction, HalfDay, TicketState
from .models import Appointment, BusinessType, CallRecord, Ticket, WaitAlert
from .permissions import appointment_scope
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
        Appointment.objects.filter(appointment_scope(citizen))
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
    mean_wait: datetime.timedelta | None = None
    p90_wait: datetime.timedelta | None = None
    over_30: int = 0
    mean_service: datetime.timedelta | None = None

    @property
    def mean_wait_minutes(self) -> float | None:
        return _minutes(self.mean_wait)

    @property
    def p90_wait_minutes(self) -> float | None:
        return _minutes(self.p90_wait)

    @property
    def over_30_share(self) -> float | None:
        return round(self.over_30 / self.tickets, 3) if self.tickets else None

    @property
    def mean_service_minutes(self) -> float | None:
        return _minutes(self.mean_service)


def _minutes(d: datetime.timedelta | None) -> float | None:
    return round(d.total_seconds() / 60, 1) if d is not None else None


WAIT = ExpressionWrapper(F("first_called_at") - F("issued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("finished_at") - F("called_at"), output_field=DurationField())


def hall_figures(
    *, date_from: datetime.date, date_to: datetime.date, per_window: bool = True
) -> list[HallFigures]:
    """Per window and day: numbers called there, appointments (checked in) and no-shows, mean and
    90th-percentile wait (issue → first call; nearest rank), share waiting over 30 minutes, mean service
    time (last call → finish). No-shows never reach a window: they are counted on the day's row with
    window None. ``per_window=False``: one row a day for the whole hall.

    Aggregated in SQL (GROUP BY, and a window function for the percentile), three queries whatever the
    period, so the dashboard and the exports can cover months."""
    keys = ["date", "window__number"] if per_window else ["date"]
    rows: dict[tuple[datetime.date, int | None], HallFigures] = {}
    for r in _figure_rows(("calls", per_window), lambda f, t: _calls(f, t, keys), date_from, date_to):
        key = (r["date"], r.get("window__number"))
        rows[key] = HallFigures(
            date=key[0],
            window=key[1],
            tickets=r["n"],
            appointments=r["appts"],
            mean_wait=r["mean_wait"],
            over_30=r["over_30"],
            mean_service=r["mean_service"],
        )
    for r in _figure_rows(("p90", per_window), lambda f, t: _p90(f, t, keys), date_from, date_to):
        key = (r["date"], r.get("window__number"))
        if key in rows:
            rows[key].p90_wait = r["w"]
    for r in _figure_rows(("no_shows",), _no_shows, date_from, date_to):
        key = (r["date"], None)
        rows.setdefault(key, HallFigures(date=r["date"], window=None)).no_shows += r["n"]
    return sorted(rows.values(), key=lambda r: (r.date, r.window if r.window is not None else -1))


def _called(date_from: datetime.date, date_to: datetime.date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(date__gte=date_from, date__lte=date_to, first_called_at__isnull=False).alias(
        wait=WAIT
    )


def _calls(date_from: datetime.date, date_to: datetime.date, keys: list[str]) -> Any:
    return (
        _called(date_from, date_to)
        .values(*keys)
        .annotate(
            n=Count("pk"),
            appts=Count("pk", filter=Q(priority=True)),
            mean_wait=Avg("wait"),
            over_30=Count("pk", filter=Q(wait__gt=datetime.timedelta(minutes=30))),
            mean_service=Avg(
                SERVICE,
                filter=Q(state=TicketState.FINISHED, finished_at__isnull=False, called_at__isnull=False),
            ),
        )
        .order_by()
    )


def _p90(date_from: datetime.date, date_to: datetime.date, keys: list[str]) -> Any:
    """The 90th percentile by nearest rank: in each (day, window) the wait ranked ceil(0.9 n), i.e. the one
    whose row number k has 10k ≥ 9n > 10(k − 1)."""
    partition = [F(k) for k in keys]
    return (
        _called(date_from, date_to)
        .annotate(
            w=WAIT,
            k=Over(RowNumber(), partition_by=partition, order_by=[WAIT.asc(), F("pk").asc()]),
            n=Over(Count("pk"), partition_by=partition),
        )
        .filter(k__gte=F("n") * 9 / 10.0, k__lt=F("n") * 9 / 10.0 + 1)
        .values(*keys, "w")
    )


def _no_shows(date_from: datetime.date, date_to: datetime.date) -> Any:
    return (
        Appointment.objects.filter(date__gte=date_from, date__lte=date_to, state=AppointmentState.NO_SHOW)
        .values("date")
        .annotate(n=Count("pk"))
        .order_by()
    )


# The figures' three queries, their SQL compiled once per shape on PostgreSQL (``portal.compiled_sql``):
# compiling them through the ORM (filtered counts, a window function) cost the dashboard ≈ 5 ms a request,
# the same every request but for the two dates, which are compiled as stand-ins.
_FROM, _TO = datetime.date(1901, 1, 1), datetime.date(1901, 1, 2)


def _figure_rows(
    key: tuple[Any, ...],
    build: Callable[[datetime.date, datetime.date], Any],
    date_from: datetime.date,
    date_to: datetime.date,
) -> list[dict[str, Any]]:
    """The rows of the ``values()`` query ``build(date_from, date_to)`` as dicts (as the ORM gives them)."""
    return compiled_rows(
        ("hall", *key),
        lambda: build(date_from, date_to),
        lambda: build(_FROM, _TO),
        {_FROM: date_from, _TO: date_to},
        needed=2,
    )


def wait_alert_list(*, day: datetime.date | None = None) -> QuerySet[WaitAlert]:
    return WaitAlert.objects.filter(date=day or timezone.localdate()).select_related("business_type")
