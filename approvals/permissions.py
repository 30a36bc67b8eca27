"""Who may fire which transition: ``permission=`` callables of the Case transitions (instance, user).

Role and department checks only; the service adds the rules that need other rows (sign-off, the
decider not being the reviewer, co-department answers)."""

from typing import Any

from portal.accounts.constants import Role


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


def is_department_decider(case: Any, user: Any) -> bool:
    return _staff_of(case, user, Role.DECIDER) and user.pk != case.reviewer_id


def is_department_handler(case: Any, user: Any) -> bool:
    return _staff_of(case, user, Role.REVIEWER, Role.DECIDER)


def is_department_head(case: Any, user: Any) -> bool:
    return _staff_of(case, user, Role.HEAD)


def is_department_decider_or_head(case: Any, user: Any) -> bool:
    return is_department_decider(case, user) or is_department_head(case, user)


def may_decide_on_the_spot(case: Any, user: Any) -> bool:
    """即办件: the window decides at once; 告知承诺: the department's decider approves on the commitment."""
    if case.mode == "instant":
        return is_clerk(case, user) or is_department_decider(case, user)
    return is_department_decider(case, user)


def may_view(case: Any, user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.pk == case.applicant_id:
        return True
    if user.has_role(Role.INSPECTOR, Role.CLERK):
        return True
    return (
        bool(user.department_id)
        and user.department_id == case.department_id
        and user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD)
    )
