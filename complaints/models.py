"""Ratings (好差评), rectification tickets and efficiency complaints (效能投诉), DESIGN §6.

Field names are read by supervision's figures in SQL: keep them stable."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, transition
from simple_history.models import HistoricalRecords

from approvals.models import Case
from intake.models import Item
from portal.accounts.models import Department, Window
from portal.fsm import StateField

from . import permissions as perm
from .constants import (
    AppealState,
    ComplaintChannel,
    ComplaintState,
    Finding,
    RatingChannel,
    Score,
    TicketState,
)

_score = [MinValueValidator(1), MaxValueValidator(5)]


class Rating(models.Model):
    # A rating is of a decided case, or of a visit to the hall (the counter's rating device, hall app):
    # then ``case`` is empty and ``visit`` names the queue number.
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="rating", verbose_name=_("办件")
    )
    visit = models.CharField(_("现场办事号"), max_length=24, blank=True, default="")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("评价人"),
    )
    overall = models.PositiveSmallIntegerField(_("总体评价"), choices=Score.choices, validators=_score)
    efficiency = models.PositiveSmallIntegerField(_("办事效率"), choices=Score.choices, validators=_score)
    attitude = models.PositiveSmallIntegerField(_("服务态度"), choices=Score.choices, validators=_score)
    guide_accuracy = models.PositiveSmallIntegerField(
        _("办事指南准确性"), choices=Score.choices, validators=_score
    )
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("部门")
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("事项")
    )
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings",
        verbose_name=_("窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clerk_ratings",
        verbose_name=_("窗口人员"),
    )
    # The rated case's acceptance date, copied (like its department and item) so that the supervision
    # figures read a cohort's live ratings without a join to the cases; kept in step by
    # supervision.rollup when a closed case's acceptance date is corrected. Empty for a hall visit.
    accepted_on = models.DateField(_("办件受理日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)
    voided = models.BooleanField(_("已作废"), default=False)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    appeal_state = models.CharField(
        _("申诉复核"), max_length=10, choices=AppealState.choices, blank=True, default=""
    )
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appeal_decision = models.TextField(_("复核意见"), blank=True)
    # When the supervision figures rollup took this rating in (supervision/rollup.py); bookkeeping only.
    rolled_up_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("计入统计时间"))
    history = HistoricalRecords(excluded_fields=["rolled_up_at", "accepted_on"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("办件评价")
        verbose_name_plural = _("办件评价")
        indexes = [
            # the ratings the figures rollup has not taken in yet, read live next to it
            models.Index(
                fields=["case"], condition=models.Q(rolled_up_at__isnull=True), name="rating_live_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case or self.visit} {self.overall}"

    @property
    def is_bad(self) -> bool:
        return self.overall <= 2


class RatingInvitation(models.Model):
    """One invitation per concluded case and at most one reminder."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="rating_invitation", verbose_name=_("办件")
    )
    invited_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("邀请时间"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("提醒时间"))

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")

    def __str__(self) -> str:
        return f"{self.case} {self.invited_at:%Y-%m-%d}"


