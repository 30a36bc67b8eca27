"""The case (办件) and its append-only transition log (DESIGN §3, §4)."""

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMFieldMixin, transition
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from intake.constants import HandlingMode
from intake.models import Application, Item
from portal.accounts.models import Department, Window
from portal.compiled_sql import CompiledInsertModel, Follower, sent_post_save
from portal.fsm import StateField
from portal.workcalendar.constants import LimitUnit

from .. import permissions as perm
from ..constants import (
    CLOSED_STATES,
    RUNNING_STATES,
    AfterCheckResult,
    CaseAction,
    CaseState,
    DeliveryMethod,
    Outcome,
)

S = CaseState
_OPEN_BEFORE_DECISION = [
    S.SUBMITTED,
    S.CORRECTION_REQUESTED,
    S.ACCEPTED,
    S.IN_REVIEW,
    S.SUSPENDED,
    S.AWAITING_DECISION,
]


# Conditions of the transitions (django-fsm calls them with the case): the case's own fields only.
def _deferred_missing(case: Any) -> bool:
    return bool(case.awaiting_deferred)


def _no_deferred_missing(case: Any) -> bool:
    return not case.awaiting_deferred


def _decided_on_the_spot(case: Any) -> bool:
    """即办件 and 告知承诺 are decided at the window / on the commitment."""
    return case.mode in ("instant", "commitment")


def _extension_pending(case: Any) -> bool:
    return bool(case.extension_requested_days)


def _no_extension_pending(case: Any) -> bool:
    return not case.extension_requested_days


def _on_commitment(case: Any) -> bool:
    return bool(case.mode == "commitment")


def _deferred_files_awaited(case: Any) -> bool:
    """容缺: materials still to come and no files of them waiting for the window's check."""
    return bool(case.awaiting_deferred) and case.deferred_files_at is None


def _deferred_files_to_check(case: Any) -> bool:
    """容缺: the deferred materials' files arrived and wait for the window's check."""
    return bool(case.awaiting_deferred) and case.deferred_files_at is not None


def _refusal_pending(case: Any) -> bool:
    """A clerk's refusal proposal waits for the supervisor's sign-off."""
    return case.refusal_proposed_by_id is not None


def _no_refusal_pending(case: Any) -> bool:
    return case.refusal_proposed_by_id is None


def _after_check_open(case: Any) -> bool:
    """告知承诺: an approval on commitment whose after-check is not yet recorded."""
    return bool(case.mode == "commitment" and case.after_check_due and case.after_checked_at is None)


def new_link_secret() -> str:
    return secrets.token_hex(16)


class CaseHistoryManager(HistoryManager):
    """simple_history's manager of ``case.history``, its class built once. simple_history builds a new
    manager class (``from_queryset``: a ``type()`` and an ``inspect.getmembers`` of the queryset) on every
    read of ``case.history``, and it reads it for every history row it writes: every transition of every
    case (≈ 0.1 ms of an online submission's CPU). The class is the same every time."""

    _classes: dict[tuple[type, Any, str | None], type] = {}

    @classmethod
    def from_queryset(cls, queryset_class: Any, class_name: str | None = None) -> Any:
        key = (cls, queryset_class, class_name)
        built = CaseHistoryManager._classes.get(key)
        if built is None:
            built = CaseHistoryManager._classes[key] = super().from_queryset(queryset_class, class_name)
        return built


# the record ``record_along`` made ready for the statement of the case's insert, on the case until its
# ``post_save`` (simple-history's receiver) takes it
_RECORD_ALONG = "_history_record_along"


