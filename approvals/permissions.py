"""Who may see a case and who may do what to it: the one vocabulary the selectors, the services, the pages
and the API share (STYLE "Selectors"; django-fsm's ``permission=``).

- ``case_scope(user)``: the cases a user may see, as a query. Every list and page reads through it
  (``selectors.case_visible``, ``case_get``: a case outside it is a 404).
- The transition predicates (``is_clerk`` …) are the ``permission=`` of the Case's transitions: role and
  department checks on the case's own fields only. The services add the rules that need other rows
  (sign-off, the decider not being the reviewer, co-department answers).
- ``case_transition_check`` says why a user may not fire a transition now (409 state, 403 role) and
  ``case_actions_for`` lists what they may fire (buttons, the API's list).

This module imports no model (the Case model imports it for its transitions), so cases and users are
typed ``Any`` here.
"""

from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal.accounts.constants import Role
from portal.exceptions import ConflictError, PermissionDeniedError

from .constants import CaseAction

# Roles that see every case: the front desk (no-difference intake) and the efficiency office.
SEES_ALL = (Role.CLERK, Role.INSPECTOR)
# Department roles that see their department's cases and the parallel cases it co-handles.
DEPARTMENT_ROLES = (Role.REVIEWER, Role.DECIDER, Role.HEAD)


# --- seeing cases ---------------------------------------------------------------------------------


def case_scope(user: Any) -> Q | None:
    """The cases ``user`` may see: None for all of them; else a filter (an empty one for nobody).

    Applicants see their own; department staff their department's and the parallel cases their
    department co-handles (a subquery, not a join: no duplicate rows, and the department's cases come
    straight from the (department, state) index)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.has_role(*SEES_ALL):
        return None
    rules = Q(applicant_id=user.pk)
    if user.department_id and user.has_role(*DEPARTMENT_ROLES):
        sub_approval = apps.get_model("approvals", "SubApproval")
        co = sub_approval.objects.filter(department_id=user.department_id).values("case_id")
        rules |= Q(department_id=user.department_id) | Q(pk__in=co)
    return rules


# --- the transition predicates (``permission=`` of the Case's transitions) -------------------------


def _staff_of(case: Any, user: Any, *roles: str) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(*roles)
        and user.department_id is not None
        and user.department_id == case.department_id
    )


def is_clerk(case: Any, user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.CLERK))


def is_own_applicant(case: Any, user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.pk == case.applicant_id)


def is_own_applicant_or_clerk(case: Any, user: Any) -> bool:
    return is_own_applicant(case, user) or is_clerk(case, user)


def is_department_reviewer(case: Any, user: Any) -> bool:
    return _staff_of(case, user, Role.REVIEWER)


def is_review_author(case: Any, user: Any) -> bool:
    """两岗审核: ``user`` reviewed the case — took it into review or wrote its review opinion."""
    return user is not None and user.pk is not None and user.pk in (case.reviewer_id, case.opinion_by_id)


def is_department_decider(case: Any, user: Any) -> bool:
    """The owning department's decider, who is never the case's reviewer (两岗审核, DESIGN §3)."""
    return _staff_of(case, user, Role.DECIDER) and not is_review_author(case, user)


def is_department_handler(case: Any, user: Any) -> bool:
    return _staff_of(case, user, Role.REVIEWER, Role.DECIDER)


def is_department_head(case: Any, user: Any) -> bool:
    return _staff_of(case, user, Role.HEAD)


def is_department_decider_or_head(case: Any, user: Any) -> bool:
    return is_department_decider(case, user) or is_department_head(case, user)


def is_window_supervisor(user: Any) -> bool:
    """The window supervisor (窗口负责人): a clerk of the one window who leads it (DESIGN §3)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(Role.CLERK)
        and getattr(user, "is_window_supervisor", False)
    )


def may_sign_off_refusal(case: Any, user: Any) -> bool:
    """不予受理 needs a second person (DESIGN §3): the window supervisor or the head of the case's own
    department, who is not the clerk who proposed it. Another department's head, an inspector or any
    other clerk cannot sign."""
    return (_staff_of(case, user, Role.HEAD) or is_window_supervisor(user)) and (
        user.pk != case.refusal_proposed_by_id
    )


def may_decide_on_the_spot(case: Any, user: Any) -> bool:
    """即办件: the window decides at once; 告知承诺: the department's decider approves on the commitment."""
    if case.mode == "instant":
        return is_clerk(case, user) or is_department_decider(case, user)
    return is_department_decider(case, user)


def may_answer_sub_approval(sub: Any, user: Any) -> bool:
    """A co-department's reviewer, decider or head answers its part of a parallel case."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.department_id == sub.department_id
        and user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD)
    )


def may_resolve_sub_approval(sub: Any, user: Any) -> bool:
    """The lead department's decider or head records how a co-department's disagreement was resolved."""
    return _staff_of(sub.case, user, Role.DECIDER, Role.HEAD)


def may_check_materials(case: Any, user: Any) -> bool:
    return is_clerk(case, user)


# --- firing a transition ----------------------------------------------------------------------------


def case_transition_check(*, case: Any, user: Any, action: str) -> None:
    """Raise why ``user`` may not fire ``action`` on ``case`` now: 409 when the state (or a condition of
    the case, such as deferred materials still missing) does not allow it, 403 when the user may not.
    ``user=None`` is the system (a scan): only the state and the conditions count."""
    method = getattr(case, action)
    if not can_proceed(method, check_conditions=False):
        raise ConflictError(
            _("办件当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": case.get_state_display(), "action": CaseAction(action).label}
        )
    if action in (CaseAction.APPROVE, CaseAction.DENY) and _staff_of(case, user, Role.DECIDER):
        if is_review_author(case, user):
            raise ConflictError(
                _("两岗审核：您已承担本案的审查（撰写审查意见），不能再作出决定，须由另一名决定岗人员决定。")
            )
    if user is None:
        if not can_proceed(method):
            raise ConflictError(_("当前条件下不能执行此操作。"))
        return
    if not has_transition_perm(method, user):
        if not can_proceed(method):
            raise ConflictError(_("当前条件下不能执行此操作（例如容缺材料尚未补齐或条件未满足）。"))
        raise PermissionDeniedError(_("您无权对该办件执行此操作。"))


def case_actions_for(*, case: Any, user: Any, actions: list[str]) -> list[str]:
    """Of ``actions``, those ``user`` may fire on ``case`` now (a parallel case is approved only once every
    co-department has answered or let its limit pass)."""
    available = []
    for action in actions:
        if not has_transition_perm(getattr(case, action), user):
            continue
        if action == CaseAction.APPROVE and case.mode == "parallel" and not parallel_ready(case):
            continue
        available.append(action)
    return available


def parallel_ready(case: Any) -> bool:
    """Every co-department of a parallel case has answered, or its limit has passed (silence is consent),
    and no disagreement waits for the lead department's resolution."""
    today = timezone.localdate()
    return not any(
        (not s.answer and s.due_on >= today) or s.blocks_approval for s in case.sub_approvals.all()
    )
