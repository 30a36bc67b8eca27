"""Operations endpoints: liveness, readiness and Prometheus metrics (docs/scaling.md#operations).

They are answered by ``OpsMiddleware``, first in the chain, so that a load balancer or Prometheus asking a
node by its own address gets an answer: no ``ALLOWED_HOSTS`` check, no HTTPS redirect, no session.

- ``/healthz``: the process is alive (no database, no cache): 200 ``{"status": "ok"}``.
- ``/readyz``: the database, the cache and the Celery broker answer: 200, or 503 with a JSON body naming
  what failed (``{"status": "unavailable", "failed": ["broker"], "checks": {...}}``); only the kind of
  error is told, never an address or a password.
- ``/metrics``: django-prometheus' request/database/cache metrics of this process (of every gunicorn
  worker with ``PROMETHEUS_MULTIPROC_DIR``: gunicorn.conf.py), and the portal's own
  gauges read from the database at scrape time (the same on every node): outbox backlog and oldest
  unsent message, open alerts by level, the last alert scan's duration. Not public: only from an address
  in ``METRICS_ALLOWED_IPS`` (the peer itself, never through a proxy: a request carrying
  ``X-Forwarded-For`` is not taken by address) or with ``Authorization: Bearer <METRICS_TOKEN>``;
  otherwise 403.

The gauges come from the apps (``register_gauges`` in their ``AppConfig.ready``), so this kernel module
imports none of them.
"""

import hmac
import ipaddress
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

GaugeSource = Callable[[], Iterable[Metric]]
_sources: dict[str, GaugeSource] = {}


def register_gauges(name: str, source: GaugeSource) -> None:
    """An app's gauges (a callable yielding metric families), read from the database at scrape time."""
    _sources[name] = source


class _PortalCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        for name, source in sorted(_sources.items()):
            try:
                yield from source()
            except Exception:  # one failing source must not hide the others
                logger.exception("metrics source %s failed", name)


_portal_registry = CollectorRegistry(auto_describe=False)
_portal_registry.register(_PortalCollector())


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    from django.core.cache import cache

    key, value = "ops:readyz", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep a value")


def _check_broker() -> None:
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.READYZ_BROKER_TIMEOUT)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:
            logger.warning("readyz: %s unavailable: %s", name, type(exc).__name__)
            checks[name] = f"error: {type(exc).__name__}"
    failed = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)


def _peer_allowed(request: HttpRequest) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False  # came through a proxy: the peer address is the proxy's
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if peer in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def _token_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())


def metrics(request: HttpRequest) -> HttpResponse:
    if not (_peer_allowed(request) or _token_allowed(request)):
        body = {"detail": "metrics are not public: allowed addresses or a bearer token only"}
        return HttpResponse(json.dumps(body), status=403, content_type="application/json")
    output = generate_latest(_process_registry()) + generate_latest(_portal_registry)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


def _process_registry() -> CollectorRegistry:
    """django-prometheus' request, latency and exception metrics. With ``PROMETHEUS_MULTIPROC_DIR`` set
    (prometheus_client's multiprocess mode, for gunicorn's workers: gunicorn.conf.py) every worker writes
    its samples to files there and any worker answers with the sums over all of them (a fresh registry
    per scrape, as prometheus_client requires); otherwise this process's own."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


ROUTES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class OpsMiddleware:
    """Answers the operations paths before anything else (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        view = ROUTES.get(request.path_info.rstrip("/") or "/")
        if view is not None and request.method in ("GET", "HEAD"):
            response = view(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
