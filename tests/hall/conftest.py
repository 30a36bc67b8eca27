"""A small hall: two business types (A 企业开办, B 不动产登记), one window group of windows 1 and 2 open
Monday to Friday 9:00–12:00 and 13:30–17:00 (weekends closed), window 3 outside the group, a clerk at
each window, two citizens. The calendar is the official one (chinesecalendar) for 2025–2026: in 2026 the
National Day holiday runs 1–7 October and Saturday 10 October is a make-up working day (调休上班)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from hall.models import BusinessType, OpeningHours, WindowGroup
from portal.workcalendar.seed import seed_years
from tests.factories import DepartmentFactory, WindowFactory, citizen, staff

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0, tick: bool = False):
    """Freeze the clock at a time of day in Asia/Shanghai."""
    return time_machine.travel(datetime.datetime(y, m, d, hour, minute, tzinfo=TZ), tick=tick)


class Hall:
    def __init__(self, capacity: int = 2) -> None:
        seed_years([2025, 2026])
        self.dept = DepartmentFactory.create(code="SCJGJ", name="市场监督管理局")
        self.w1 = WindowFactory.create(number=1, name="企业开办")
        self.w2 = WindowFactory.create(number=2, name="综合受理")
        self.w3 = WindowFactory.create(number=3, name="咨询")
        self.a = BusinessType.objects.create(code="A", name="企业开办", department=self.dept)
        self.b = BusinessType.objects.create(code="B", name="不动产登记", department=self.dept, order=1)
        self.group = WindowGroup.objects.create(
            name="综合受理区", morning_capacity=capacity, afternoon_capacity=capacity
        )
        self.group.windows.add(self.w1, self.w2)
        self.group.business_types.add(self.a, self.b)
        for weekday in range(5):
            OpeningHours.objects.create(
                group=self.group,
                weekday=weekday,
                morning_from=datetime.time(9),
                morning_to=datetime.time(12),
                afternoon_from=datetime.time(13, 30),
                afternoon_to=datetime.time(17),
            )
        self.clerk1 = staff("clerk", window=self.w1, username="clerk1")
        self.clerk2 = staff("clerk", window=self.w2, username="clerk2")
        self.clerk3 = staff("clerk", window=self.w3, username="clerk3")
        self.inspector = staff("inspector", username="inspector")
        self.alice = citizen(username="alice", phone="13900000001")
        self.bob = citizen(username="bob", phone="13900000002", id_number="110101199003070011")

    def api(self, user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client


@pytest.fixture
def hall(db):
    return Hall()
