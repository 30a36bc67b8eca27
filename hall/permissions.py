"""Who may do what in the service hall (大厅), in one place: the scope query of a citizen's appointments
and the predicates derived from it, used by the selectors, the services, the pages and the API alike (as
``approvals/permissions.py`` is for cases). Imports no model, so any module of the app can import it."""

from typing import Any

from django.db.models import Q

from portal.accounts.constants import Role


def appointment_scope(user: Any) -> Q:
    """The appointments ``user`` may read and act on: their own (nobody else's, staff included)."""
    return Q(citizen_id=user.pk) if user.is_authenticated else Q(pk__in=[])


def is_own_appointment(appointment: Any, user: Any) -> bool:
    return bool(user.is_authenticated and appointment.citizen_id == user.pk)


def may_book(user: Any) -> bool:
    """Booking online (网上预约) and a numbered ticket in one's own name are for applicants."""
    return bool(user.is_authenticated and user.is_applicant)


def is_hall_clerk(user: Any) -> bool:
    """Window staff (综合受理窗口)."""
    return bool(user.is_authenticated and user.has_role(Role.CLERK))


def is_clerk_at(user: Any, window: Any) -> bool:
    """Window staff sitting at ``window`` (calls, recalls, transfers and finishes its numbers)."""
    return is_hall_clerk(user) and user.window_id == window.pk


def may_check_in(appointment: Any, user: Any) -> bool:
    """The citizen on arrival, or a clerk checking them in."""
    return is_own_appointment(appointment, user) or is_hall_clerk(user)
