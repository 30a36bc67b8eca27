"""The user's applications with their materials list, for "download my data"."""

from typing import Any

from portal.accounts.personal_data import iso, section

from .models import Application


@section("applications")
def applications(user: Any) -> list[dict[str, Any]]:
    rows = (
        Application.objects.filter(applicant=user)
        .select_related("item")
        .prefetch_related("materials")
        .order_by("created_at", "pk")
    )
    return [
        {
            "reference": a.reference,
            "item_code": a.item.code,
            "item_name": a.item.name,
            "status": a.status,
            "channel": a.channel,
            "mode": a.mode,
            "registered_at_window": a.registered_by_id is not None,
            "applicant_name": a.applicant_name,
            "applicant_id_number": a.applicant_id_number,
            "contact_phone": a.contact_phone,
            "form_data": a.form_data,
            "commitment_signed": a.commitment_signed,
            "created_at": iso(a.created_at),
            "submitted_at": iso(a.submitted_at),
            "materials": [
                {
                    "material": m.material_name,
                    "file_name": m.original_name,
                    "content_type": m.content_type,
                    "size": m.size,
                    "sha256": m.sha256,
                    "check_result": m.check_result,
                    "check_note": m.check_note,
                    "uploaded_at": iso(m.uploaded_at),
                }
                for m in a.materials.all()
            ],
        }
        for a in rows
    ]
