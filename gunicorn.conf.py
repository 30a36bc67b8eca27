"""gunicorn's settings for the portal (gunicorn reads ./gunicorn.conf.py from the working directory).

The access log writes every request line, query strings included; a resident ID number typed into a search
box or sent in a link must not reach it (PIPL). The same masking filter as Django's log handlers
(portal.pii.MaskResidentIdFilter) is put on gunicorn's access and error log handlers, in the master and
again in each worker after the fork (gunicorn sets its handlers up again when it reloads). In production
(settings.LOG_FORMAT "json") they write JSON lines like Django's handlers."""

import logging
from typing import Any


def _mask_gunicorn_logs() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings

    from portal.pii import add_filter_to_handlers, json_formatter

    as_json = getattr(settings, "LOG_FORMAT", "text") == "json"  # production: JSON lines (docs/scaling.md)
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        add_filter_to_handlers(logger)
        if as_json:
            for handler in logger.handlers:
                handler.setFormatter(json_formatter())


def when_ready(server: Any) -> None:
    _mask_gunicorn_logs()


def post_fork(server: Any, worker: Any) -> None:
    _mask_gunicorn_logs()
