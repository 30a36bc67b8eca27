"""Supervision's gauges for /metrics (portal/ops.py): open alerts by level, the last alert scan."""

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from .constants import AlertLevel
from .models import Alert

LAST_SCAN_KEY = "ops:alert_scan:last"


def scan_recorded(*, started: float, finished: float, raised: int, closed: int) -> None:
    """The alert scan ran (Unix times): kept in the shared cache for every node's /metrics."""
    cache.set(
        LAST_SCAN_KEY,
        {"started": started, "finished": finished, "raised": raised, "closed": closed},
        timeout=None,
    )


def last_scan() -> dict[str, Any] | None:
    value: dict[str, Any] | None = cache.get(LAST_SCAN_KEY)
    return value


def supervision_gauges() -> Iterable[Metric]:
    open_alerts = GaugeMetricFamily(
        "portal_alerts_open", "Alerts whose case has not concluded, by level", labels=["level"]
    )
    counts = dict(
        Alert.objects.filter(closed_at__isnull=True)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    for level in AlertLevel.values:
        open_alerts.add_metric([level], counts.get(level, 0))
    yield open_alerts
    scan = last_scan()
    if scan is not None:
        yield GaugeMetricFamily(
            "portal_alert_scan_last_duration_seconds",
            "How long the last alert scan took",
            value=scan["finished"] - scan["started"],
        )
        yield GaugeMetricFamily(
            "portal_alert_scan_last_finished_timestamp_seconds",
            "When the last alert scan finished (Unix time)",
            value=scan["finished"],
        )
