"""The outbox's gauges for /metrics (portal/ops.py): how many deliveries wait and for how long."""

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from .constants import DeliveryStatus
from .models import Delivery

UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def outbox_gauges() -> Iterable[Metric]:
    row = Delivery.objects.filter(status__in=UNSENT).aggregate(n=Count("id"), oldest=Min("created_at"))
    backlog = GaugeMetricFamily(
        "portal_outbox_backlog", "Deliveries not sent yet (pending or sending)", labels=["channel"]
    )
    by_channel = dict(
        Delivery.objects.filter(status__in=UNSENT)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    for channel, n in sorted(by_channel.items()):
        backlog.add_metric([channel], n)
    yield backlog
    yield GaugeMetricFamily(
        "portal_outbox_unsent_total", "Deliveries not sent yet, all channels", value=row["n"]
    )
    age = (timezone.now() - row["oldest"]).total_seconds() if row["oldest"] else 0.0
    yield GaugeMetricFamily(
        "portal_outbox_oldest_unsent_age_seconds",
        "Age of the oldest delivery not sent yet (0 when none waits)",
        value=max(age, 0.0),
    )
