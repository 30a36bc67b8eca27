from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from portal.accounts.constants import Role

register = template.Library()


@register.filter
def is_supervisor(user: Any) -> bool:
    """Efficiency office or a department head: may open the supervision dashboard."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.INSPECTOR, Role.HEAD))


@register.filter
def sees_alerts(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_portal_staff)


@register.filter
def case_url(reference: str) -> str:
    """Drill-down to the case page (approvals:case_detail); empty while that page is not mounted."""
    try:
        return reverse("approvals:case_detail", args=[reference])
    except NoReverseMatch:
        return ""


@register.filter
def pct(rate: Any) -> str:
    value = getattr(rate, "value", rate)
    if value is None:
        return "—"
    return f"{float(value) * 100:.2f}%"


@register.filter
def frac(rate: Any) -> str:
    return f"{rate.numerator}/{rate.denominator}"
