"""The service hall's writes (DESIGN §9): numbers, appointments, calling, the rating device.

Every service is keyword-only, runs in one transaction and locks what it changes. Two clerks calling
"next" at the same moment never get the same number: the waiting rows are taken with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers anyway), and a number is
issued once: the business type's row is locked while the day's next sequence is read, and a unique
constraint on (date, business type, sequence) backs it."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Case
from complaints.models import Rating
from complaints.services import rater_may_rate, rating_submit_visit
from intake.models import Application
from portal.accounts.constants import Role
from portal.accounts.models import User, Window
from portal.audit import audited_save
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.constants import ChannelKind
from portal.notifications.services import notify
from portal.workcalendar import services as calendar
from portal.workcalendar.constants import DayKind
from portal.workcalendar.models import CalendarDay

from . import permissions as perm
from .constants import (
    NO_SHOW_BLOCK_DAYS,
    NO_SHOW_LIMIT,
    NO_SHOW_WINDOW_DAYS,
    AppointmentState,
    CallAction,
    HalfDay,
    TicketState,
)
from .models import Appointment, BusinessType, CallRecord, OpeningHours, Ticket, WaitAlert, WindowGroup

BOOK_AHEAD_DAYS = 14
RATING_DEVICE_SALT = "hall.rating-device"  # noqa: S105 - a signing salt, not a secret
RATING_TOKEN_MAX_AGE = 30 * 60  # the device page works for half an hour after the visit is finished
ACTIVE_APPOINTMENT = (AppointmentState.BOOKED, AppointmentState.CHECKED_IN, AppointmentState.NO_SHOW)


def _now() -> datetime.datetime:
    return timezone.now()


def _today() -> datetime.date:
    return timezone.localdate()


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


# --- opening hours and slots ------------------------------------------------------------------


def hours_on(*, group: WindowGroup, day: datetime.date) -> OpeningHours | None:
    """The group's hours on ``day`` by the work calendar: closed on a statutory holiday; open with
    Monday's hours on a make-up working day (调休上班) that falls on a weekend; otherwise the weekday's
    row (a weekend row means weekend service on ordinary weekends)."""
    rows = {h.weekday: h for h in group.hours.all()}
    if calendar.is_workday(day):
        row = rows.get(day.weekday())
        if row is None and day.weekday() >= 5:
            row = rows.get(0)
        return row
    if CalendarDay.objects.filter(date=day, kind=DayKind.HOLIDAY).exists():
        return None
    return rows.get(day.weekday()) if day.weekday() >= 5 else None


def half_times(hours: OpeningHours | None, half: str) -> tuple[datetime.time, datetime.time] | None:
    if hours is None:
        return None
    if half == HalfDay.MORNING:
        start, end = hours.morning_from, hours.morning_to
    else:
        start, end = hours.afternoon_from, hours.afternoon_to
    if start is None or end is None:
        return None
    return start, end


def slot_booked(*, group: WindowGroup, day: datetime.date, half: str) -> int:
    return Appointment.objects.filter(group=group, date=day, half=half, state__in=ACTIVE_APPOINTMENT).count()


# --- queue numbers -----------------------------------------------------------------------------


def waiting_ahead(*, ticket: Ticket) -> int:
    """How many numbers of the same business type will be called before this one."""
    if ticket.state != TicketState.WAITING:
        return 0
    same = Ticket.objects.filter(
        date=ticket.date, business_type_id=ticket.business_type_id, state=TicketState.WAITING
    ).exclude(pk=ticket.pk)
    if ticket.priority:
        return same.filter(priority=True, seq__lt=ticket.seq).count()
    return same.filter(Q(priority=True) | Q(seq__lt=ticket.seq)).count()


@transaction.atomic
def ticket_issue(
    *, business_type: BusinessType, applicant: User | None = None, appointment: Appointment | None = None
) -> Ticket:
    """Issue the day's next number of a business type (A001, A002 …; back to 001 every day)."""
    bt = BusinessType.objects.select_for_update().get(pk=business_type.pk)
    if not bt.is_active:
        raise ApplicationError(_("该业务暂停取号。"), extra={"business_type": [_("该业务暂停取号。")]})
    now, today = _now(), _today()
    last = Ticket.objects.filter(date=today, business_type=bt).aggregate(m=Max("seq"))["m"] or 0
    seq = last + 1
    ticket = Ticket.objects.create(
        date=today,
        business_type=bt,
        seq=seq,
        number=f"{bt.code}{seq:03d}",
        priority=appointment is not None,
        appointment=appointment,
        applicant=applicant,
        issued_at=now,
    )
    return ticket


