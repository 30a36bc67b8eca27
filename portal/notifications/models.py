"""Outbox (DESIGN §7): a notification per event and recipient, one delivery per channel, every send
attempt recorded. Rows are written in the transaction of the event that causes them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .constants import ChannelKind, DeliveryStatus, Event


class MessageTemplate(models.Model):
    """Admin-editable wording of one event on one channel in one language (Django template syntax).
    Without a row the built-in default text (``catalog.py``) is used."""

    event = models.CharField(_("事件"), max_length=40, choices=Event.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    language = models.CharField(
        _("语言"), max_length=10, choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        unique_together = [("event", "channel", "language")]
        ordering = ["event", "channel", "language"]
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")

    def __str__(self) -> str:
        return f"{self.get_event_display()} / {self.get_channel_display()} / {self.get_language_display()}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("收件人"),
    )
    event = models.CharField(_("事件"), max_length=40, db_index=True, choices=Event.choices)
    context = models.JSONField(_("内容数据"), default=dict, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    case_reference = models.CharField(_("申报号"), max_length=24, blank=True, db_index=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通知")
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    address = models.CharField(_("地址"), max_length=254, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    # One per notification and channel: the gateway receives it and refuses a second send.
    idempotency_key = models.CharField(_("幂等键"), max_length=64, unique=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # hand-offs whose outcome a crash left unknown (e-mail is sent again at most once: services.deliver)
    unknown_outcomes = models.PositiveSmallIntegerField(_("结果未知次数"), default=0)
    last_error = models.TextField(_("最后错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("更新时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        verbose_name = _("投递")
        verbose_name_plural = _("投递")

    def __str__(self) -> str:
        return f"{self.notification} · {self.get_channel_display()} · {self.get_status_display()}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("投递")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    ok = models.BooleanField(_("成功"))
    provider_answer = models.TextField(_("服务商应答"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class SendingHold(models.Model):
    """While a row exists, nothing is sent (SMS, e-mail): the deliveries wait in the outbox. ``manage.py
    backup`` writes one into the backup's snapshot only (docs/operations.md), so a database restored from a
    backup sends nothing until ``manage.py after_restore`` has moved the reference counters and sequences
    past what may have been issued since the backup, and removed the hold."""

    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("暂停发送")
        verbose_name_plural = _("暂停发送")

    def __str__(self) -> str:
        return self.reason
