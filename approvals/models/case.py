"""The case (办件) and its append-only transition log (DESIGN §3, §4)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from intake.constants import HandlingMode
from intake.models import Application, Item
from portal.accounts.models import Department, Window
from portal.workcalendar.constants import LimitUnit

from ..constants import CaseState, Outcome


class Case(ConcurrentTransitionMixin, models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    reference = models.CharField(_("申报号"), max_length=24, unique=True)
    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    mode = models.CharField(_("办理方式"), max_length=12, choices=HandlingMode.choices, default=HandlingMode.PROMISED)
    state = FSMField(
        _("状态"), max_length=24, choices=CaseState.choices, default=CaseState.DRAFT, protected=True, db_index=True
    )
    outcome = models.CharField(_("办理结果"), max_length=14, choices=Outcome.choices, blank=True)

    # Terms from the item snapshot at submission.
    statutory_limit = models.PositiveSmallIntegerField(_("法定时限"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKING)

    # Who and where.
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_cases"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_cases"
    )
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="decided_cases"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="held_cases"
    )

    # Dates (DESIGN §4). Deadlines are dates in Asia/Shanghai; a case is due at the end of its due day.
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    received_on = models.DateField(_("收件日期"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, db_index=True)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True, db_index=True)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("日期暂定"), default=False)
    extension_days = models.PositiveSmallIntegerField(_("延期工作日"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("中止计时天数"), default=0)
    current_step = models.CharField(_("当前环节"), max_length=60, blank=True)
    step_due = models.DateField(_("环节办结日期"), null=True, blank=True, db_index=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    # Counted days from acceptance to conclusion, fixed at conclusion (figures aggregate it in SQL).
    elapsed_days = models.PositiveSmallIntegerField(_("实际办理时限"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["accepted_on", "department"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(field=state, source=CaseState.DRAFT, target=CaseState.SUBMITTED)
    def submit(self) -> None:
        """The applicant (or the window on their behalf) submits: the case waits for the window."""


class CaseTransition(models.Model):
    """Append-only log of every transition: the timeline reads from it. Never updated or deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=24, choices=CaseState.choices)
    to_state = models.CharField(_("新状态"), max_length=24, choices=CaseState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    reason = models.TextField(_("理由/意见"), blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办件流转记录")
        verbose_name_plural = _("办件流转记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("CaseTransition rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("CaseTransition rows are append-only")
