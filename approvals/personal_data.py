"""The user's cases with their timeline (the transition log) and history, for "download my data".
Staff are named by role of the step, not by name."""

from typing import Any

from portal.accounts.personal_data import iso, section

from .models import Case


@section("cases")
def cases(user: Any) -> list[dict[str, Any]]:
    rows = list(
        Case.objects.filter(applicant=user)
        .select_related("item", "department")
        .prefetch_related("transitions", "suspensions")
        .order_by("submitted_at", "pk")
    )
    history: dict[int, list[Any]] = {}
    for h in Case.history.filter(id__in=[c.pk for c in rows]).order_by("history_date", "history_id"):
        history.setdefault(h.id, []).append(h)
    return [
        {
            "reference": c.reference,
            "item_code": c.item.code,
            "item_name": c.item.name,
            "department": c.department.name,
            "state": c.state,
            "outcome": c.outcome,
            "mode": c.mode,
            "submitted_at": iso(c.submitted_at),
            "accepted_on": iso(c.accepted_on),
            "promised_due": iso(c.promised_due),
            "statutory_due": iso(c.statutory_due),
            "concluded_at": iso(c.concluded_at),
            "decision_reasons": c.decision_reasons,
            "remedies": c.remedies,
            "deferred_materials": c.deferred_materials,
            "deferred_supply_by": iso(c.deferred_supply_by),
            "delivery_method": c.delivery_method,
            "tracking_number": c.tracking_number,
            "delivered_at": iso(c.delivered_at),
            "timeline": [
                {
                    "at": iso(t.at),
                    "action": t.name,
                    "from_state": t.from_state,
                    "to_state": t.to_state,
                    "reason": t.reason,
                    "by_me": t.actor_id == user.pk,
                }
                for t in c.transitions.all()
            ],
            "suspensions": [
                {
                    "kind": s.kind,
                    "reason": s.reason,
                    "expected_days": s.expected_days,
                    "started_on": iso(s.started_on),
                    "resumed_on": iso(s.resumed_on),
                }
                for s in c.suspensions.all()
            ],
            "history": [
                {
                    "at": iso(h.history_date),
                    "type": h.history_type,
                    "state": h.state,
                    "reason": h.history_change_reason or "",
                }
                for h in history.get(c.pk, [])
            ],
        }
        for c in rows
    ]
