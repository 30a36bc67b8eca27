"""Every periodic task of the portal, in one place (Celery beat).

Each entry is a scan of the database; none relies on long ETAs (Redis would redeliver them).
"""
from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # filled in by the apps below; keep the names stable, beat keys its state file on them.
}
