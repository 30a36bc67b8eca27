"""The Celery application. Periodic tasks are declared in one place: ``portal/schedule.py``."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _mask_personal_data(logger, *args, **kwargs):
    """Celery installs its own log handlers: they mask resident ID numbers too (portal/pii.py), and log
    JSON lines in production like the web processes (settings.LOG_FORMAT)."""
    from django.conf import settings

    from portal.pii import add_filter_to_handlers, json_formatter

    add_filter_to_handlers(logger)
    if getattr(settings, "LOG_FORMAT", "text") == "json":
        for handler in logger.handlers:
            handler.setFormatter(json_formatter())
