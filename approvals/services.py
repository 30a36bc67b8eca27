"""Case services: every write to a case goes through here (DESIGN §3, STYLE "Services")."""
from typing import Any

from django.db import transaction
from django.utils import timezone

from intake.models import Application
from portal.accounts.models import User

from .models import Case, CaseTransition


def _log(*, case: Case, name: str, from_state: str, actor: User | None, reason: str = "", data: Any = None) -> None:
    CaseTransition.objects.create(
        case=case, name=name, from_state=from_state, to_state=case.state, actor=actor, reason=reason, data=data or {}
    )


@transaction.atomic
def case_open(*, application: Application, actor: User | None) -> Case:
    """Open the case of a just-submitted application and fire ``submit`` (draft → submitted)."""
    snap = application.item_snapshot
    now = application.submitted_at or timezone.now()
    case = Case(
        application=application,
        reference=application.reference,
        item=application.item,
        department_id=snap.get("department_id", application.item.department_id),
        applicant=application.applicant,
        mode=application.mode,
        statutory_limit=snap.get("statutory_limit", application.item.statutory_limit),
        promised_limit=snap.get("promised_limit", application.item.promised_limit),
        limit_unit=snap.get("limit_unit", application.item.limit_unit),
        submitted_at=now,
        received_on=timezone.localdate(now),
    )
    if application.registered_by_id:
        case.clerk_id = application.registered_by_id
        case.window_id = getattr(application.registered_by, "window_id", None)
    case.save()
    from_state = case.state
    case.submit()
    case._change_reason = "submit"
    case._history_user = actor
    case.save()
    _log(case=case, name="submit", from_state=from_state, actor=actor)
    return case
