"""Approvals listens to intake (which must not import approvals) and to the work calendar."""

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from intake.signals import application_submitted
from portal.workcalendar.signals import calendar_changed


@receiver(application_submitted, dispatch_uid="approvals.open_case")
def open_case_on_submission(sender: Any, application: Any, actor: Any, **kwargs: Any) -> None:
    from .services import case_open

    case_open(application=application, actor=actor)


@receiver(calendar_changed, dispatch_uid="approvals.recompute_on_calendar_change")
def recompute_on_calendar_change(sender: Any, **kwargs: Any) -> None:
    from .tasks import recompute_open_cases

    transaction.on_commit(recompute_open_cases.delay)
