"""Who may see and re-issue licences (电子证照), in one place: the owner's scope and the predicates the
selectors, the services, the pages and the API share (as ``approvals/permissions.py`` is for cases). Staff
see a licence through its case (``approvals.permissions.case_scope``). Imports no model."""

from typing import Any

from django.db.models import Q

from portal.accounts.constants import Role


def licence_owner_scope(user: Any) -> Q:
    """The licences ``user`` holds (我的证照)."""
    return Q(owner_id=user.pk) if user.is_authenticated else Q(pk__in=[])


def is_owner(licence: Any, user: Any) -> bool:
    return bool(user.is_authenticated and licence.owner_id == user.pk)


def sees_through_case(user: Any) -> bool:
    """Staff may see a licence they do not hold when they may see its case; an applicant only their own."""
    return bool(user.is_authenticated and not user.is_applicant)


def may_reissue(actor: Any, licence: Any) -> bool:
    """The issuing department's decider or head (the people who approve) re-issue its licences."""
    return bool(
        actor.is_authenticated
        and actor.department_id is not None
        and actor.department_id == licence.issuing_department_id
        and actor.has_role(Role.DECIDER, Role.HEAD)
    )
