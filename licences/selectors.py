"""Reading licences: the owner's own, one for download (owner or staff allowed to see its case), and the
public verification by number and holder name."""

import hmac
from typing import Any

from django.db.models import QuerySet

from approvals.selectors import case_visible
from portal.accounts.models import User

from . import permissions as perm
from .models import Licence


def licence_list_own(*, user: User) -> QuerySet[Licence]:
    return Licence.objects.filter(perm.licence_owner_scope(user)).select_related(
        "issuing_department", "case__item"
    )


def licence_for_download(*, user: User, number: str) -> Licence | None:
    """The licence ``number`` if ``user`` owns it or may see its case (staff of its department, supervision);
    ``None`` otherwise (a 404 that says nothing about whether it exists)."""
    if "\x00" in number or len(number) > 60:
        return None
    licence = Licence.objects.select_related("issuing_department", "case").filter(number=number).first()
    if licence is None:
        return None
    if perm.is_owner(licence, user):
        return licence
    if not perm.sees_through_case(user):
        return None
    if case_visible(user=user).filter(pk=licence.case_id).exists():
        return licence
    return None


def licence_verify(*, number: str, holder: str) -> dict[str, Any] | None:
    """证照核验: what the licence itself shows and its answer (valid / expired / revoked / replaced), or
    ``None`` for an unknown number or a holder name that does not match (the same answer for both)."""
    number, holder = number.strip(), holder.strip()
    if not number or not holder or len(number) > 60 or len(holder) > 120 or "\x00" in number + holder:
        return None  # (PostgreSQL refuses NUL in a string: such input is simply not a licence)
    licence = Licence.objects.select_related("issuing_department").filter(number=number).first()
    if licence is None or not hmac.compare_digest(licence.holder_name.encode(), holder.encode()):
        return None
    return {
        "number": licence.number,
        "title": licence.title,
        "holder": licence.holder_name,
        "scope": licence.scope,
        "fields": [{"label": f.get("label", ""), "value": f.get("value", "")} for f in licence.fields or []],
        "issuing_department": licence.issuing_department.name,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": licence.answer(),
        "status_label": licence.answer_label(),
    }
