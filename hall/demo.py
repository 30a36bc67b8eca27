"""Demo data of the service hall: four business types and three window groups open on working days
(the work calendar closes them on holidays and opens them on make-up days). Idempotent."""

import datetime
from typing import Any

from portal.accounts.models import Department, Window

from .models import BusinessType, OpeningHours, WindowGroup

BUSINESS_TYPES = [
    ("A", "企业开办", "SCJGJ"),
    ("B", "工程建设", "ZJJ"),
    ("C", "社会事务", "MZJ"),
    ("D", "不动产登记", "ZRZYJ"),
]
# group name, window numbers, business type letters, capacity per half-day
GROUPS = [
    ("企业开办专区", [1, 8], ["A"], 12),
    ("工程建设专区", [2], ["B"], 8),
    ("综合受理区", [3, 4, 5, 6], ["C", "D", "A"], 20),
]


def load(stdout: Any) -> None:
    types = {}
    for order, (code, name, dept) in enumerate(BUSINESS_TYPES):
        types[code], _ = BusinessType.objects.update_or_create(
            code=code,
            defaults={"name": name, "department": Department.objects.get(code=dept), "order": order},
        )
    for name, windows, codes, capacity in GROUPS:
        group, _ = WindowGroup.objects.update_or_create(
            name=name, defaults={"morning_capacity": capacity, "afternoon_capacity": capacity}
        )
        group.windows.set(Window.objects.filter(number__in=windows))
        group.business_types.set([types[c] for c in codes])
        for weekday in range(5):
            OpeningHours.objects.update_or_create(
                group=group,
                weekday=weekday,
                defaults={
                    "morning_from": datetime.time(9),
                    "morning_to": datetime.time(12),
                    "afternoon_from": datetime.time(13, 30),
                    "afternoon_to": datetime.time(17),
                },
            )
    stdout.write(f"hall: {len(BUSINESS_TYPES)} business types, {len(GROUPS)} window groups")
