"""Celery tasks: thin wrappers around the supervision services (names fixed in portal/schedule.py)."""
from typing import Any

from celery import shared_task


@shared_task(name="supervision.tasks.alert_scan", acks_late=True, ignore_result=True)
def alert_scan() -> dict[str, Any]:
    """Raise and close alerts (set-based, idempotent: each alert once per case and level)."""
    from .services import alert_scan as scan

    result = scan()
    return {"raised": result.raised, "closed": result.closed}
