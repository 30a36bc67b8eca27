"""Parallel approval (并联审批, DESIGN §2–3): each co-department answers its part before its own due date;
silence past it counts as consent (缺席默认), recorded when the lead department decides."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit import audited_save
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError

from ..constants import SubApprovalAnswer
from ..models import Case, SubApproval
from ..permissions import may_answer_sub_approval, parallel_ready
from .common import log_transition

# The case states in which a co-department may still answer.
ANSWERABLE_STATES = ("accepted", "in_review", "awaiting_decision", "suspended")


@transaction.atomic
def subapproval_answer(*, sub: SubApproval, actor: User, answer: str, opinion: str = "") -> SubApproval:
    """A co-department's reviewer, decider or head answers its part of a parallel case."""
    locked = SubApproval.objects.select_for_update().select_related("case").get(pk=sub.pk)
    if not may_answer_sub_approval(locked, actor):
        raise PermissionDeniedError(_("只有协办部门的工作人员可以答复。"))
    if locked.answer:
        raise ConflictError(_("该协办意见已答复，不能重复答复。"))
    if locked.case.state not in ANSWERABLE_STATES:
        raise ConflictError(_("办件已不在审查阶段。"))
    if answer not in (SubApprovalAnswer.CONSENT, SubApprovalAnswer.OBJECT):
        raise ApplicationError(_("请选择同意或不同意。"), extra={"answer": [_("不是有效的选项。")]})
    if answer == SubApprovalAnswer.OBJECT and not opinion.strip():
        raise ApplicationError(_("不同意时须说明理由。"), extra={"opinion": [_("此项为必填项。")]})
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
    return locked


def record_deemed_consent(case: Case) -> list[str]:
    """When the lead decides: every co-department silent past its limit has consented. Raises 409 while
    one may still answer. Returns the departments whose consent was deemed."""
    if not parallel_ready(case):
        raise ConflictError(_("仍有协办部门在时限内未答复，暂不能作出决定。"))
    deemed = []
    for sub in case.sub_approvals.select_related("department"):
        if not sub.answer:
            sub.answer = SubApprovalAnswer.DEEMED
            sub.answered_at = timezone.now()
            sub.opinion = _("协办时限届满未答复，视为同意。")
            audited_save(sub, actor=None, reason="deemed consent")
            deemed.append(sub.department.name)
    return deemed