# --- appointments ------------------------------------------------------------------------------


def booking_blocked_until(*, citizen: User, today: datetime.date | None = None) -> datetime.date | None:
    """Three no-shows within 30 days block online booking for 30 days after the third; the date booking
    opens again, or None."""
    today = today or _today()
    since = today - datetime.timedelta(days=NO_SHOW_WINDOW_DAYS + NO_SHOW_BLOCK_DAYS)
    days = sorted(
        Appointment.objects.filter(
            citizen=citizen, state=AppointmentState.NO_SHOW, date__gte=since, date__lte=today
        ).values_list("date", flat=True)
    )
    until: datetime.date | None = None
    for i in range(NO_SHOW_LIMIT - 1, len(days)):
        if (days[i] - days[i - NO_SHOW_LIMIT + 1]).days < NO_SHOW_WINDOW_DAYS:
            end = days[i] + datetime.timedelta(days=NO_SHOW_BLOCK_DAYS)
            if end > today and (until is None or end > until):
                until = end
    return until


def _check_bookable(
    *, business_type: BusinessType, group: WindowGroup, day: datetime.date, half: str
) -> None:
    today = _today()
    if half not in HalfDay.values:
        raise ApplicationError(_("请选择上午或下午。"), extra={"half": [_("请选择上午或下午。")]})
    if day <= today:
        raise ApplicationError(
            _("预约须至少提前一天；当天请到大厅取号。"), extra={"date": [_("请选择明天或以后的日期。")]}
        )
    if day > today + datetime.timedelta(days=BOOK_AHEAD_DAYS):
        raise ApplicationError(
            _("只能预约%(days)s天内的时段。") % {"days": BOOK_AHEAD_DAYS},
            extra={"date": [_("只能预约%(days)s天内的时段。") % {"days": BOOK_AHEAD_DAYS}]},
        )
    if not business_type.is_active or not group.is_active:
        raise ApplicationError(
            _("该业务暂不接受预约。"), extra={"business_type": [_("该业务暂不接受预约。")]}
        )
    if not group.business_types.filter(pk=business_type.pk).exists():
        raise ApplicationError(_("该窗口组不办理此业务。"), extra={"group": [_("该窗口组不办理此业务。")]})
    if half_times(hours_on(group=group, day=day), half) is None:
        raise ApplicationError(
            _("该时段大厅不开放（节假日或非工作时间）。"),
            extra={"date": [_("该时段大厅不开放（节假日或非工作时间）。")]},
        )


def _group_for(*, business_type: BusinessType, group: WindowGroup | None) -> WindowGroup:
    if group is not None:
        return group
    found = business_type.window_groups.filter(is_active=True).order_by("pk").first()
    if found is None:
        raise ApplicationError(
            _("该业务暂不接受预约。"), extra={"business_type": [_("该业务暂不接受预约。")]}
        )
    return found


def _take_slot(
    *, group: WindowGroup, day: datetime.date, half: str, exclude: Appointment | None = None
) -> None:
    WindowGroup.objects.select_for_update().get(pk=group.pk)  # capacity is counted under the group's lock
    booked = Appointment.objects.filter(group=group, date=day, half=half, state__in=ACTIVE_APPOINTMENT)
    if exclude is not None:
        booked = booked.exclude(pk=exclude.pk)
    if booked.count() >= group.capacity(half):
        raise ConflictError(_("该时段已约满，请选择其他时段。"), extra={"code": "slot_full"})


