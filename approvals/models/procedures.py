"""What happens inside a case besides its state: special procedures (suspensions), extensions and the
co-departments' sub-approvals of a parallel (并联) case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import Department

from ..constants import SubApprovalAnswer, SuspensionKind
from .case import Case


class Suspension(models.Model):
    """A special procedure (特别程序, Art. 45) that stops the clock: the days F < d ≤ T do not count."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("办件")
    )
    kind = models.CharField(_("特别程序"), max_length=20, choices=SuspensionKind.choices)
    reason = models.TextField(_("理由"))
    expected_days = models.PositiveSmallIntegerField(_("预计时长（工作日）"))
    started_on = models.DateField(_("中止日期"))
    resumed_on = models.DateField(_("恢复日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "started_on", "id"]
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.started_on}–{self.resumed_on or ''}"


class SubApproval(models.Model):
    """One co-department's opinion on a parallel case, with its own limit. Silence past the limit counts
    as consent (缺席默认) and is recorded as such when the lead decides."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="sub_approvals", verbose_name=_("办件")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sub_approvals", verbose_name=_("协办部门")
    )
    due_on = models.DateField(_("协办办结日期"))
    answer = models.CharField(_("意见"), max_length=12, choices=SubApprovalAnswer.choices, blank=True)
    opinion = models.TextField(_("意见说明"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # A disagreement (不同意) blocks the approval until the lead department records how it was resolved.
    resolution = models.TextField(_("分歧处理结果"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("分歧处理人"),
    )
    resolved_at = models.DateTimeField(_("分歧处理时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "department__code"]
        unique_together = [("case", "department")]
        verbose_name = _("并联协办")
        verbose_name_plural = _("并联协办")

    def __str__(self) -> str:
        return f"{self.case} {self.department}: {self.get_answer_display() or '—'}"

    @property
    def blocks_approval(self) -> bool:
        """A disagreement the lead department has not yet resolved."""
        return self.answer == SubApprovalAnswer.OBJECT and self.resolved_at is None
