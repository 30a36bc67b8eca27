"""The user's ratings and complaints, for "download my data"."""

from typing import Any

from portal.accounts.personal_data import iso, section

from .models import Complaint, Rating


@section("ratings")
def ratings(user: Any) -> list[dict[str, Any]]:
    rows = Rating.objects.filter(applicant=user).select_related("case", "item").order_by("created_at", "pk")
    return [
        {
            "case_reference": r.case.reference if r.case else r.visit,
            "item_name": r.item.name if r.item else "",
            "overall": r.overall,
            "efficiency": r.efficiency,
            "attitude": r.attitude,
            "guide_accuracy": r.guide_accuracy,
            "comment": r.comment,
            "channel": r.channel,
            "created_at": iso(r.created_at),
            "voided": r.voided,
            "appeal_state": r.appeal_state,
        }
        for r in rows
    ]


@section("complaints")
def complaints(user: Any) -> list[dict[str, Any]]:
    rows = (
        Complaint.objects.filter(complainant=user)
        .select_related("case")
        .prefetch_related("attachments")
        .order_by("received_at", "pk")
    )
    return [
        {
            "number": c.number,
            "channel": c.channel,
            "complainant_name": c.complainant_name,
            "complainant_phone": c.complainant_phone,
            "anonymous": c.anonymous,
            "subject": c.subject,
            "content": c.content,
            "case_reference": c.case.reference if c.case else "",
            "state": c.state,
            "received_at": iso(c.received_at),
            "due_on": iso(c.due_on),
            "finding": c.finding,
            "action": c.action,
            "concluded_at": iso(c.concluded_at),
            "handling_rating": c.handling_rating,
            "attachments": [
                {"file_name": a.original_name, "content_type": a.content_type, "size": a.size}
                for a in c.attachments.all()
            ],
        }
        for c in rows
    ]
