"""python manage.py seed_cases --count 1000000 — synthetic cases for load tests (batched, progress bar).

Cases are spread over the last two years: older ones are almost all concluded (as in real life),
recent ones a mix of running, overdue and concluded; due dates and elapsed days come from the
calendar service. Uses the published catalogue (or creates a small one)."""

import datetime
import random
import time
from functools import lru_cache
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from approvals.constants import CaseState, Outcome
from approvals.models import Case
from intake.constants import ApplicationStatus, Channel, ItemStatus
from intake.models import Application, Item
from portal.accounts.constants import Role
from portal.accounts.models import Department, User, Window
from portal.workcalendar import services as calendar

RUNNING = [CaseState.ACCEPTED, CaseState.IN_REVIEW, CaseState.AWAITING_DECISION]


def _rating_model() -> Any:
    from django.apps import apps

    try:
        model = apps.get_model("complaints", "Rating")
        model._meta.get_field("case")
        return model
    except Exception:  # noqa: BLE001 - no ratings app (yet)
        return None


@lru_cache(maxsize=200_000)
def _due(start: datetime.date, n: int, unit: str) -> datetime.date:
    return calendar.add_days(start, n, unit=unit).date


class Command(BaseCommand):
    help = "生成用于性能测试的模拟办件（分批写入，显示进度）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--days", type=int, default=730, help="受理日期分布在最近多少天内")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        count, batch = options["count"], max(1, options["batch_size"])
        rng = random.Random(options["seed"])  # noqa: S311 (simulated cases, not secrets)
        items = self._catalogue()
        # the desks (window and clerk) that accept the cases: each window's clerk, in turn, when there are
        # windows and clerks; none otherwise
        windows: list[int | None] = [*Window.objects.values_list("pk", flat=True)] or [None]
        clerks: list[int | None] = [
            *User.objects.filter(groups__name=Role.CLERK).order_by("pk").values_list("pk", flat=True)
        ] or [None]
        desks = [(w, clerks[k % len(clerks)]) for k, w in enumerate(windows)]
        applicant, _ = User.objects.get_or_create(
            username="seed-applicant", defaults={"real_name": "模拟申请人", "is_active": False}
        )
        today = timezone.localdate()
        token = f"{int(time.time()) % 36**6:06d}"[-6:]
        started = time.monotonic()
        rating_model = _rating_model()
        done = 0
        while done < count:
            n = min(batch, count - done)
            with transaction.atomic():
                apps_, cases = [], []
                for i in range(done, done + n):
                    item = rng.choice(items)
                    apps_.append(
                        Application(
                            reference=f"SD{token}-{i:09d}",
                            item_id=item["id"],
                            applicant=applicant,
                            status=ApplicationStatus.SUBMITTED,
                            channel=Channel.ONLINE,
                            applicant_name="模拟申请人",
                            contact_phone="13900000000",
                            item_snapshot={"seed": True},
                        )
                    )
                    # chronological, like a table filled day after day
                    accepted_on = today - datetime.timedelta(
                        days=options["days"] - 1 - i * options["days"] // count
                    )
                    cases.append(self._case(rng, item, today, accepted_on, *rng.choice(desks)))
                Application.objects.bulk_create(apps_)
                for app, case in zip(apps_, cases, strict=True):
                    case.application = app
                    case.reference = app.reference or ""
                    case.applicant = applicant
                Case.objects.bulk_create(cases)
                if rating_model is not None:  # about a third of the decided cases are rated
                    rating_model.objects.bulk_create(
                        [
                            rating_model(
                                case=c,
                                applicant=applicant,
                                overall=score,
                                efficiency=score,
                                attitude=score,
                                guide_accuracy=score,
                                channel="online",
                                department_id=c.department_id,
                                item_id=c.item_id,
                                window_id=c.window_id,
                            )
                            for c in cases
                            if c.elapsed_days is not None and rng.random() < 0.33
                            for score in [rng.choice([5, 5, 5, 4, 4, 3, 2, 1])]
                        ]
                    )
            done += n
            filled = int(30 * done / count)
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{count} ({rate:.0f} 件/秒)", ending=""
            )
            self.stdout.flush()
        self.stdout.write(f"\n已生成 {done} 件，用时 {time.monotonic() - started:.1f} 秒")

    def _catalogue(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            dict(row)
            for row in Item.objects.filter(status=ItemStatus.PUBLISHED).values(
                "id", "department_id", "statutory_limit", "promised_limit", "limit_unit"
            )
        ]
        if items:
            return items
        for d in range(5):
            dept, _ = Department.objects.get_or_create(code=f"SEED-D{d}", defaults={"name": f"模拟部门{d}"})
            for k in range(4):
                statutory = random.choice([10, 15, 20, 30])  # noqa: S311 (simulated catalogue)
                Item.objects.get_or_create(
                    code=f"SEED-{d}-{k}",
                    defaults={
                        "name": f"模拟事项{d}-{k}",
                        "department": dept,
                        "status": ItemStatus.PUBLISHED,
                        "statutory_limit": statutory,
                        "promised_limit": statutory // 2,
                    },
                )
        return self._catalogue()

    def _case(
        self,
        rng: random.Random,
        item: dict[str, Any],
        today: datetime.date,
        accepted_on: datetime.date,
        window: Any,
        clerk: Any = None,
    ) -> Case:
        age = (today - accepted_on).days
        unit, promised, statutory = item["limit_unit"], item["promised_limit"], item["statutory_limit"]
        submitted_at = timezone.make_aware(datetime.datetime.combine(accepted_on, datetime.time(9)))
        kw: dict[str, Any] = dict(
            item_id=item["id"],
            department_id=item["department_id"],
            statutory_limit=statutory,
            promised_limit=promised,
            limit_unit=unit,
            window_id=window,
            clerk_id=clerk,
            submitted_at=submitted_at,
            received_on=accepted_on,
            answer_from=accepted_on,
            accepted_at=submitted_at,
            accepted_on=accepted_on,
            promised_due=_due(accepted_on, promised, unit),
            statutory_due=_due(accepted_on, statutory, unit),
        )
        roll = rng.random()
        # in flight until the promised due date (85 %); afterwards almost all concluded, a few late
        # ones still open in the last quarter, none older: running cases are the recent ones
        if kw["promised_due"] >= today:
            running = roll < 0.85
        else:
            running = age <= 90 and roll < 0.04
        if running:
            kw.update(state=rng.choice(RUNNING), current_step="审查", step_due=_due(accepted_on, 2, unit))
        elif roll < 0.99 or age <= 3:
            elapsed = max(0, int(rng.triangular(0, statutory + 3, max(promised - 1, 0))))
            concluded_on = _due(accepted_on, elapsed, unit)
            if concluded_on > today:
                concluded_on, elapsed = today, calendar.count_days(accepted_on, today, unit=unit)
            denied = rng.random() < 0.08
            kw.update(
                state=CaseState.DENIED if denied else rng.choice([CaseState.APPROVED, CaseState.DELIVERED]),
                outcome=Outcome.DENIED if denied else Outcome.APPROVED,
                concluded_on=concluded_on,
                concluded_at=timezone.make_aware(datetime.datetime.combine(concluded_on, datetime.time(15))),
                elapsed_days=elapsed,
            )
        else:
            concluded_on = min(today, accepted_on + datetime.timedelta(days=2))
            kw.update(
                state=CaseState.WITHDRAWN,
                outcome=Outcome.WITHDRAWN,
                concluded_on=concluded_on,
                concluded_at=timezone.make_aware(datetime.datetime.combine(concluded_on, datetime.time(11))),
            )
        return Case(**kw)
