"""Approvals listens to intake (which must not import approvals): a submitted application opens a case."""
from typing import Any

from django.dispatch import receiver

from intake.signals import application_submitted


@receiver(application_submitted, dispatch_uid="approvals.open_case")
def open_case_on_submission(sender: Any, application: Any, actor: Any, **kwargs: Any) -> None:
    from .services import case_open

    case_open(application=application, actor=actor)