def _check_not_blocked(citizen: User) -> None:
    blocked = booking_blocked_until(citizen=citizen)
    if blocked is not None:
        raise PermissionDeniedError(
            _("您30天内爽约已达3次，%(date)s前不能网上预约，请到大厅现场取号。")
            % {"date": blocked.isoformat()}
        )


def _check_one_a_day(
    *, citizen: User, business_type: BusinessType, day: datetime.date, exclude: Appointment | None = None
) -> None:
    same = Appointment.objects.filter(
        citizen=citizen, business_type=business_type, date=day, state=AppointmentState.BOOKED
    )
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ConflictError(_("您当天已预约了该业务。"))


@transaction.atomic
def appointment_book(
    *,
    citizen: User,
    business_type: BusinessType,
    day: datetime.date,
    half: str,
    group: WindowGroup | None = None,
) -> Appointment:
    """Book a half-day slot for tomorrow or later, within the slot's capacity, unless no-shows block it."""
    if not perm.may_book(citizen):
        raise PermissionDeniedError(_("只有申请人可以预约。"))
    _check_not_blocked(citizen)
    group = _group_for(business_type=business_type, group=group)
    _check_bookable(business_type=business_type, group=group, day=day, half=half)
    _check_one_a_day(citizen=citizen, business_type=business_type, day=day)
    _take_slot(group=group, day=day, half=half)
    appointment = Appointment(citizen=citizen, business_type=business_type, group=group, date=day, half=half)
    audited_save(appointment, actor=citizen, reason="book")
    return appointment


def _own_booked(appointment: Appointment, actor: User) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not perm.is_own_appointment(locked, actor):
        raise PermissionDeniedError(_("只能操作本人的预约。"))
    if locked.state != AppointmentState.BOOKED:
        raise ConflictError(_("该预约已%(state)s，不能再操作。") % {"state": locked.get_state_display()})
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: User) -> Appointment:
    """Cancel up to the day before the slot."""
    appointment = _own_booked(appointment, actor)
    if appointment.date <= _today():
        raise ConflictError(_("预约当天不能取消；未到场将记为爽约。"))
    appointment.state = AppointmentState.CANCELLED
    appointment.cancelled_at = _now()
    audited_save(appointment, actor=actor, reason="cancel")
    return appointment


@transaction.atomic
def appointment_change(
    *, appointment: Appointment, actor: User, day: datetime.date, half: str
) -> Appointment:
    """Move a booking to another half-day slot of the same window group and business type, up to the day
    before the booked one. The new slot follows the booking rules (tomorrow or later, within 14 days, open by
    the work calendar, within capacity), and a citizen whom no-shows block from booking online cannot move
    a booking either. The day-before SMS reminder is cleared, so it goes out for the new date."""
    appointment = _own_booked(appointment, actor)
    if appointment.date <= _today():
        raise ConflictError(_("预约当天不能改约；未到场将记为爽约。"), extra={"code": "too_late"})
    _check_not_blocked(actor)
    if (day, half) == (appointment.date, appointment.half):
        raise ApplicationError(
            _("请选择与原预约不同的时段。"), extra={"date": [_("请选择与原预约不同的时段。")]}
        )
    _check_bookable(business_type=appointment.business_type, group=appointment.group, day=day, half=half)
    _check_one_a_day(citizen=actor, business_type=appointment.business_type, day=day, exclude=appointment)
    _take_slot(group=appointment.group, day=day, half=half, exclude=appointment)
    appointment.date, appointment.half, appointment.reminded_at = day, half, None
    audited_save(appointment, actor=actor, reason="change")
    return appointment


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, actor: User) -> Ticket:
    """On arrival, on the day, before the slot ends: a number that is called before walk-in numbers."""
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("business_type", "group")
        .get(pk=appointment.pk)
    )
    if not perm.may_check_in(appointment, actor):
        raise PermissionDeniedError(_("只能为本人的预约签到。"))
    if appointment.state != AppointmentState.BOOKED:
        raise ConflictError(_("该预约已%(state)s，不能签到。") % {"state": appointment.get_state_display()})
    if appointment.date != _today():
        raise ConflictError(_("请在预约当天到大厅签到。"))
    times = half_times(hours_on(group=appointment.group, day=appointment.date), appointment.half)
    if times is not None and _now() > _local(appointment.date, times[1]):
        raise ConflictError(_("预约时段已过，请现场取号。"))
    appointment.state = AppointmentState.CHECKED_IN
    appointment.checked_in_at = _now()
    audited_save(appointment, actor=actor, reason="check_in")
    return ticket_issue(
        business_type=appointment.business_type, applicant=appointment.citizen, appointment=appointment
    )


