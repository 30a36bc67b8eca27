"""Who sees which applications and their files: the one vocabulary of intake's selectors, pages and API.

- ``application_scope(user)``: an application is its applicant's, and the clerk's who registered it at
  the window (a walk-in).
- ``may_download_material``: its applicant (or registering clerk), any front-desk clerk (no-difference
  intake), the efficiency office, and the reviewers, deciders and heads of the item's department or one
  of its co-departments.
"""

from typing import Any

from django.db.models import Q

from portal.accounts.constants import Role

NOTHING = Q(pk__in=[])


def application_scope(user: Any) -> Q:
    if user is None or not user.is_authenticated:
        return NOTHING
    return Q(applicant_id=user.pk) | Q(registered_by_id=user.pk)


def may_download_material(user: Any, row: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    app = row.application
    if user.pk in (app.applicant_id, app.registered_by_id):
        return True
    if user.has_role(Role.CLERK, Role.INSPECTOR):
        return True
    if user.department_id and user.has_role(Role.REVIEWER, Role.DECIDER, Role.HEAD):
        return bool(
            user.department_id == app.item.department_id
            or app.item.co_departments.filter(pk=user.department_id).exists()
        )
    return False


def may_register_walk_in(user: Any) -> bool:
    """The window registers walk-in applications for any department's items."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.CLERK))
