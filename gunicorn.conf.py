"""gunicorn's settings for the portal (gunicorn reads ./gunicorn.conf.py from the working directory).

The access log writes every request line, query strings included; a resident ID number typed into a search
box or sent in a link must not reach it (PIPL). The same masking filter as Django's log handlers
(portal.pii.MaskResidentIdFilter) is put on gunicorn's access and error log handlers, in the master and
again in each worker after the fork (gunicorn sets its handlers up again when it reloads). In production
(settings.LOG_FORMAT "json") they write JSON lines like Django's handlers.

Prometheus (docs/scaling.md#operations): prometheus_client's multiprocess mode — each worker writes its
metric samples to files in ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` (portal/ops.py) sums them over
every worker, so one scrape of any worker gives the whole server. The master sets the variable before it
forks (a new directory of its own under the temporary directory, removed when it exits) unless the
environment names one, which is then emptied when gunicorn starts (samples of a former run must not be
added). A dead worker's live gauges are dropped (``child_exit``); its counters stay counted.

The garbage collector (issue 19): once a worker has loaded the application and built the URL conf (as its
first request would), every object so far — ≈ 170,000: modules, settings, models, URL patterns — is moved
out of the collector's sight (``gc.freeze()``, ``post_worker_init``). They live as long as the worker
anyway; without it each full collection walked all of them (≈ 80 ms of CPU a time) to find the garbage
of the last few requests."""

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


_own_multiproc_dir: list[str] = []


def on_starting(server: Any) -> None:
    import os
    import tempfile
    from pathlib import Path

    path = _multiproc_dir()
    if not path:  # a directory of this master's own, inherited by the workers it forks
        path = tempfile.mkdtemp(prefix="portal-prometheus-")
        _own_multiproc_dir.append(path)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # prometheus_client's sample files of a former run
        stale.unlink()


def on_exit(server: Any) -> None:
    import shutil

    for path in _own_multiproc_dir:
        shutil.rmtree(path, ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    if _multiproc_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def when_ready(server: Any) -> None:
    _mask_gunicorn_logs()


def post_fork(server: Any, worker: Any) -> None:
    _mask_gunicorn_logs()


def post_worker_init(worker: Any) -> None:
    import gc

    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 - builds the URL conf's lookup tables, as the first request would
    gc.collect()
    gc.freeze()