class CaseHistoricalRecords(HistoricalRecords):
    """simple-history's records of the case, each history instance built from its values in column order
    (``Model(*values)``) instead of ~60 keyword arguments, with the case's columns and the history model
    found once per class: the same record (the same values, the same signals before and after it is
    saved, the user set through its relation as simple-history sets it), ≈ a third of its CPU (issue 19)."""

    _EXTRA = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")

    def create_historical_record(self, instance: Any, history_type: str, using: Any = None) -> None:
        along = instance.__dict__.pop(_RECORD_ALONG, None)
        if along is not None and history_type == "+" and not along[0]._state.adding:
            # written in the statement of the case's insert (``record_along``): what its own ``save()`` and
            # this method send after the insert; ``record_along`` made sure nothing listens before it
            history_instance, signal_kwargs = along
            sent_post_save(history_instance)
            post_create_historical_record.send(**signal_kwargs)
            return
        plan = self._plan(type(instance))
        if plan is None or getattr(plan[0], "history_relation", None) is not None:
            super().create_historical_record(instance, history_type, using=using)
            return
        using = using if self.use_base_model_db else None
        history_instance, signal_kwargs = self._record(instance, plan, history_type, using, copy=True)
        pre_create_historical_record.send(**signal_kwargs)
        history_instance.save(using=using)
        self.create_historical_record_m2ms(history_instance, instance)
        post_create_historical_record.send(**signal_kwargs)

    def record_along(self, instance: Any) -> Follower | None:
        """The history record of the new ``instance`` (created, ``+``) as a row to write in the statement of
        its insert (``portal.compiled_sql.save_with_followers``): the same record ``create_historical_record``
        writes after the insert (its date, user and reason taken as it takes them; every other column the
        case row's own), which then only sends ``post_save`` and ``post_create_historical_record`` for it.
        None (the record written after the insert, as usual) when simple-history would build it itself or
        would not write it, when the model tracks many-to-many fields, or when anything listens to
        ``pre_create_historical_record`` or ``pre_save`` of the history model: those are sent before the
        insert, with the record's ``id`` set, which a record written with the case cannot have yet."""
        plan = self._plan(type(instance))
        if (
            plan is None
            or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
            or hasattr(instance, "skip_history_when_saving")
            or self.m2m_fields
            or self.use_base_model_db
            or getattr(plan[0], "history_relation", None) is not None
        ):
            return None
        history_model, columns = plan
        if pre_create_historical_record.has_listeners(history_model) or pre_save.has_listeners(history_model):
            return None
        # using None: as create_historical_record's (not use_base_model_db); the case's own columns are
        # copied from its row in SQL
        history_instance, signal_kwargs = self._record(instance, plan, "+", None, copy=False)
        instance.__dict__[_RECORD_ALONG] = (history_instance, signal_kwargs)
        pk = type(instance)._meta.pk.attname
        return Follower(history_instance, link=pk, copied=tuple(a for own, a in columns if own and a != pk))

    def _record(
        self,
        instance: Any,
        plan: tuple[Any, list[tuple[bool, str]]],
        history_type: str,
        using: Any,
        *,
        copy: bool,
    ) -> tuple[Any, dict[str, Any]]:
        """The history instance of ``instance`` (its date, user and reason as simple-history takes them;
        the instance's own columns copied when ``copy``, else left None) and the keyword arguments of its
        ``pre_``/``post_create_historical_record`` signals."""
        history_model, columns = plan
        history_date = getattr(instance, "_history_date", timezone.now())
        history_user = self.get_history_user(instance)
        history_change_reason = self.get_change_reason_for_object(instance, history_type, using)
        extra = {
            "history_id": None,
            "history_date": history_date,
            "history_change_reason": history_change_reason,
            "history_type": history_type,
            "history_user_id": None,
        }
        history_instance = history_model(
            *[
                (getattr(instance, attname) if copy else None) if own else extra[attname]
                for own, attname in columns
            ]
        )
        history_instance.history_user = history_user
        signal_kwargs = {
            "sender": history_model,
            "instance": instance,
            "history_instance": history_instance,
            "history_date": history_date,
            "history_user": history_user,
            "history_change_reason": history_change_reason,
            "using": using,
        }
        return history_instance, signal_kwargs

    _plans: dict[type, tuple[Any, list[tuple[bool, str]]] | None] = {}

    def _plan(self, model: type) -> tuple[Any, list[tuple[bool, str]]] | None:
        """The history model and, per column of it in order, whether its value is the instance's own
        (by attname) or one of simple-history's; None (simple-history builds the record) for any other
        column or a user tracked without a relation."""
        if model not in self._plans:
            history_model: Any = getattr(model, self.manager_name).model
            own = {f.attname for f in self.fields_included(model)}
            columns = [(f.attname in own, f.attname) for f in history_model._meta.concrete_fields]
            known = all(is_own or attname in self._EXTRA for is_own, attname in columns)
            relation = isinstance(history_model._meta.get_field("history_user"), models.ForeignKey)
            self._plans[model] = (history_model, columns) if known and relation else None
        return self._plans[model]


HISTORY_UNINDEXED = [
    "application",
    "reference",
    "item",
    "department",
    "applicant",
    "state",
    "window",
    "clerk",
    "reviewer",
    "decider",
    "holder",
    "opinion_by",
    "refusal_proposed_by",
    "promised_due",
    "statutory_due",
    "concluded_at",
]


