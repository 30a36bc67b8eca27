"""The service hall (DESIGN §9): business types, window groups and their opening hours, appointments,
queue numbers (tickets) and the call log. Field names are read by the waiting figures in SQL."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from approvals.models import Case
from intake.models import Application, Item
from portal.accounts.models import Department, Window

from .constants import AppointmentState, CallAction, HalfDay, TicketState


class BusinessType(models.Model):
    """A kind of business the hall takes numbers for (A 企业开办, B 不动产 …); its letter prefixes the number."""

    code = models.CharField(
        _("号码字母"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{1,2}$", _("请填写1到2个大写字母。"))],
    )
    name = models.CharField(_("业务类型"), max_length=60)
    department = models.ForeignKey(
        Department, verbose_name=_("负责部门"), on_delete=models.PROTECT, related_name="hall_business_types"
    )
    items = models.ManyToManyField(
        Item, verbose_name=_("对应事项"), blank=True, related_name="hall_business_types"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords(m2m_fields=[items])

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("大厅业务类型")
        verbose_name_plural = _("大厅业务类型")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WindowGroup(models.Model):
    """Windows that serve the same business types, with one appointment capacity per half-day."""

    name = models.CharField(_("窗口组"), max_length=60, unique=True)
    windows = models.ManyToManyField(Window, verbose_name=_("窗口"), related_name="hall_groups")
    business_types = models.ManyToManyField(
        BusinessType, verbose_name=_("办理业务"), related_name="window_groups"
    )
    morning_capacity = models.PositiveSmallIntegerField(_("上午可预约数"), default=10)
    afternoon_capacity = models.PositiveSmallIntegerField(_("下午可预约数"), default=10)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(m2m_fields=[windows, business_types])

    class Meta:
        ordering = ["name"]
        verbose_name = _("窗口组")
        verbose_name_plural = _("窗口组")

    def __str__(self) -> str:
        return self.name

    def capacity(self, half: str) -> int:
        return self.morning_capacity if half == HalfDay.MORNING else self.afternoon_capacity


class OpeningHours(models.Model):
    """A window group's hours on one weekday. A calendar holiday closes the hall whatever the weekday; a
    make-up working day (调休上班) on a weekend opens it with Monday's hours."""

    group = models.ForeignKey(
        WindowGroup, on_delete=models.CASCADE, related_name="hours", verbose_name=_("窗口组")
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期"),
        choices=[
            (0, _("星期一")),
            (1, _("星期二")),
            (2, _("星期三")),
            (3, _("星期四")),
            (4, _("星期五")),
            (5, _("星期六")),
            (6, _("星期日")),
        ],
    )
    morning_from = models.TimeField(_("上午开始"), null=True, blank=True)
    morning_to = models.TimeField(_("上午结束"), null=True, blank=True)
    afternoon_from = models.TimeField(_("下午开始"), null=True, blank=True)
    afternoon_to = models.TimeField(_("下午结束"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "weekday"]
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        constraints = [
            models.UniqueConstraint(fields=["group", "weekday"], name="hall_hours_one_per_weekday")
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.get_weekday_display()}"


class Appointment(models.Model):
    """A citizen's booking of a half-day slot of a window group for a business type."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hall_appointments",
        verbose_name=_("申请人"),
    )
    business_type = models.ForeignKey(
        BusinessType, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("业务类型")
    )
    group = models.ForeignKey(
        WindowGroup, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("窗口组")
    )
    date = models.DateField(_("预约日期"), db_index=True)
    half = models.CharField(_("时段"), max_length=2, choices=HalfDay.choices)
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=AppointmentState.choices,
        default=AppointmentState.BOOKED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "half", "created_at"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        indexes = [models.Index(fields=["group", "date", "half", "state"], name="hall_appt_slot_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_half_display()} {self.business_type.code}"


class Ticket(models.Model):
    """A queue number (取号): one per visit, numbered per business type and day (A001 …)."""

    date = models.DateField(_("日期"))
    business_type = models.ForeignKey(
        BusinessType, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("业务类型")
    )
    seq = models.PositiveIntegerField(_("序号"), validators=[MinValueValidator(1)])
    number = models.CharField(_("号码"), max_length=8)
    state = models.CharField(
        _("状态"), max_length=10, choices=TicketState.choices, default=TicketState.WAITING, db_index=True
    )
    priority = models.BooleanField(_("预约优先"), default=False)
    appointment = models.OneToOneField(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket",
        verbose_name=_("预约"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_tickets",
        verbose_name=_("申请人"),
    )
    # Where the number was sent by a transfer: only that window calls it next.
    target_window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("转入窗口")
    )
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_tickets",
        verbose_name=_("办理窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_served",
        verbose_name=_("受理人员"),
    )
    issued_at = models.DateTimeField(_("取号时间"), db_index=True)
    first_called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    applications = models.ManyToManyField(
        Application, blank=True, related_name="hall_tickets", verbose_name=_("关联申请")
    )
    cases = models.ManyToManyField(Case, blank=True, related_name="hall_tickets", verbose_name=_("关联办件"))
    # The rating device's one-time token carries this nonce; rating clears it.
    rating_nonce = models.CharField(max_length=32, blank=True, default="", verbose_name=_("评价校验码"))
    rating = models.OneToOneField(
        "complaints.Rating",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_ticket",
        verbose_name=_("评价"),
    )

    class Meta:
        ordering = ["date", "business_type", "seq"]
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        constraints = [
            models.UniqueConstraint(
                fields=["date", "business_type", "seq"], name="hall_ticket_number_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["date", "state", "business_type"], name="hall_ticket_queue_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.number}"

    @property
    def wait_seconds(self) -> float | None:
        if self.first_called_at is None:
            return None
        return (self.first_called_at - self.issued_at).total_seconds()


class CallRecord(models.Model):
    """Append-only log of what a window did with a number; the calling screen reads the calls."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="calls", verbose_name=_("排队号")
    )
    action = models.CharField(_("操作"), max_length=10, choices=CallAction.choices)
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, related_name="hall_calls", verbose_name=_("窗口")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工作人员"),
    )
    to_window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("转至窗口")
    )
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("叫号记录")
        verbose_name_plural = _("叫号记录")

    def __str__(self) -> str:
        return f"{self.ticket} {self.action} {self.window}"


class WaitAlert(models.Model):
    """A business type's longest wait passed the limit (HALL_WAIT_ALERT_MINUTES): once a day per type."""

    date = models.DateField(_("日期"))
    business_type = models.ForeignKey(
        BusinessType, on_delete=models.CASCADE, related_name="wait_alerts", verbose_name=_("业务类型")
    )
    longest_wait_minutes = models.PositiveIntegerField(_("最长等候（分钟）"))
    raised_at = models.DateTimeField(_("预警时间"))

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("等候超时预警")
        verbose_name_plural = _("等候超时预警")
        constraints = [
            models.UniqueConstraint(fields=["date", "business_type"], name="hall_wait_alert_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.business_type.code} {self.longest_wait_minutes}"