def appointment_reminder_scan(*, today: datetime.date | None = None) -> int:
    """The day before: one SMS (and inbox) reminder per booked appointment of tomorrow. A beat scan."""
    tomorrow = (today or _today()) + datetime.timedelta(days=1)
    sent = 0
    for pk in Appointment.objects.filter(
        date=tomorrow, state=AppointmentState.BOOKED, reminded_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            a = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("citizen", "business_type", "group")
                .get(pk=pk)
            )
            if a.reminded_at is not None or a.state != AppointmentState.BOOKED:
                continue
            times = half_times(hours_on(group=a.group, day=a.date), a.half)
            notify(
                recipient=a.citizen,
                event="hall.appointment_reminder",
                context={
                    "date": a.date.isoformat(),
                    "half": a.get_half_display(),
                    "start": times[0].strftime("%H:%M") if times else "",
                    "business_type": a.business_type.name,
                },
                channels=[ChannelKind.SMS],
            )
            a.reminded_at = _now()
            a.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def no_show_scan(*, now: datetime.datetime | None = None) -> int:
    """Booked appointments whose half-day is over without a check-in become no-shows."""
    now = now or _now()
    today = timezone.localdate(now)
    marked = 0
    for a in Appointment.objects.filter(date__lte=today, state=AppointmentState.BOOKED).select_related(
        "group"
    ):
        times = half_times(hours_on(group=a.group, day=a.date), a.half)
        end = _local(a.date, times[1]) if times else _local(a.date, datetime.time(23, 59))
        if a.date < today or now > end:
            with transaction.atomic():
                n = Appointment.objects.filter(pk=a.pk, state=AppointmentState.BOOKED).update(
                    state=AppointmentState.NO_SHOW
                )
                marked += n
    return marked


# --- calling -----------------------------------------------------------------------------------


def _clerk_at(window: Window, actor: User) -> None:
    if not perm.is_clerk_at(actor, window):
        raise PermissionDeniedError(_("只有该窗口的工作人员可以叫号。"))


def _log(
    ticket: Ticket, action: str, window: Window, actor: User | None, to_window: Window | None = None
) -> None:
    CallRecord.objects.create(
        ticket=ticket, action=action, window=window, clerk=actor, to_window=to_window, at=_now()
    )


def window_queue(*, window: Window, day: datetime.date | None = None) -> QuerySet[Ticket]:
    """The numbers this window may call, in calling order: transferred to it, appointments, then by number."""
    day = day or _today()
    types = BusinessType.objects.filter(window_groups__windows=window, window_groups__is_active=True)
    return (
        Ticket.objects.filter(date=day, state=TicketState.WAITING)
        .filter(Q(target_window=window) | Q(target_window__isnull=True, business_type__in=types))
        .order_by(F("target_window").asc(nulls_last=True), "-priority", "issued_at", "pk")
    )


@transaction.atomic
def ticket_call_next(*, window: Window, actor: User) -> Ticket:
    _clerk_at(window, actor)
    if Ticket.objects.filter(date=_today(), window=window, state=TicketState.CALLED).exists():
        raise ConflictError(_("请先办结、过号或转出当前号码，再叫下一号。"), extra={"code": "busy"})
    ticket = window_queue(window=window).select_for_update(skip_locked=True, of=("self",)).first()
    if ticket is None:
        raise ConflictError(_("当前没有等候的号码。"), extra={"code": "empty"})
    now = _now()
    ticket.state = TicketState.CALLED
    ticket.window, ticket.clerk, ticket.target_window = window, actor, None
    ticket.called_at = now
    ticket.first_called_at = ticket.first_called_at or now
    ticket.save()
    _log(ticket, CallAction.CALL, window, actor)
    return ticket


