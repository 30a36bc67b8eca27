"""Supervision (电子监察): alert rules, alerts and accountability findings (DESIGN §5)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, transition
from simple_history.models import HistoricalRecords

from approvals.models import Case
from intake.models import Item
from portal.accounts.models import Department
from portal.fsm import StateField

from . import permissions as perm
from .constants import EXPLANATION_REQUIRED, AlertLevel, AlertState, FindingKind


class AlertRule(models.Model):
    """How and when a level is raised. A rule with neither item nor department is the default; an item
    rule beats a department rule, which beats the default. ``days`` is the number of working days
    (yellow: days left before the promised due date; intake_overdue: the deemed-acceptance limit)."""

    level = models.CharField(_("预警级别"), max_length=20, choices=AlertLevel.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("适用部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("适用事项"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("工作日数"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "department", "item"]
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")

    def __str__(self) -> str:
        scope = self.item or self.department or _("默认")
        return f"{self.get_level_display()} · {scope}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        clash = AlertRule.objects.filter(level=self.level, department=self.department, item=self.item)
        if self.pk:
            clash = clash.exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError(_("同一级别、同一适用范围的规则已存在。"))


def _explained_if_needed(alert: Any) -> bool:
    """Red cards and statutory breaches are reviewed only once explained."""
    return not alert.awaiting_explanation


class Alert(ConcurrentTransitionMixin, models.Model):
    """One alert of one level on one case (a step alert once per step): raised once by the scan, closed
    when the case concludes. Life (a state machine, like the case's): raised → explained (情况说明, by the
    case's holder or department) → reviewed by the efficiency office; red cards and statutory breaches
    are reviewed only once explained."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="alerts")
    level = models.CharField(_("预警级别"), max_length=20, choices=AlertLevel.choices)
    step = models.CharField(_("环节"), max_length=60, blank=True, default="")
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="alerts"
    )
    due = models.DateField(_("到期日期"), null=True, blank=True)
    state = StateField(
        _("状态"), max_length=10, choices=AlertState.choices, default=AlertState.RAISED, protected=True
    )
    raised_at = models.DateTimeField(_("预警时间"), db_index=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, db_index=True)
    scan_token = models.CharField(
        max_length=32, blank=True, default="", db_index=True, verbose_name=_("扫描批次")
    )
    explanation = models.TextField(_("情况说明"), blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("说明人"),
    )
    explained_at = models.DateTimeField(_("说明时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["scan_token"])

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("监察预警")
        verbose_name_plural = _("监察预警")
        constraints = [
            models.UniqueConstraint(fields=["case", "level", "step"], name="alert_once_per_case_level")
        ]
        indexes = [
            models.Index(fields=["department", "closed_at"]),
            # newest first (the dashboard's and the alerts page's order): a scan raises its alerts with one
            # timestamp, so the id must be in the index for the first page to read 20 rows, not thousands
            models.Index(fields=["raised_at", "id"], name="alert_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def awaiting_explanation(self) -> bool:
        return self.level in EXPLANATION_REQUIRED and self.state != AlertState.EXPLAINED

    @transition(
        field=state, source=AlertState.RAISED, target=AlertState.EXPLAINED, permission=perm.may_explain
    )
    def explain(self) -> None:
        """The handler's written explanation (情况说明)."""

    @transition(
        field=state,
        source=[AlertState.RAISED, AlertState.EXPLAINED],
        target=AlertState.REVIEWED,
        permission=perm.may_review,
        conditions=[_explained_if_needed],
    )
    def review(self) -> None:
        """The efficiency office reviews the alert."""


class AccountabilityFinding(models.Model):
    """An accountability finding (效能问责) recorded by the efficiency office against a person or a
    department, usually on review of an alert."""

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("被问责部门"), on_delete=models.PROTECT, related_name="findings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被问责人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_findings",
    )
    kind = models.CharField(_("问责方式"), max_length=12, choices=FindingKind.choices)
    finding = models.TextField(_("问责事实与依据"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("效能问责")
        verbose_name_plural = _("效能问责")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person or self.department}"


class RollupSums(models.Model):
    """The additive sums of the figures rollup (see ``figures.Row``), shared by its two shapes."""

    accepted_on = models.DateField(verbose_name=_("受理日期"))
    # False: the settled cases' figures as of any moment after the refresh that took them in. True: the
    # same cases as they stood at the end of their acceptance month (``accepted_on`` is then the month's
    # first day), for the monthly report and red and blue boards of a past month.
    month_end = models.BooleanField(default=False, verbose_name=_("截至受理当月月末"))
    # True: the sums of the day rows (``month_end`` False) of a whole acceptance month, kept beside them
    # (``accepted_on`` is then the month's first day): a year's cohort reads a dozen rows per key instead of
    # one per day. Never set with ``month_end``.
    whole_month = models.BooleanField(default=False, verbose_name=_("整月合计"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("部门")
    )
    accepted = models.IntegerField(default=0, verbose_name=_("受理数"))
    concluded = models.IntegerField(default=0, verbose_name=_("办结数"))
    early = models.IntegerField(default=0, verbose_name=_("提前办结数"))
    on_time = models.IntegerField(default=0, verbose_name=_("按时办结数"))
    overdue = models.IntegerField(default=0, verbose_name=_("超期办结数"))
    statutory_breaches = models.IntegerField(default=0, verbose_name=_("超法定时限数"))
    elapsed_n = models.IntegerField(default=0, verbose_name=_("计时件数"))
    elapsed_sum = models.BigIntegerField(default=0, verbose_name=_("用时合计"))
    statutory_sum = models.BigIntegerField(default=0, verbose_name=_("法定时限合计"))
    promised_sum = models.BigIntegerField(default=0, verbose_name=_("承诺时限合计"))
    ratings = models.IntegerField(default=0, verbose_name=_("评价数"))
    good_ratings = models.IntegerField(default=0, verbose_name=_("好评数"))

    class Meta:
        abstract = True


class FigureRollup(RollupSums):
    """The figures of settled cases (closed before the last refresh, so nothing about them depends on
    "as of" any more) and of their ratings, summed per acceptance day, department and item. The cohort
    figures add these sums to a live aggregate over the few cases and ratings not taken in yet, so a
    one-year cohort reads thousands of rows instead of hundreds of thousands. Kept by
    ``supervision.rollup``; every column is additive (see ``figures.Row``)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("事项"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["accepted_on", "month_end", "whole_month", "department", "item"],
                name="figure_rollup_key",
            ),
        ]
        # the whole months apart: the key's index would walk every day row between two months
        indexes = [
            models.Index(
                fields=["accepted_on"], condition=models.Q(whole_month=True), name="figure_rollup_month_idx"
            )
        ]
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")

    def __str__(self) -> str:
        return f"{self.accepted_on} {self.department_id}/{self.item_id}"


class DeskFigureRollup(RollupSums):
    """The same sums per acceptance day, department, window and clerk (受理窗口、受理人员): the window and
    clerk breakdowns (红蓝榜 of the windows, the monthly report) without a scan of the cohort. Window and
    clerk may be empty (online cases), so the key is kept unique by ``supervision.rollup`` (one refresh
    at a time), not by a constraint (NULLs are distinct in one)."""

    window = models.ForeignKey(
        "accounts.Window",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("受理窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("受理人员"),
    )

    class Meta:
        indexes = [
            models.Index(fields=["accepted_on"], name="desk_rollup_day_idx"),
            models.Index(
                fields=["accepted_on"], condition=models.Q(whole_month=True), name="desk_rollup_month_idx"
            ),
        ]
        verbose_name = _("窗口统计汇总")
        verbose_name_plural = _("窗口统计汇总")

    def __str__(self) -> str:
        return f"{self.accepted_on} {self.department_id}/{self.window_id}/{self.clerk_id}"


class FigureRollupState(models.Model):
    """One row: the moment of the last refresh. The rollup serves a report "as of" that moment or later."""

    watermark = models.DateTimeField(null=True, blank=True, verbose_name=_("汇总截至"))

    class Meta:
        verbose_name = _("统计汇总进度")
        verbose_name_plural = _("统计汇总进度")

    def __str__(self) -> str:
        return f"rollup watermark {self.watermark}"
