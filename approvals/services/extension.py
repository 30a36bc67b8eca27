"""Extension of the statutory limit (延期, 行政许可法 Art. 42, DESIGN §4): the handler asks with reasons,
the department head approves (or not). Up to 10 working days; a case handled jointly (统一/联合/集中办理)
up to 15, the days beyond 10 only with the approval of the head of the people's government at that level,
recorded with its approval document; an item may carry another law's limit (with its basis, in the item's
unit). Art. 42 extensions count working days (Art. 82), natural-day items included. The applicant is told
the reason and the new date."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify
from portal.workcalendar.constants import LimitUnit

from .. import deadlines
from ..constants import CaseAction
from ..models import Case, CaseTransition
from .common import (
    base_context,
    due_dates_context,
    lock_case,
    recompute_due_dates,
    record_transition,
    staff_with_roles,
)


def extension_rule(case: Case) -> deadlines.ExtensionRule:
    return deadlines.extension_rule(
        snapshot=case.application.item_snapshot or {}, mode=case.mode, limit_unit=case.limit_unit
    )


def _unit_word(unit: str) -> str:
    return str(LimitUnit(unit).label)


def _too_many(rule: deadlines.ExtensionRule, left: int, field: str) -> ApplicationError:
    return ApplicationError(
        _("延期不得超过法定上限（%(basis)s），本件最多还可延长%(n)s个%(unit)s。")
        % {"basis": rule.basis, "n": max(left, 0), "unit": _unit_word(rule.unit)},
        extra={field: [_("超过法定可延长的期限。")]},
    )


def _at_least_one_day(days: int) -> None:
    """An extension lengthens the statutory limit (Art. 42): never by zero or fewer days, whoever calls."""
    if days < 1:
        raise ApplicationError(_("延期天数有误。"), extra={"days": [_("请输入1到365之间的整数。")]})


@transaction.atomic
def case_request_extension(*, case: Case, actor: User, days: int, reason: str) -> Case:
    """The handler asks the department head to extend the statutory limit by ``days``, with reasons."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REQUEST_EXTENSION)
    rule = extension_rule(case)
    left = rule.limit - case.extension_days
    _at_least_one_day(days)
    if days > left:
        raise _too_many(rule, left, "days")
    if not reason.strip():
        raise ApplicationError(_("请写明延期理由。"), extra={"reason": [_("此项为必填项。")]})
    case.request_extension()
    case.extension_requested_days = days
    record_transition(
        case=case,
        action=CaseAction.REQUEST_EXTENSION,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={"days": days, "unit": rule.unit, "basis": rule.basis},
    )
    for head in staff_with_roles(case.department_id, Role.HEAD):
        notify(
            recipient=head,
            event="staff.new_work",
            context={"reference": case.reference, "queue": "extension"},
            case=case,
        )
    return case


def pending_request(case: Case) -> CaseTransition | None:
    """The handler's request the head has still to decide on, if any."""
    if not case.extension_requested_days:
        return None
    return case.transitions.filter(name=CaseAction.REQUEST_EXTENSION).order_by("-at", "-id").first()


@transaction.atomic
def case_extend(
    *, case: Case, actor: User, days: int | None = None, reason: str = "", government_approval: str = ""
) -> Case:
    """The department head approves the pending request (for ``days``, at most the days asked for). Days
    beyond the head's own limit (10, joint handling) need the government head's approval document."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.EXTEND)
    request = pending_request(case)
    asked = case.extension_requested_days
    days = asked if days is None else days
    _at_least_one_day(days)
    if days > asked:
        raise ApplicationError(
            _("批准的延期天数不得超过申请的%(n)s天。") % {"n": asked},
            extra={"days": [_("超过申请的天数。")]},
        )
    rule = extension_rule(case)
    total = case.extension_days + days
    if total > rule.limit:
        raise _too_many(rule, rule.limit - case.extension_days, "days")
    government_approval = government_approval.strip()
    if total > rule.head_limit and not government_approval:
        raise ApplicationError(
            _("延期超过%(n)s个工作日的，须经本级人民政府负责人批准，请填写批准文件。")
            % {"n": rule.head_limit},
            extra={"government_approval": [_("此项为必填项。")]},
        )
    case.extend()
    case.extension_requested_days = 0
    case.extension_days = total
    case.extension_unit = rule.unit
    recompute_due_dates(case)
    statutory_due = due_dates_context(case)["statutory_due"]
    why = request.reason if request is not None else reason
    data: dict[str, Any] = {
        "days": days,
        "unit": rule.unit,
        "basis": rule.basis,
        "statutory_due": statutory_due,
        "requested_by": request.actor_id if request is not None else None,
        "request_reason": why,
    }
    if government_approval:
        data["government_approval"] = government_approval
    record_transition(
        case=case, action=CaseAction.EXTEND, from_state=from_state, actor=actor, reason=reason, data=data
    )
    context = {**base_context(case), "statutory_due": statutory_due, "reason": why}
    notify(recipient=case.applicant, event="case.extended", context=context, case=case)
    return case


@transaction.atomic
def case_reject_extension(*, case: Case, actor: User, reason: str) -> Case:
    """The department head does not approve the pending request; the handler is told why."""
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.REJECT_EXTENSION)
    request = pending_request(case)
    case.reject_extension()
    days = case.extension_requested_days
    case.extension_requested_days = 0
    record_transition(
        case=case,
        action=CaseAction.REJECT_EXTENSION,
        from_state=from_state,
        actor=actor,
        reason=reason,
        data={"days": days},
    )
    if request is not None and request.actor is not None:
        notify(
            recipient=request.actor,
            event="staff.new_work",
            context={"reference": case.reference, "queue": "review"},
            case=case,
        )
    return case
