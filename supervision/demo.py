"""Demo data for supervision (called by ``manage.py load_demo``): the default alert rules, then one
alert scan over the demo cases. Idempotent."""

from typing import Any

from .constants import DEFAULT_DAYS, AlertLevel
from .models import AlertRule


def load(stdout: Any = None) -> None:
    for level in AlertLevel:
        AlertRule.objects.get_or_create(
            level=level,
            department=None,
            item=None,
            defaults={"days": DEFAULT_DAYS.get(level, 0), "active": True, "note": "默认规则"},
        )
    from .services import alert_scan

    result = alert_scan()
    if stdout is not None:
        stdout.write(
            f"supervision: {AlertRule.objects.count()} alert rules; scan raised {result.raised}, "
            f"closed {result.closed}\n"
        )
