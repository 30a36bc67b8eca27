"""Download my data (个人信息查阅复制, PIPL Art. 45): everything the portal holds about one person as one
JSON document.

Each app contributes its part in a ``personal_data.py`` module of its own (found like ``admin.py``), so the
kernel never imports the apps that depend on it::

    from portal.accounts.personal_data import section

    @section("applications")
    def applications(user): ...   # JSON-ready data about this user only

A section reads only rows that belong to the user (their account, the applications and cases filed in
their name, notifications sent to them, their ratings and complaints). The owner gets their own ID number
in full; staff names and other people's personal data are left out.
"""

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import User

Section = Callable[[User], Any]
_SECTIONS: dict[str, Section] = {}


def section(name: str) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        _SECTIONS[name] = fn
        return fn

    return register


def iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


@section("profile")
def profile(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "applicant_kind": user.applicant_kind,
        "real_name": user.real_name,
        "id_number": user.id_number,
        "enterprise_name": user.enterprise_name,
        "credit_code": user.credit_code,
        "phone": user.phone,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "notify_sms": user.notify_sms,
        "notify_email": user.notify_email,
        "roles": sorted(user.role_names()),
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
    }


def personal_data_export(*, user: User) -> dict[str, Any]:
    """The whole document: a header and one key per section, in a stable order."""
    autodiscover_modules("personal_data")
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "portal": "一窗受理 one-window portal",
    }
    for name in ["profile", *sorted(n for n in _SECTIONS if n != "profile")]:
        data[name] = _SECTIONS[name](user)
    return data
