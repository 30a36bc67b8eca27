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
from django.db import connection, transaction
from django.utils import timezone

from approvals.constants import CaseState, Outcome
from approvals.models import Case
from approvals.models.case import new_link_secret
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


def _rating(model: Any, case: Case, score: int) -> Any:
    return model(
        case=case,
        applicant_id=case.applicant_id,
        overall=score,
        efficiency=score,
        attitude=score,
        guide_accuracy=score,
        channel="online",
        department_id=case.department_id,
        item_id=case.item_id,
        window_id=case.window_id,
        clerk_id=case.clerk_id,
        accepted_on=case.accepted_on,
    )


class _Copier:
    """The PostgreSQL path: rows written with COPY, ids taken from the tables' sequences beforehand.

    Building a model instance per row and compiling a multi-row INSERT cost ≈ 4/5 of the seeding time;
    here each table's column defaults are computed once (from an unsaved instance) and a row is a tuple
    of the template with the seeded values put in. No signals and no history rows, as with bulk_create.
    """

    def __init__(self) -> None:
        self.now = timezone.now()
        self.tables: dict[Any, tuple[list[str], list[str], list[Any]]] = {}

    def _template(self, model: Any) -> tuple[list[str], list[str], list[Any]]:
        if model not in self.tables:
            instance = model()
            fields = [f for f in model._meta.concrete_fields]
            values = []
            for f in fields:
                value = getattr(instance, f.attname)
                if value is None and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
                    value = self.now
                values.append(f.get_db_prep_save(value, connection))
            self.tables[model] = ([f.attname for f in fields], [f.column for f in fields], values)
        return self.tables[model]

    def _ids(self, model: Any, n: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, n],
            )
            return [row[0] for row in cursor.fetchall()]

    def _copy(self, model: Any, rows: list[dict[str, Any]], **per_row: Any) -> list[int]:
        attnames, columns, template = self._template(model)
        ids = self._ids(model, len(rows))
        position = {name: k for k, name in enumerate(attnames)}
        fields = {f.attname: f for f in model._meta.concrete_fields}
        prepared: dict[str, Any] = {}  # JSON values: adapted once per distinct field
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"  # noqa: S608 (model metadata)
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = list(template)
                values[position["id"]] = pk
                for name, value in row.items():
                    if isinstance(value, dict):
                        if name not in prepared:
                            prepared[name] = fields[name].get_db_prep_save(value, connection)
                        value = prepared[name]
                    values[position[name]] = value
                if "link_secret" in position:
                    values[position["link_secret"]] = new_link_secret()
                copy.write_row(values)
        return ids

    def write(
        self,
        apps_: list[dict[str, Any]],
        cases: list[dict[str, Any]],
        ratings: list[tuple[int, int]],
        applicant: int,
        rating_model: Any,
    ) -> None:
        app_ids = self._copy(Application, apps_)
        for app_id, app, case in zip(app_ids, apps_, cases, strict=True):
            case.update(application_id=app_id, reference=app["reference"], applicant_id=applicant)
        case_ids = self._copy(Case, cases)
        if rating_model is not None and ratings:
            rows = []
            for k, score in ratings:
                c = cases[k]
                rows.append(
                    dict(
                        case_id=case_ids[k],
                        applicant_id=applicant,
                        overall=score,
                        efficiency=score,
                        attitude=score,
                        guide_accuracy=score,
                        channel="online",
                        department_id=c["department_id"],
                        item_id=c["item_id"],
                        window_id=c["window_id"],
                        clerk_id=c["clerk_id"],
                        accepted_on=c["accepted_on"],
                    )
                )
            self._copy(rating_model, rows)


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
        copy = _Copier() if connection.vendor == "postgresql" else None
        while done < count:
            n = min(batch, count - done)
            with transaction.atomic():
                apps_, cases = [], []
                for i in range(done, done + n):
                    item = rng.choice(items)
                    apps_.append(
                        dict(
                            reference=f"SD{token}-{i:09d}",
                            item_id=item["id"],
                            applicant_id=applicant.pk,
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
                ratings = []
                if rating_model is not None:  # about a third of the decided cases are rated
                    ratings = [
                        (k, score)
                        for k, c in enumerate(cases)
                        if c.get("elapsed_days") is not None and rng.random() < 0.33
                        for score in [rng.choice([5, 5, 5, 4, 4, 3, 2, 1])]
                    ]
                if copy is not None:
                    copy.write(apps_, cases, ratings, applicant.pk, rating_model)
                else:
                    self._bulk_create(apps_, cases, ratings, applicant, rating_model)
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
    ) -> dict[str, Any]:
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
        return kw

    def _bulk_create(
        self,
        apps_: list[dict[str, Any]],
        cases: list[dict[str, Any]],
        ratings: list[tuple[int, int]],
        applicant: User,
        rating_model: Any,
    ) -> None:
        """The portable path (SQLite in the tests): model instances and bulk_create."""
        applications = Application.objects.bulk_create([Application(**a) for a in apps_])
        objs = [
            Case(**c, application=app, reference=app.reference or "", applicant=applicant)
            for app, c in zip(applications, cases, strict=True)
        ]
        Case.objects.bulk_create(objs)
        if rating_model is not None:
            rating_model.objects.bulk_create([_rating(rating_model, objs[k], score) for k, score in ratings])
