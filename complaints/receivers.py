"""A case that reaches a decision invites its applicant to rate it (once)."""

from typing import Any

from django.dispatch import receiver

from approvals.constants import CaseState
from approvals.signals import case_transitioned


@receiver(case_transitioned, dispatch_uid="complaints.rating_invitation")
def invite_rating(sender: Any, case: Any, to_state: str, **kwargs: Any) -> None:
    if to_state in (CaseState.APPROVED, CaseState.DENIED):
        from .services import send_rating_invitation

        send_rating_invitation(case)
