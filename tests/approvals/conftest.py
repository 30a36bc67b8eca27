import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from approvals.services.intake import case_open
from portal.workcalendar.seed import seed_years
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    ItemFactory,
    WindowFactory,
    citizen,
    item_snapshot,
    staff,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10):
    """Freeze the clock at a time of day in Asia/Shanghai."""
    return time_machine.travel(datetime.datetime(y, m, d, hour, tzinfo=TZ), tick=False)


class World:
    def __init__(self) -> None:
        seed_years([2025, 2026])
        self.dept = DepartmentFactory.create(code="SCJGJ", name="市场监督管理局")
        self.other_dept = DepartmentFactory.create(code="ZJJ", name="住房和城乡建设局")
        self.window = WindowFactory.create(number=1)
        self.clerk = staff("clerk", window=self.window, username="clerk")
        self.clerk_lead = staff("clerk", window=self.window, username="clerk_lead", is_staff=True)
        self.head = staff("head", self.dept, username="head")
        self.reviewer = staff("reviewer", self.dept, username="reviewer")
        self.decider = staff("decider", self.dept, username="decider")
        self.reviewer_b = staff("reviewer", self.other_dept, username="reviewer_b")
        self.decider_b = staff("decider", self.other_dept, username="decider_b")
        self.inspector = staff("inspector", username="inspector")
        self.citizen = citizen(username="citizen")
        self.other_citizen = citizen(username="other", id_number="110101199003070011")
        self.item = ItemFactory.create(department=self.dept, statutory_limit=20, promised_limit=5)
        from intake.models import Step

        Step.objects.create(item=self.item, order=1, name="受理", role="intake", limit_days=1)
        Step.objects.create(item=self.item, order=2, name="审查", role="review", limit_days=2)
        Step.objects.create(item=self.item, order=3, name="决定", role="decision", limit_days=1)

    def case(
        self, *, item=None, mode: str = "promised", applicant=None, snapshot_extra=None, commitment=False
    ):
        item = item or self.item
        snap = item_snapshot(item)
        snap["steps"] = [
            {"order": s.order, "name": s.name, "role": s.role, "limit_days": s.limit_days}
            for s in item.steps.all()
        ]
        snap.update(snapshot_extra or {})
        app = ApplicationFactory.create(
            item=item,
            applicant=applicant or self.citizen,
            item_snapshot=snap,
            mode=mode,
            commitment_signed=commitment,
        )
        return case_open(application=app, actor=app.applicant)

    def api(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def fire(self, user, case, name, **data):
        return self.api(user).post(f"/api/v1/cases/{case.reference}/transitions/{name}/", data, format="json")


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def published():
    """What this process hands to the broker, as (task name, args), in order (Celery's own signal; eager
    tasks run here and publish nothing, a task named by a string is published to the test broker)."""
    from celery.signals import before_task_publish

    seen: list[tuple[str, list]] = []

    def record(sender=None, body=None, **kwargs):
        seen.append((sender, list(body[0]) if body else []))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)
