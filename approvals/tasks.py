"""Thin Celery wrappers around the approvals services (beat names in portal/schedule.py)."""

from typing import Any

from celery import shared_task

from portal.notifications.services import enqueue

from .services import intake, parallel, scans


@shared_task(acks_late=True)
def deem_accepted_scan() -> int:
    return scans.deem_accepted_scan()


@shared_task(acks_late=True)
def deferred_overdue_scan() -> int:
    return scans.deferred_overdue_scan()


@shared_task(acks_late=True)
def recompute_open_cases() -> int:
    return scans.recompute_open_cases()


@shared_task(acks_late=True)
def co_approval_deemed_consent_scan() -> int:
    return parallel.subapproval_deemed_consent_scan()


@shared_task(
    bind=True,
    name=intake.NEW_SUBMISSION_TASK,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=12,
)
def tell_clerks_of_new_submission(
    self: Any, case_id: int, deliveries: list[int] | tuple[int, ...] = ()
) -> int:
    """The one-case task the web published before the coalesced wake-up (``tell_clerks_of_new_submissions``
    below), kept for the messages a deploy finds in the queue. First hands the applicant's receipt
    ``deliveries`` to the broker (each delivery is still sent by its own ``deliver`` task, with its
    retries), then tells the clerks. Retried with back-off while the database is away (the receipt is queued on the first attempt
    only; a delivery lost with it is queued again by the outbox sweeper); past the retries, the sweep below
    writes the clerks' notices."""
    if self.request.retries == 0:
        for pk in deliveries:
            enqueue(pk)
    return intake.clerks_told_of_new_submission(case_id)


@shared_task(
    name=intake.NEW_SUBMISSION_DRAIN_TASK,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=12,
)
def tell_clerks_of_new_submissions() -> int:
    """The coalesced wake-up's drain (``intake.new_submissions_drained``): tells the clerks of every recent
    online submission not told yet and queues its receipt's deliveries. Idempotent (once per case, under
    the case's row lock), so a retry while the database is away, a redelivery or two drains side by side
    send nothing twice; past the retries, the sweeps."""
    return intake.new_submissions_drained()


@shared_task(acks_late=True)
def new_submission_notice_sweep() -> int:
    return intake.new_submission_notice_sweep()
