"""Who sees which alerts, findings and figures, and who may explain or review an alert: the one
vocabulary of supervision's selectors, services, pages and API.

- ``alert_scope(user)``: the efficiency office sees every alert; department staff their department's and
  those of the cases they hold; anyone else only the alerts of the cases they hold.
- ``may_explain`` / ``may_review``: the ``permission=`` of the Alert's transitions.

This module imports no model (the Alert model imports it for its transitions)."""

from typing import Any

from django.db.models import Q

from portal.accounts.constants import Role

DEPARTMENT_ROLES = (Role.HEAD, Role.REVIEWER, Role.DECIDER)


def is_efficiency_office(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.INSPECTOR))


def is_supervisor(user: Any) -> bool:
    """Reads the figures and dashboards: the efficiency office, and a head for their department."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.INSPECTOR, Role.HEAD))


def may_list_alerts(user: Any) -> bool:
    return bool(is_supervisor(user) or (user is not None and user.is_authenticated and user.is_portal_staff))


def alert_scope(user: Any) -> Q | None:
    """The alerts ``user`` may see: None for all of them, else a filter."""
    if is_efficiency_office(user):
        return None
    if user.department_id and user.has_role(*DEPARTMENT_ROLES):
        return Q(department_id=user.department_id) | Q(case__holder=user)
    return Q(case__holder=user)


def finding_scope(user: Any) -> Q | None:
    """Accountability findings: the office sees all, a head their department's, nobody else any."""
    if is_efficiency_office(user):
        return None
    if user.has_role(Role.HEAD) and user.department_id:
        return Q(department_id=user.department_id)
    return Q(pk__in=[])


def may_explain(alert: Any, user: Any) -> bool:
    """The written explanation (情况说明) comes from the case's holder or the department's staff (not the
    office, which reviews it)."""
    if user is None or not user.is_authenticated or is_efficiency_office(user):
        return False
    return alert.case.holder_id == user.pk or (
        user.department_id == alert.department_id and user.has_role(*DEPARTMENT_ROLES)
    )


def may_review(alert: Any, user: Any) -> bool:
    return is_efficiency_office(user)
