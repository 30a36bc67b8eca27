"""Thin Celery wrappers around the approvals services (beat names in portal/schedule.py)."""

from celery import shared_task

from .services import parallel, scans


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
