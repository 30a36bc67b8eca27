"""Thin Celery wrappers around the approvals services (beat names in portal/schedule.py)."""

from celery import shared_task

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
    name=intake.NEW_SUBMISSION_TASK,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=12,
)
def tell_clerks_of_new_submission(case_id: int) -> int:
    """Retried with back-off while the database is away; past the retries, the sweep below writes them."""
    return intake.clerks_told_of_new_submission(case_id)


@shared_task(acks_late=True)
def new_submission_notice_sweep() -> int:
    return intake.new_submission_notice_sweep()