# the case's history (``Case.history``); ``CASE_HISTORY.record_along`` gives a new case's record to write with it
CASE_HISTORY = CaseHistoricalRecords(
    excluded_fields=["updated_at", "rolled_up_at", "alert_levels", "alert_step"],
    history_manager=CaseHistoryManager,
    # The history is read by case (``id``) and date only (the admin's history, "download my data"):
    # the indexes copied from the case's own foreign keys, unique and indexed fields would be written
    # with every record and never read (issue 19).
    no_db_index=HISTORY_UNINDEXED,
    bases=[CompiledInsertModel, models.Model],
)


class Case(CompiledInsertModel, ConcurrentTransitionMixin, models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="case", verbose_name=_("申请")
    )
    reference = models.CharField(_("申报号"), max_length=24, unique=True)
    # A random secret per case that signed links (rating invitations) are bound to, not only the reference:
    # after a restore a reference may be handed out again, its secret never (issue 17).
    link_secret = models.CharField(
        max_length=32, default=new_link_secret, editable=False, verbose_name=_("链接密钥")
    )
    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases")
    # no index of its own: ``(department, state)`` below serves every look-up by department (issue 19)
    department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    mode = models.CharField(
        _("办理方式"), max_length=12, choices=HandlingMode.choices, default=HandlingMode.PROMISED
    )
    state = StateField(
        _("状态"),
        max_length=24,
        choices=CaseState.choices,
        default=CaseState.DRAFT,
        protected=True,
        # no index of its own (nor its LIKE twin): ``(state, submitted_at)`` below serves every look-up by
        # state, the partial indexes the scans (issue 19)
    )
    outcome = models.CharField(_("办理结果"), max_length=14, choices=Outcome.choices, blank=True)

    # Terms from the item snapshot at submission.
    statutory_limit = models.PositiveSmallIntegerField(_("法定时限"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限"))
    limit_unit = models.CharField(
        _("时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )

    # Who and where.
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("受理窗口"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_cases",
        verbose_name=_("受理人员"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_cases",
        verbose_name=_("审查人员"),
    )
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_cases",
        verbose_name=_("决定人员"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_cases",
        verbose_name=_("当前承办人"),
    )
    # 两岗审核: who wrote the review opinion (send_to_decision); never the decider.
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查意见撰写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_opinions",
    )
    # 不予受理: the clerk's proposal waiting for the supervisor's sign-off (NULL when none is pending), and
    # the reasons and legal basis of the refusal (the notice prints them).
    refusal_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("不予受理提议人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refusal_proposals",
    )
    refusal_reasons = models.TextField(_("不予受理理由"), blank=True)
    refusal_basis = models.TextField(_("不予受理法律依据"), blank=True)

    # Dates (DESIGN §4). Deadlines are dates in Asia/Shanghai; a case is due at the end of its due day.
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    received_on = models.DateField(_("收件日期"), null=True, blank=True)
    # The day the window's 5 working days (Art. 32) count from: the day received, or the day the complete
    # corrected materials arrived (the count starts again after a correction).
    answer_from = models.DateField(_("受理期限起算日"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True, db_index=True)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("日期暂定"), default=False)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0)
    # Art. 42 extensions count working days; an item's own legal extension limit counts in the item's unit.
    extension_unit = models.CharField(
        _("延期单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )
    # Days a handler has asked to extend by, awaiting the head (0: no request pending).
    extension_requested_days = models.PositiveSmallIntegerField(_("待批延期天数"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("中止计时天数"), default=0)
    current_step = models.CharField(_("当前环节"), max_length=60, blank=True)
    step_due = models.DateField(_("环节办结日期"), null=True, blank=True)  # in the running-case index
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    # The day a case ended without a decision (withdrawn, not accepted, terminated): its clock stops there.
    ended_on = models.DateField(_("终结日期"), null=True, blank=True)
    # Counted days from acceptance to conclusion, fixed at conclusion (figures aggregate it in SQL).
    elapsed_days = models.PositiveSmallIntegerField(_("实际办理时限"), null=True, blank=True)

    # Special procedures, modes and delivery.
    suspended_from = models.CharField(_("中止前状态"), max_length=24, blank=True)
    deferred_materials = models.JSONField(_("容缺后补材料"), default=list, blank=True)
    deferred_supply_by = models.DateField(_("容缺材料补齐期限"), null=True, blank=True)
    deferred_supplied_at = models.DateTimeField(_("容缺材料补齐时间"), null=True, blank=True)
    # 容缺: when the files of the deferred materials arrived, waiting for the window's check (the
    # materials count as supplied only once the window has found them in order: ``deferred_supplied_at``).
    deferred_files_at = models.DateTimeField(_("容缺材料提交时间"), null=True, blank=True)
    after_check_due = models.DateField(_("事后核查期限"), null=True, blank=True)
    # Art. 44: the licence is issued and delivered within 10 working days of the approval (the third due
    # date, DESIGN §4); watched by the supervision scan until the case is delivered.
    licence_due = models.DateField(_("证照颁发送达期限"), null=True, blank=True)
    after_checked_at = models.DateTimeField(_("事后核查时间"), null=True, blank=True)
    after_check_result = models.CharField(
        _("事后核查结果"), max_length=10, choices=AfterCheckResult.choices, blank=True
    )
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    remedies = models.TextField(_("救济途径"), blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    carrier = models.CharField(_("寄递企业"), max_length=40, blank=True)
    tracking_number = models.CharField(_("邮寄单号"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))
    # When the supervision figures rollup took this settled case in (supervision/rollup.py); NULL while
    # its figures still depend on "as of". Bookkeeping, not part of the case's history.
    rolled_up_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("计入统计时间"))
    # The alert levels the supervision scan has raised on this case (bits: yellow 1, red 2, statutory 4,
    # intake overdue 8) and the step of its open step warning: the scan reads them from the running-case
    # index instead of probing the alerts table for every open case. Bookkeeping, like ``rolled_up_at``.
    alert_levels = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("已发预警级别"))
    alert_step = models.CharField(
        max_length=60, blank=True, default="", editable=False, verbose_name=_("预警所在环节")
    )
    history = CASE_HISTORY

    # Written only by set-based statements (the alert scan, the figures rollup), never by saving an
    # instance, which may have been loaded before they changed.
    BOOKKEEPING_FIELDS = frozenset({"rolled_up_at", "alert_levels", "alert_step"})

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["state", "submitted_at"]),
            # The supervision figures of a cohort (accepted between two dates) read only these columns:
            # with them in the index PostgreSQL answers from the index alone (an index-only scan about half
            # the size of the table). It also serves every lookup by acceptance date.
            models.Index(
                fields=["accepted_on"],
                include=[
                    "state",
                    "concluded_at",
                    "concluded_on",
                    "elapsed_days",
                    "promised_limit",
                    "statutory_limit",
                    "promised_due",
                    "statutory_due",
                    "department",
                ],
                name="case_cohort_covering_idx",
            ),
            # The worklists: running cases, soonest due first (a department's first page reads a few rows).
            # The alert scan reads every running case from it alone (an index-only scan), and the
            # alert bookkeeping of cases that have just closed from the tiny index after it.
            models.Index(
                fields=["promised_due", "submitted_at", "id"],
                include=[
                    "state",
                    "statutory_due",
                    "step_due",
                    "current_step",
                    "department",
                    "item",
                    "alert_levels",
                    "alert_step",
                ],
                condition=models.Q(state__in=sorted(str(s) for s in RUNNING_STATES)),
                name="case_running_due_idx",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(state__in=sorted(str(s) for s in CLOSED_STATES))
                & (models.Q(alert_levels__gt=0) | models.Q(alert_step__gt="")),
                name="case_closed_alerted_idx",
            ),
            # The alert scan's Art. 44 levels: approved cases whose licence is still to be handed out (few;
            # every other approved case is outside it), and the 告知承诺 approvals whose after-check is
            # not recorded yet (the after-check overdue level). Without them the scan read every approved
            # case, then the whole table, on each run (issue 19).
            models.Index(
                fields=["licence_due"],
                include=["department", "alert_levels"],
                condition=models.Q(state=CaseState.APPROVED, licence_due__isnull=False),
                name="case_licence_due_idx",
            ),
            models.Index(
                fields=["after_check_due"],
                include=["state", "department"],
                condition=models.Q(mode=HandlingMode.COMMITMENT, after_checked_at__isnull=True),
                name="case_after_check_due_idx",
            ),
            # The cases the figures rollup has not taken in (running, or concluded since its last refresh):
            # few, and read live next to the rollup: with the columns the figures read (and the breakdowns'
            # keys), from the index alone.
            models.Index(
                fields=["accepted_on"],
                include=[
                    "state",
                    "concluded_at",
                    "concluded_on",
                    "elapsed_days",
                    "promised_limit",
                    "statutory_limit",
                    "promised_due",
                    "statutory_due",
                    "department",
                    "item",
                    "window",
                    "clerk",
                ],
                condition=models.Q(rolled_up_at__isnull=True),
                name="case_live_cohort_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if self.answer_from is None and self.received_on is not None:
            self.answer_from = self.received_on
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.BOOKKEEPING_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def state_fields(self) -> Any:
        """django-fsm's ConcurrentTransitionMixin reads the state fields of every instance it builds by
        filtering all ~60 fields of the model through a lambda (a tenth of the case list's CPU, issue 19);
        they are the same for every instance: found once per class."""
        fields = type(self).__dict__.get("_fsm_state_fields")
        if fields is None:
            fields = tuple(f for f in self._meta.fields if isinstance(f, FSMFieldMixin))
            type(self)._fsm_state_fields = fields  # type: ignore[attr-defined]
        return fields

    # --- helpers the conditions use (own fields only) ---
    @property
    def awaiting_deferred(self) -> bool:
        return bool(self.deferred_materials) and self.deferred_supplied_at is None

    def _mode(self, *modes: str) -> bool:
        return self.mode in modes

    # --- transitions (DESIGN §3); services call them, check permissions and save ---
    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self) -> None:
        """The applicant (or the window on their behalf) submits: the case waits for the window."""

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.ACCEPTED,
        permission=perm.is_clerk,
        conditions=[_no_refusal_pending],
    )
    def accept(self) -> None:
        """The window accepts; the clock starts the next working day."""

    @transition(field=state, source=S.SUBMITTED, target=S.ACCEPTED)
    def deem_accept(self) -> None:
        """No answer within 5 working days: accepted as of the day received (Art. 32). System only."""

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.CORRECTION_REQUESTED,
        permission=perm.is_clerk,
        conditions=[_no_refusal_pending],
    )
    def request_correction(self) -> None:
        """One notice listing every missing or faulty material."""

    @transition(
        field=state, source=S.CORRECTION_REQUESTED, target=S.SUBMITTED, permission=perm.is_own_applicant
    )
    def supply(self) -> None:
        """The applicant supplies what the correction notice asked for."""

    @transition(
        field=state,
        source=[S.SUBMITTED, S.CORRECTION_REQUESTED],
        target=None,
        permission=perm.is_clerk,
        conditions=[_no_refusal_pending],
    )
    def propose_refusal(self) -> None:
        """The window proposes not to accept (state unchanged): the supervisor signs off or sends it back."""

    @transition(
        field=state,
        source=[S.SUBMITTED, S.CORRECTION_REQUESTED],
        target=S.NOT_ACCEPTED,
        permission=perm.may_sign_off_refusal,
        conditions=[_refusal_pending],
    )
    def refuse(self) -> None:
        """Not accepted: the supervisor approves the window's proposal (the window never says no alone)."""
        self.outcome = Outcome.NOT_ACCEPTED
        self.refusal_proposed_by = None

    @transition(
        field=state,
        source=[S.SUBMITTED, S.CORRECTION_REQUESTED],
        target=None,
        permission=perm.may_sign_off_refusal,
        conditions=[_refusal_pending],
    )
    def reject_refusal(self) -> None:
        """The supervisor sends the refusal proposal back: the window goes on with the application."""
        self.refusal_proposed_by = None

    @transition(field=state, source=S.ACCEPTED, target=S.IN_REVIEW, permission=perm.is_department_reviewer)
    def start_review(self) -> None:
        pass

    @transition(
        field=state, source=S.IN_REVIEW, target=S.AWAITING_DECISION, permission=perm.is_department_reviewer
    )
    def send_to_decision(self) -> None:
        pass

    @transition(
        field=state,
        source=S.AWAITING_DECISION,
        target=S.APPROVED,
        permission=perm.is_department_decider,
        conditions=[_no_deferred_missing],
    )
    def approve(self) -> None:
        self.outcome = Outcome.APPROVED

    @transition(
        field=state,
        source=S.ACCEPTED,
        target=S.APPROVED,
        permission=perm.may_decide_on_the_spot,
        conditions=[_decided_on_the_spot, _no_deferred_missing],
    )
    def approve_on_the_spot(self) -> None:
        """即办件 decided in the same visit; 告知承诺 approved on the signed commitment."""
        self.outcome = Outcome.APPROVED

    @transition(
        field=state, source=S.AWAITING_DECISION, target=S.DENIED, permission=perm.is_department_decider
    )
    def deny(self) -> None:
        self.outcome = Outcome.DENIED

    @transition(
        field=state,
        source=[S.IN_REVIEW, S.AWAITING_DECISION],
        target=S.SUSPENDED,
        permission=perm.is_department_handler,
    )
    def suspend(self) -> None:
        self.suspended_from = self.state

    @transition(
        field=state,
        source=S.SUSPENDED,
        target=RETURN_VALUE(S.IN_REVIEW, S.AWAITING_DECISION),
        permission=perm.is_department_handler,
    )
    def resume(self) -> str:
        previous = self.suspended_from or S.IN_REVIEW
        self.suspended_from = ""
        return previous

    @transition(
        field=state,
        source=[S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.AWAITING_DECISION],
        target=None,
        permission=perm.is_department_handler,
        conditions=[_no_extension_pending],
    )
    def request_extension(self) -> None:
        """延期 (Art. 42): the handler asks, with reasons (state unchanged)."""

    @transition(
        field=state,
        source=[S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.AWAITING_DECISION],
        target=None,
        permission=perm.is_department_head,
        conditions=[_extension_pending],
    )
    def extend(self) -> None:
        """延期: the head approves the handler's request (state unchanged)."""

    @transition(
        field=state,
        source=[S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.AWAITING_DECISION],
        target=None,
        permission=perm.is_department_head,
        conditions=[_extension_pending],
    )
    def reject_extension(self) -> None:
        """延期: the head does not approve the request (state unchanged)."""

    @transition(
        field=state,
        source=[S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.AWAITING_DECISION],
        target=None,
        permission=perm.is_own_applicant_or_clerk,
        conditions=[_deferred_files_awaited],
    )
    def supply_deferred(self) -> None:
        """容缺: the files of the deferred materials arrive (state unchanged); the window checks them."""

    @transition(
        field=state,
        source=[S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.AWAITING_DECISION],
        target=None,
        permission=perm.is_clerk,
        conditions=[_deferred_files_to_check],
    )
    def check_deferred(self) -> None:
        """容缺: the window checks the deferred materials' files, like any other material (state unchanged)."""

    @transition(
        field=state, source=_OPEN_BEFORE_DECISION, target=S.WITHDRAWN, permission=perm.is_own_applicant
    )
    def withdraw(self) -> None:
        self.outcome = Outcome.WITHDRAWN

    @transition(
        field=state,
        source=[S.CORRECTION_REQUESTED, S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED, S.AWAITING_DECISION],
        target=S.TERMINATED,
        permission=perm.is_department_decider_or_head,
    )
    def terminate(self) -> None:
        self.outcome = Outcome.TERMINATED

    @transition(
        field=state,
        source=[S.APPROVED, S.DELIVERED],
        target=S.REVOKED,
        permission=perm.is_department_decider_or_head,
        conditions=[_on_commitment],
    )
    def revoke(self) -> None:
        """告知承诺: the after-check found the commitment false."""

    @transition(
        field=state,
        source=[S.APPROVED, S.DELIVERED],
        target=None,
        permission=perm.is_department_decider_or_head,
        conditions=[_after_check_open],
    )
    def record_after_check(self) -> None:
        """告知承诺: the after-check found the commitment true (state unchanged; a false one revokes)."""

    @transition(
        field=state,
        source=[S.APPROVED, S.DENIED],
        target=S.DELIVERED,
        permission=perm.is_clerk,
        conditions=[_no_deferred_missing],
    )
    def deliver(self) -> None:
        pass


class CaseTransition(CompiledInsertModel, models.Model):
    """Append-only log of every transition: the timeline reads from it. Never updated or deleted."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("办件")
    )
    name = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=24, choices=CaseState.choices)
    to_state = models.CharField(_("新状态"), max_length=24, choices=CaseState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    reason = models.TextField(_("理由/意见"), blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # The supervision scan finds second correction notices (一次性告知 broken) through this tiny index.
        indexes = [
            models.Index(
                fields=["case"],
                condition=models.Q(name="second_correction_notice"),
                name="transition_second_notice_idx",
            )
        ]
        verbose_name = _("办件流转记录")
        verbose_name_plural = _("办件流转记录")

    def __str__(self) -> str:
        return f"{self.action_label}：{self.get_from_state_display()}→{self.get_to_state_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("CaseTransition rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("CaseTransition rows are append-only")

    @property
    def action_label(self) -> str:
        """The action in words (the log keeps the transition's name)."""
        from ..constants import LOG_ONLY_ACTIONS

        if self.name in CaseAction.values:
            return str(CaseAction(self.name).label)
        return str(LOG_ONLY_ACTIONS.get(self.name, self.name))