class RectificationTicket(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="ticket", verbose_name=_("差评")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("责任部门")
    )
    state = StateField(
        _("状态"), default=TicketState.OPENED, choices=TicketState.choices, protected=True, db_index=True
    )
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_outcome = models.TextField(_("回访情况"), blank=True)
    resolution = models.TextField(_("整改情况"), blank=True)
    due_on = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("超期预警时间"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("回访人"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("关闭时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("差评整改工单")
        verbose_name_plural = _("差评整改工单")

    def __str__(self) -> str:
        return self.number

    @transition(
        field=state,
        source=TicketState.OPENED,
        target=TicketState.CALLED_BACK,
        permission=perm.is_ticket_department_staff,
    )
    def callback(self) -> None:
        pass

    @transition(
        field=state,
        source=[TicketState.CALLED_BACK, TicketState.ON_LEDGER],
        target=TicketState.FIXED,
        permission=perm.is_ticket_department_staff,
    )
    def fix(self) -> None:
        pass

    @transition(
        field=state,
        source=TicketState.CALLED_BACK,
        target=TicketState.ON_LEDGER,
        permission=perm.is_ticket_department_staff,
    )
    def put_on_ledger(self) -> None:
        pass

    @transition(
        field=state,
        source=TicketState.CALLED_BACK,
        target=TicketState.EXPLAINED,
        permission=perm.is_ticket_department_staff,
    )
    def explain(self) -> None:
        pass

    @transition(
        field=state,
        source=[TicketState.FIXED, TicketState.EXPLAINED],
        target=TicketState.VERIFIED,
        permission=perm.is_office,
    )
    def verify(self) -> None:
        pass

    @transition(
        field=state, source=TicketState.VERIFIED, target=TicketState.CLOSED, permission=perm.is_office
    )
    def close(self) -> None:
        pass

    @transition(
        field=state,
        source=[s for s in TicketState.values if s not in (TicketState.CLOSED, TicketState.CANCELLED)],
        target=TicketState.CANCELLED,
    )
    def cancel(self) -> None:
        """The rating it came from was voided on appeal (申诉复核): nothing is left to rectify."""


def _not_reopened_yet(complaint: Any) -> bool:
    """A complainant may have a concluded complaint handled again once."""
    return bool(complaint.reopened_count < 1)


class Complaint(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("投诉编号"), max_length=24, unique=True)
    state = StateField(
        _("状态"),
        default=ComplaintState.REGISTERED,
        choices=ComplaintState.choices,
        protected=True,
        db_index=True,
    )
    channel = models.CharField(_("投诉渠道"), max_length=10, choices=ComplaintChannel.choices)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("投诉人账号"),
    )
    complainant_name = models.CharField(_("投诉人"), max_length=50)
    complainant_phone = models.CharField(_("联系电话"), max_length=11)
    anonymous = models.BooleanField(_("匿名"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    received_at = models.DateTimeField(_("登记时间"), db_index=True)
    received_on = models.DateField(_("登记日期"), db_index=True)
    assign_due_on = models.DateField(_("分派期限"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), db_index=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_complaints",
        verbose_name=_("承办人"),
    )
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("被投诉部门"),
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("涉及办件"),
    )
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("涉及窗口"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_about",
        verbose_name=_("被投诉人员"),
    )
    subject = models.CharField(_("投诉事由"), max_length=120)
    content = models.TextField(_("投诉内容"))
    finding = models.CharField(_("调查结论"), max_length=16, choices=Finding.choices, blank=True)
    action = models.TextField(_("处理情况"), blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    reopened_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    handling_rating = models.PositiveSmallIntegerField(
        _("对处理的评价"), null=True, blank=True, validators=_score, choices=Score.choices
    )
    # The public page shows a concluded complaint only once the efficiency office has reviewed its public
    # wording (masked of personal data) and published it (complaint_publish); reopening takes it down.
    published = models.BooleanField(_("已公示"), default=False)
    public_subject = models.CharField(_("公示事由"), max_length=120, blank=True)
    public_action = models.TextField(_("公示处理情况"), blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公示审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("超期预警时间"))
    history = HistoricalRecords(excluded_fields=["complainant_phone"])

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("效能投诉")
        verbose_name_plural = _("效能投诉")

    def __str__(self) -> str:
        return self.number

    @transition(
        field=state,
        source=ComplaintState.REGISTERED,
        target=ComplaintState.ASSIGNED,
        permission=perm.is_office,
    )
    def assign(self) -> None:
        pass

    @transition(
        field=state,
        source=ComplaintState.ASSIGNED,
        target=ComplaintState.INVESTIGATING,
        permission=perm.is_office,
    )
    def investigate(self) -> None:
        pass

    @transition(
        field=state,
        source=ComplaintState.INVESTIGATING,
        target=ComplaintState.CONCLUDED,
        permission=perm.is_office,
    )
    def conclude(self) -> None:
        pass

    @transition(
        field=state,
        source=ComplaintState.CONCLUDED,
        target=ComplaintState.INVESTIGATING,
        conditions=[_not_reopened_yet],
        permission=perm.is_own_complainant,
    )
    def reopen(self) -> None:
        self.reopened_count += 1


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("投诉")
    )
    file = models.FileField(upload_to="complaints/", max_length=200, verbose_name=_("文件"))
    original_name = models.CharField(max_length=200, verbose_name=_("原文件名"))
    content_type = models.CharField(max_length=80, verbose_name=_("文件类型"))
    size = models.PositiveIntegerField(verbose_name=_("大小（字节）"))

    class Meta:
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")

    def __str__(self) -> str:
        return self.original_name
