"""gunicorn's settings for the portal (gunicorn reads ./gunicorn.conf.py from the working directory).

The access log writes every request line, query strings included; a resident ID number typed into a search
box or sent in a link must not reach it (PIPL). The same masking filter as Django's log handlers
(portal.pii.MaskResidentIdFilter) is put on gunicorn's access and error log handlers, in the master and
again in each worker after the fork (gunicorn sets its handlers up again when it reloads)."""

import logging
from typing import Any


def _mask_gunicorn_logs() -> None:
    from portal.pii import add_filter_to_handlers

    for name in ("gunicorn.access", "gunicorn.error"):
        add_filter_to_handlers(logging.getLogger(name))


def when_ready(server: Any) -> None:
    _mask_gunicorn_logs()


def post_fork(server: Any, worker: Any) -> None:
    _mask_gunicorn_logs()
