"""Parallel approval (并联审批, DESIGN §2–3). The lead department (牵头部门) and the co-departments (协办部门)
work at the same time. When the lead's case is accepted, each co-department gets its part in its own queue
with its own due date (its catalogue limit, never past the case's promised due date) and is told so. It
answers in the portal — agree, agree with conditions, or disagree with reasons — before that date; silence
past it counts as consent and is recorded so (``subapproval_deemed_consent_scan``). A disagreement blocks the
approval until the lead department records how it was resolved (``subapproval_resolve``)."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.audit import audited_save
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from ..constants import SubApprovalAnswer
from ..models import Case, SubApproval
from ..permissions import may_answer_sub_approval, may_resolve_sub_approval, parallel_ready
from .common import base_context, log_transition, staff_with_roles, today

# The case states in which a co-department may still answer.
ANSWERABLE_STATES = ("accepted", "in_review", "awaiting_decision", "suspended")
# Who of a co-department hears of its part, and who of the lead department hears of the answers.
CO_DEPARTMENT_ROLES = (Role.REVIEWER, Role.DECIDER, Role.HEAD)
LEAD_ROLES = (Role.REVIEWER, Role.DECIDER, Role.HEAD)
DEFAULT_CO_DEPARTMENT_LIMIT = 5


def co_department_limit(*, entry: dict[str, Any], snapshot: dict[str, Any], promised_limit: int) -> int:
    """The co-department's own limit from the item's terms (its own, else the item's default), never
    longer than the promised limit: the parallel parts fit inside the case's promise (DESIGN §2)."""
    own = entry.get("limit")
    limit = int(
        own if own is not None else snapshot.get("co_department_limit") or DEFAULT_CO_DEPARTMENT_LIMIT
    )
    return min(limit, promised_limit)


def sub_approvals_open(*, case: Case, accepted_on: datetime.date) -> list[SubApproval]:
    """On acceptance (by the window or deemed): each co-department's part with its own due date, and its
    staff told that it is in their queue."""
    snapshot = case.application.item_snapshot or {}
    opened = []
    for entry in snapshot.get("co_departments") or []:
        limit = co_department_limit(entry=entry, snapshot=snapshot, promised_limit=case.promised_limit)
        due = calendar.add_days(accepted_on, limit, unit=case.limit_unit).date
        sub, created = SubApproval.objects.get_or_create(
            case=case, department_id=entry["id"], defaults={"due_on": due}
        )
        if not created:
            continue
        opened.append(sub)
        for user in staff_with_roles(sub.department_id, *CO_DEPARTMENT_ROLES):
            notify(
                recipient=user,
                event="staff.co_approval_new",
                context={
                    **base_context(case),
                    "lead": case.department.name,
                    "due_on": due.isoformat(),
                },
                case=case,
            )
    return opened


def _notify_lead(case: Case, *, event: str, context: dict[str, Any]) -> None:
    for user in staff_with_roles(case.department_id, *LEAD_ROLES):
        notify(recipient=user, event=event, context={**base_context(case), **context}, case=case)


def _locked(sub: SubApproval) -> SubApproval:
    return (
        SubApproval.objects.select_for_update()
        .select_related("case", "case__item", "case__department", "department")
        .get(pk=sub.pk)
    )


@transaction.atomic
def subapproval_answer(*, sub: SubApproval, actor: User, answer: str, opinion: str = "") -> SubApproval:
    """A co-department's reviewer, decider or head answers its part, before its own due date: agree,
    agree with conditions (the conditions), or disagree (the reasons)."""
    locked = _locked(sub)
    if not may_answer_sub_approval(locked, actor):
        raise PermissionDeniedError(_("只有该协办部门的工作人员可以答复。"))
    if locked.answer:
        raise ConflictError(_("该协办意见已答复，不能重复答复。"))
    if locked.case.state not in ANSWERABLE_STATES:
        raise ConflictError(_("办件已不在审查阶段。"))
    if locked.due_on < today():
        raise ConflictError(
            _("协办时限已于%(due)s届满，依法视为同意，不能再答复。") % {"due": locked.due_on.isoformat()}
        )
    if answer not in (SubApprovalAnswer.CONSENT, SubApprovalAnswer.CONDITIONAL, SubApprovalAnswer.OBJECT):
        raise ApplicationError(
            _("请选择同意、附条件同意或不同意。"), extra={"answer": [_("不是有效的选项。")]}
        )
    if answer == SubApprovalAnswer.OBJECT and not opinion.strip():
        raise ApplicationError(_("不同意时须说明理由。"), extra={"opinion": [_("此项为必填项。")]})
    if answer == SubApprovalAnswer.CONDITIONAL and not opinion.strip():
        raise ApplicationError(_("附条件同意时须写明条件。"), extra={"opinion": [_("此项为必填项。")]})
    locked.answer = answer
    locked.opinion = opinion
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    audited_save(locked, actor=actor, reason="answer")
    log_transition(
        case=locked.case,
        action="sub_approval",
        from_state=str(locked.case.state),
        actor=actor,
        reason=opinion,
        data={"department": locked.department.name, "answer": answer},
    )
    _notify_lead(
        locked.case,
        event="staff.co_approval_answered",
        context={
            "department": locked.department.name,
            "answer": answer,
            "answer_label": str(SubApprovalAnswer(answer).label),
            "opinion": opinion,
        },
    )
    return locked


@transaction.atomic
def subapproval_resolve(*, sub: SubApproval, actor: User, resolution: str) -> SubApproval:
    """The lead department (its decider or head) records how a co-department's disagreement was resolved
    (协调结果); until then the case cannot be approved."""
    locked = _locked(sub)
    if not may_resolve_sub_approval(locked, actor):
        raise PermissionDeniedError(_("只有牵头部门的决定岗或负责人可以记录分歧处理结果。"))
    if locked.answer != SubApprovalAnswer.OBJECT:
        raise ConflictError(_("该协办部门没有提出不同意见，无需处理。"))
    if locked.resolved_at is not None:
        raise ConflictError(_("该分歧的处理结果已记录。"))
    if locked.case.state not in ANSWERABLE_STATES:
        raise ConflictError(_("办件已不在审查阶段。"))
    if not resolution.strip():
        raise ApplicationError(_("请写明分歧的处理结果。"), extra={"resolution": [_("此项为必填项。")]})
    locked.resolution = resolution
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    audited_save(locked, actor=actor, reason="resolve")
    log_transition(
        case=locked.case,
        action="sub_approval_resolved",
        from_state=str(locked.case.state),
        actor=actor,
        reason=resolution,
        data={"department": locked.department.name},
    )
    for user in staff_with_roles(locked.department_id, *CO_DEPARTMENT_ROLES):
        notify(
            recipient=user,
            event="staff.co_approval_resolved",
            context={
                **base_context(locked.case),
                "lead": locked.case.department.name,
                "resolution": resolution,
            },
            case=locked.case,
        )
    return locked


def _deem_consent(sub: SubApproval) -> None:
    sub.answer = SubApprovalAnswer.DEEMED
    sub.answered_at = timezone.now()
    sub.opinion = _("协办时限（%(due)s）届满未答复，视为同意。") % {"due": sub.due_on.isoformat()}
    audited_save(sub, actor=None, reason="deemed consent")
    log_transition(
        case=sub.case,
        action="sub_approval",
        from_state=str(sub.case.state),
        actor=None,
        reason=sub.opinion,
        data={"department": sub.department.name, "answer": SubApprovalAnswer.DEEMED.value},
    )


def subapproval_deemed_consent_scan(*, day: datetime.date | None = None) -> int:
    """缺席默认: every co-department silent past its own due date has consented — recorded on its part and in
    the case's log, and the lead department told. Each part locked and re-checked in its own transaction."""
    ids = list(
        SubApproval.objects.filter(
            answer="", due_on__lt=day or today(), case__state__in=ANSWERABLE_STATES
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            sub = _locked(SubApproval(pk=pk))
            if sub.answer or sub.case.state not in ANSWERABLE_STATES:
                continue
            _deem_consent(sub)
            _notify_lead(
                sub.case,
                event="staff.co_approval_answered",
                context={
                    "department": sub.department.name,
                    "answer": SubApprovalAnswer.DEEMED.value,
                    "answer_label": str(SubApprovalAnswer.DEEMED.label),
                    "opinion": sub.opinion,
                },
            )
            done += 1
    return done


def record_deemed_consent(case: Case) -> dict[str, Any]:
    """When the lead approves: 409 while a co-department may still answer or a disagreement is unresolved;
    every co-department silent past its limit (not yet recorded by the scan) has consented. Returns what the
    approval records: the departments whose consent was deemed, and the conditions of conditional consents."""
    subs = list(case.sub_approvals.select_related("department"))
    blocking = [s.department.name for s in subs if s.blocks_approval]
    if blocking:
        raise ConflictError(
            _("协办部门（%(depts)s）不同意，牵头部门记录分歧处理结果前不能准予许可。")
            % {"depts": "、".join(blocking)}
        )
    if not parallel_ready(case):
        raise ConflictError(_("仍有协办部门在时限内未答复，暂不能作出决定。"))
    deemed = []
    for sub in subs:
        if not sub.answer:
            sub.case = case
            _deem_consent(sub)
            deemed.append(sub.department.name)
        elif sub.answer == SubApprovalAnswer.DEEMED:
            deemed.append(sub.department.name)
    conditions = [
        {"department": s.department.name, "conditions": s.opinion}
        for s in subs
        if s.answer == SubApprovalAnswer.CONDITIONAL
    ]
    return {"deemed_consent": deemed, "co_conditions": conditions}
