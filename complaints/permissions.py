"""Who sees which ratings, tickets and complaints, and who may move them: the one vocabulary of the
complaints app's selectors, services, pages and API.

- Scopes (``complaint_scope``, ``ticket_scope``, ``rating_scope``): the efficiency office sees everything;
  a department's staff their department's tickets and ratings, its head its complaints; an applicant their
  own ratings, a complainant their own complaints. ``None`` means everything.
- Transition predicates: the ``permission=`` of the ticket's and the complaint's transitions.

This module imports no model (the models import it for their transitions)."""

from typing import Any

from django.db.models import Q

from portal.accounts.constants import Role

DEPARTMENT_ROLES = (Role.HEAD, Role.REVIEWER, Role.DECIDER)
NOTHING = Q(pk__in=[])


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_efficiency_office(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.INSPECTOR)


# --- scopes -----------------------------------------------------------------------------------------


def complaint_scope(user: Any) -> Q | None:
    if not _signed_in(user):
        return NOTHING
    if is_efficiency_office(user):
        return None
    rules = Q(complainant=user)
    if user.has_role(Role.HEAD) and user.department_id:
        rules |= Q(department_id=user.department_id)
    return rules


def ticket_scope(user: Any) -> Q | None:
    if not _signed_in(user):
        return NOTHING
    if is_efficiency_office(user):
        return None
    if user.department_id and user.has_role(*DEPARTMENT_ROLES):
        return Q(department_id=user.department_id)
    return NOTHING


def rating_scope(user: Any) -> Q | None:
    if not _signed_in(user):
        return NOTHING
    if is_efficiency_office(user):
        return None
    if user.department_id and user.has_role(*DEPARTMENT_ROLES):
        return Q(department_id=user.department_id)
    return Q(applicant=user)


# --- transition predicates --------------------------------------------------------------------------


def is_ticket_department_staff(ticket: Any, user: Any) -> bool:
    """The rated department's head, reviewers and deciders call back, fix, put on the ledger, explain."""
    return (
        _signed_in(user) and user.department_id == ticket.department_id and user.has_role(*DEPARTMENT_ROLES)
    )


def is_office(obj: Any, user: Any) -> bool:
    """The efficiency office verifies and closes tickets, and assigns, investigates and concludes
    complaints."""
    return is_efficiency_office(user)


def is_own_complainant(complaint: Any, user: Any) -> bool:
    return _signed_in(user) and complaint.complainant_id is not None and complaint.complainant_id == user.pk


def may_appeal_rating(rating: Any, user: Any) -> bool:
    """The head of the rated department appeals a malicious or mistaken rating (申诉复核)."""
    return _signed_in(user) and user.has_role(Role.HEAD) and user.department_id == rating.department_id