def _own_called(ticket: Ticket, actor: User) -> Ticket:
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("window").get(pk=ticket.pk)
    if locked.window is None or locked.state != TicketState.CALLED:
        raise ConflictError(_("该号码当前不在办理中。"))
    _clerk_at(locked.window, actor)
    return locked


@transaction.atomic
def ticket_recall(*, ticket: Ticket, actor: User) -> Ticket:
    ticket = _own_called(ticket, actor)
    assert ticket.window is not None
    ticket.called_at = _now()
    ticket.save(update_fields=["called_at"])
    _log(ticket, CallAction.RECALL, ticket.window, actor)
    return ticket


@transaction.atomic
def ticket_skip(*, ticket: Ticket, actor: User) -> Ticket:
    """The number did not come to the window (过号)."""
    ticket = _own_called(ticket, actor)
    assert ticket.window is not None
    ticket.state = TicketState.SKIPPED
    ticket.finished_at = _now()
    ticket.save()
    _log(ticket, CallAction.SKIP, ticket.window, actor)
    return ticket


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, actor: User, to_window: Window) -> Ticket:
    """Send the number on to another window: it waits again, and only that window calls it."""
    ticket = _own_called(ticket, actor)
    assert ticket.window is not None
    if to_window.pk == ticket.window.pk or not to_window.is_active:
        raise ApplicationError(
            _("请选择另一个启用的窗口。"), extra={"window": [_("请选择另一个启用的窗口。")]}
        )
    from_window = ticket.window
    ticket.state, ticket.target_window, ticket.window, ticket.clerk = (
        TicketState.WAITING,
        to_window,
        None,
        None,
    )
    ticket.save()
    _log(ticket, CallAction.TRANSFER, from_window, actor, to_window=to_window)
    return ticket


def rating_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "n": ticket.rating_nonce}, salt=RATING_DEVICE_SALT)


@transaction.atomic
def ticket_finish(*, ticket: Ticket, actor: User) -> tuple[Ticket, str]:
    """Finish the visit: link the applications this clerk registered and the cases they accepted since
    the number was called, and return the one-time token for the counter's rating device."""
    ticket = _own_called(ticket, actor)
    assert ticket.window is not None and ticket.called_at is not None
    start = ticket.first_called_at or ticket.called_at
    now = _now()
    ticket.state = TicketState.FINISHED
    ticket.finished_at = now
    ticket.rating_nonce = secrets.token_hex(16)
    ticket.save()
    ticket.applications.add(
        *Application.objects.filter(registered_by=actor, created_at__gte=start, created_at__lte=now)
    )
    ticket.cases.add(*Case.objects.filter(clerk=actor, accepted_at__gte=start, accepted_at__lte=now))
    _log(ticket, CallAction.FINISH, ticket.window, actor)
    return ticket, rating_token(ticket)


DEVICE_SALT = "hall.counter-device"  # noqa: S105 - a signing salt, not a secret


def device_token(*, window: Window) -> str:
    """The standing address of a window's counter tablet (评价器): opened once on the tablet, it waits
    there and turns to the rating page of each visit the window finishes."""
    return signing.dumps({"w": window.pk}, salt=DEVICE_SALT)


def device_window(*, token: str) -> Window:
    try:
        data = signing.loads(token, salt=DEVICE_SALT)
    except signing.BadSignature:
        raise PermissionDeniedError(_("评价器地址无效。")) from None
    window = Window.objects.filter(pk=data.get("w"), is_active=True).first()
    if window is None:
        raise PermissionDeniedError(_("评价器地址无效。"))
    return window


