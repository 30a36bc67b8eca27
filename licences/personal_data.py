"""The user's licences, for "download my data"."""

from typing import Any

from portal.accounts.personal_data import iso, section

from .models import Licence


@section("licences")
def licences(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "number": lic.number,
            "title": lic.title,
            "holder_name": lic.holder_name,
            "scope": lic.scope,
            "fields": lic.fields,
            "issuing_department": lic.issuing_department.name,
            "issued_on": iso(lic.issued_on),
            "valid_from": iso(lic.valid_from),
            "valid_until": iso(lic.valid_until),
            "status": lic.answer(),
            "case_reference": lic.case.reference,
        }
        for lic in Licence.objects.filter(owner=user)
        .select_related("issuing_department", "case")
        .order_by("pk")
    ]
