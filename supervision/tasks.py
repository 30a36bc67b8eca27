"""Celery tasks: thin wrappers around the supervision services (names fixed in portal/schedule.py)."""

from typing import Any

from celery import shared_task


@shared_task(name="supervision.tasks.alert_scan", acks_late=True, ignore_result=True)
def alert_scan() -> dict[str, Any]:
    """Raise and close alerts (set-based, idempotent: each alert once per case and level)."""
    import time

    from .metrics import scan_recorded
    from .services import alert_scan as scan

    started = time.time()
    result = scan()
    scan_recorded(started=started, finished=time.time(), raised=result.raised, closed=result.closed)
    return {"raised": result.raised, "closed": result.closed}


@shared_task(name="supervision.tasks.refresh_figures_rollup", acks_late=True, ignore_result=True)
def refresh_figures_rollup() -> dict[str, Any]:
    """Take the newly settled cases and their ratings into the figures rollup (idempotent)."""
    from .rollup import refresh

    result = refresh()
    return {"watermark": result.watermark.isoformat(), "cases": result.cases, "ratings": result.ratings}
