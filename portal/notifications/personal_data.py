"""The user's notifications and their deliveries, for "download my data"."""

from typing import Any

from portal.accounts.personal_data import iso, section

from .models import Notification


@section("notifications")
def notifications(user: Any) -> list[dict[str, Any]]:
    rows = (
        Notification.objects.filter(recipient=user)
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )
    return [
        {
            "event": n.event,
            "subject": n.subject,
            "body": n.body,
            "case_reference": n.case_reference,
            "created_at": iso(n.created_at),
            "read_at": iso(n.read_at),
            "deliveries": [
                {"channel": d.channel, "address": d.address, "status": d.status, "sent_at": iso(d.sent_at)}
                for d in n.deliveries.all()
            ],
        }
        for n in rows
    ]
