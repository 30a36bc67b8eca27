"""gunicorn's settings for the portal (gunicorn reads ./gunicorn.conf.py from the working directory).

The access log writes every request line, query strings included; a resident ID number typed into a search
box or sent in a link must not reach it (PIPL). The same masking filter as Django's log handlers
(portal.pii.MaskResidentIdFilter) is put on gunicorn's access and error log handlers, in the master and
again in each worker after the fork (gunicorn sets its handlers up again when it reloads). In production
(settings.LOG_FORMAT "json") they write JSON lines like Django's handlers.

Prometheus (docs/scaling.md#operations): with ``PROMETHEUS_MULTIPROC_DIR`` set in the environment,
prometheus_client's multiprocess mode — each worker writes its metric samples to files in that directory
and ``/metrics`` (portal/ops.py) sums them over every worker, so one scrape of any worker gives the whole
server. The directory is emptied when gunicorn starts (samples of a former run must not be added) and a
dead worker's live gauges are dropped (``child_exit``); its counters stay counted."""

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


def _multiproc_dir() -> str:
    import os

    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    path = _multiproc_dir()
    if path:
        from pathlib import Path

        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # prometheus_client's sample files of a former run
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if _multiproc_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def when_ready(server: Any) -> None:
    _mask_gunicorn_logs()


def post_fork(server: Any, worker: Any) -> None:
    _mask_gunicorn_logs()