def device_pending(*, window: Window) -> Ticket | None:
    """The visit this window finished last, while it waits for its rating (half an hour at most): what
    the paired tablet shows. A later finished visit takes its place."""
    ticket = (
        Ticket.objects.filter(date=_today(), window=window, state=TicketState.FINISHED)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if ticket is None or not ticket.rating_nonce or ticket.rating_id is not None:
        return None
    assert ticket.finished_at is not None
    if _now() - ticket.finished_at > datetime.timedelta(seconds=RATING_TOKEN_MAX_AGE):
        return None
    return ticket


def rating_device_ticket(*, token: str) -> Ticket:
    """The visit a rating device's token is bound to, while it has not been rated."""
    try:
        data = signing.loads(token, salt=RATING_DEVICE_SALT, max_age=RATING_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ConflictError(_("评价已超时。")) from None
    except signing.BadSignature:
        raise PermissionDeniedError(_("评价链接无效。")) from None
    ticket = (
        Ticket.objects.select_related("business_type", "business_type__department", "window", "clerk")
        .filter(pk=data.get("t"))
        .first()
    )
    if ticket is None or not data.get("n") or ticket.rating_nonce != data.get("n"):
        raise ConflictError(_("本次办事已评价或评价已结束。"))
    return ticket


@transaction.atomic
def ticket_rate(*, token: str, overall: Any, comment: str = "", rater: Any = None) -> Rating:
    """The applicant's rating on the counter's rating device (评价器), bound to the finished visit by the
    one-time token; it joins the 好差评 ratings (a 1 or 2 needs a reason and opens a rectification ticket).
    ``rater`` is whoever is signed in where it is tapped: a staff member (the clerk who served, above all)
    is refused, so the clerk cannot rate themselves (issue 15)."""
    ticket = rating_device_ticket(token=token)
    rater_may_rate(rater=rater, applicant_id=ticket.applicant_id)
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if ticket.rating_nonce == "" or ticket.rating_id is not None:
        raise ConflictError(_("本次办事已评价或评价已结束。"))
    ticket = Ticket.objects.select_related("business_type__department", "window", "clerk").get(pk=ticket.pk)
    first_case = ticket.cases.select_related("item").first()
    rating = rating_submit_visit(
        visit=f"{ticket.date:%Y%m%d}-{ticket.number}",
        department=ticket.business_type.department,
        window=ticket.window,
        clerk=ticket.clerk,
        applicant=ticket.applicant,
        item=first_case.item if first_case else None,
        data={"overall": overall, "comment": comment},
    )
    ticket.rating, ticket.rating_nonce = rating, ""
    ticket.save(update_fields=["rating", "rating_nonce"])
    return rating


# --- waiting-time alert ------------------------------------------------------------------------


def wait_alert_scan(*, now: datetime.datetime | None = None) -> int:
    """A business type whose longest waiting number has waited past HALL_WAIT_ALERT_MINUTES raises an
    alert to the efficiency office, once a day per type."""
    now = now or _now()
    today = timezone.localdate(now)
    limit = datetime.timedelta(minutes=settings.HALL_WAIT_ALERT_MINUTES)
    raised = 0
    waiting_types = (
        Ticket.objects.filter(date=today, state=TicketState.WAITING)
        .values_list("business_type", flat=True)
        .distinct()
    )
    for business_type in BusinessType.objects.filter(pk__in=list(waiting_types)):
        first = (
            Ticket.objects.filter(date=today, state=TicketState.WAITING, business_type=business_type)
            .order_by("issued_at")
            .values_list("issued_at", flat=True)
            .first()
        )
        if first is None or now - first <= limit:
            continue
        minutes = int((now - first).total_seconds() // 60)
        with transaction.atomic():
            alert, created = WaitAlert.objects.get_or_create(
                date=today,
                business_type=business_type,
                defaults={"longest_wait_minutes": minutes, "raised_at": now},
            )
            if not created:
                continue
            for user in User.objects.filter(is_active=True, groups__name=Role.INSPECTOR):
                notify(
                    recipient=user,
                    event="hall.wait_alert",
                    context={"business_type": business_type.name, "minutes": minutes},
                    channels=[ChannelKind.INBOX],
                )
            raised += 1
    return raised
