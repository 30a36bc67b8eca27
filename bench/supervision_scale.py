"""Supervision at scale (issue #6): with many cases (default 1,000,000) on PostgreSQL, time

1. the alert scan (steady state: a scan after the first one, which raised the backlog),
2. the dashboard figures of a one-year cohort (the overall row and the per-department breakdown),
   with the figures rollup refreshed as the beat task keeps it (supervision/rollup.py),
3. the worklist first page (the open cases of one department by due date, 20 rows),
4. the dashboard page (``GET /supervision/``: this year's figures with the department, item and month
   breakdowns, last month's red and blue boards of departments and windows, overdue cases, alerts) and
   the monthly report (``GET /supervision/monthly-report.csv``) of last month and of this month, through
   the test client as the efficiency office (issue 19: through the figures rollup, a constant number of
   queries),

each as a ratio to ``SELECT count(*)`` over the cases table in the same run (goal: ≤ 2×).
Run it at 250,000 / 500,000 / 1,000,000 cases (``--count``; the missing cases are added each time):
the ratios staying flat is the claim of docs/scaling.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_super python bench/supervision_scale.py --count 1000000

Missing cases are seeded first with ``manage.py seed_cases`` (batched). Notifications of the first
scan's backlog are not sent (notify is replaced by a no-op): the bench measures the scan itself.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, setup_django, timed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="cases in the table (seeded if fewer)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--goal", type=float, default=2.0)
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from approvals.constants import RUNNING_STATES
    from approvals.models import Case
    from supervision.figures import figures_many
    from supervision.services import alert_scan

    if connection.vendor != "postgresql":
        print(f"warning: running on {connection.vendor}; the goal is stated for PostgreSQL", file=sys.stderr)
    call_command("migrate", verbosity=0)  # a new database: the schema first
    _desks()  # the windows and clerks the seeded cases are accepted at (the window and clerk figures)
    have = Case.objects.count()
    if have < args.count:
        print(f"seeding {args.count - have} cases …")
        call_command("seed_cases", "--count", str(args.count - have), "--batch-size", "10000")
        print()
    # the figures rollup, as the beat task keeps it (the first refresh takes in the whole backlog)
    from supervision.rollup import refresh

    started = time.perf_counter()
    result = refresh()
    print(
        f"figures rollup refresh: {result.cases} cases, {result.ratings} ratings, {result.keys} keys "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                Case._meta.db_table,
                "complaints_rating",
                "supervision_figurerollup",
                "supervision_deskfigurerollup",
            ):
                cursor.execute(
                    f"VACUUM ANALYZE {table}"
                )  # as autovacuum would: index-only scans need the visibility map
    total = Case.objects.count()
    print(f"cases: {total}")

    table = Case._meta.db_table

    def count_all() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            cursor.fetchone()

    now = timezone.now()
    today = timezone.localdate(now)
    year_ago = today - datetime.timedelta(days=365)

    with mock.patch("supervision.services.notify", lambda **kw: []):
        first = alert_scan(now=now)
        print(f"first scan raised {first.raised}, closed {first.closed}")
        if connection.vendor == "postgresql":  # as autovacuum would after the backlog was raised
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE supervision_alert")

        def scan() -> None:
            alert_scan(now=now)

        def cohort() -> None:
            # the headline figures of the one-year cohort (supervision_report / API without --by)
            figures_many(accepted_from=year_ago, accepted_to=today, as_of=now)

        def cohort_by_department() -> None:
            figures_many(accepted_from=year_ago, accepted_to=today, as_of=now, by=["department"])

        def cohort_dashboard() -> None:
            # the dashboard's headline row with the department, item and month breakdowns (one grouped query)
            figures_many(
                accepted_from=year_ago, accepted_to=today, as_of=now, by=["department", "item", "month"]
            )

        dept_id = (
            Case.objects.filter(state__in=list(RUNNING_STATES))
            .values_list("department_id", flat=True)
            .first()
        )

        worklist_selector: Callable[..., Any] | None
        try:  # the approvals worklist selector, as a reviewer of that department sees it
            from approvals.selectors import case_list as worklist_selector
            from portal.accounts.constants import Role
            from portal.accounts.models import User

            reviewer, _ = User.objects.get_or_create(
                username="bench-reviewer", defaults={"department_id": dept_id}
            )
            from django.contrib.auth.models import Group

            reviewer.groups.add(Group.objects.get_or_create(name=Role.REVIEWER)[0])
        except ImportError:
            worklist_selector = None

        def worklist() -> None:
            # the department worklist's first page: open cases of one department, soonest due first
            if worklist_selector is not None:
                qs = worklist_selector(user=User.objects.get(pk=reviewer.pk), filters={"sort": "due"})
                list(qs.filter(state__in=list(RUNNING_STATES))[:20])
                return
            qs = Case.objects.filter(state__in=list(RUNNING_STATES), department_id=dept_id or 0)
            list(qs.select_related("item", "holder").order_by("promised_due", "id")[:20])

        baseline = timed(count_all, repeat=args.repeat)
        ok = True
        ok &= report("alert scan", timed(scan, repeat=args.repeat), baseline, goal=args.goal)
        ok &= report("one-year cohort figures", timed(cohort, repeat=args.repeat), baseline, goal=args.goal)
        # for information: the breakdowns (not part of the goal)
        report("  … by department", timed(cohort_by_department, repeat=args.repeat), baseline)
        report(
            "  … dashboard bundle (overall + department/item/month)",
            timed(cohort_dashboard, repeat=args.repeat),
            baseline,
        )
        ok &= report("worklist first page", timed(worklist, repeat=args.repeat), baseline, goal=args.goal)
        ok &= _pages(baseline, args)
    return 0 if ok else 1


def _desks() -> None:
    """Eight windows, each with its clerk (seed_cases spreads the cases over them)."""
    from django.contrib.auth.models import Group

    from portal.accounts.constants import Role
    from portal.accounts.models import User, Window

    clerks = Group.objects.get_or_create(name=Role.CLERK)[0]
    for n in range(1, 9):
        Window.objects.get_or_create(number=n, defaults={"name": f"综合受理{n}"})
        user, _ = User.objects.get_or_create(
            username=f"bench-clerk-{n}", defaults={"real_name": f"受理员{n}"}
        )
        user.groups.add(clerks)


def _pages(baseline: float, args: argparse.Namespace) -> bool:
    """The dashboard page and the monthly report through the test client, as the efficiency office."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal.accounts.constants import Role
    from portal.accounts.models import User

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' static manifest (DEBUG=0)
    inspector, _ = User.objects.get_or_create(username="bench-inspector", defaults={"real_name": "效能办"})
    inspector.groups.add(Group.objects.get_or_create(name=Role.INSPECTOR)[0])
    client = Client(HTTP_HOST="localhost")
    client.force_login(inspector)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    pages = [
        ("dashboard page", "/supervision/"),
        (f"monthly report {last_month} (csv)", f"/supervision/monthly-report.csv?month={last_month}"),
        (f"monthly report {last_month} (xlsx)", f"/supervision/monthly-report.xlsx?month={last_month}"),
        ("monthly report this month (csv)", "/supervision/monthly-report.csv"),
    ]
    ok = True
    for name, url in pages:

        def get(url: str = url) -> None:
            response = client.get(url, secure=True)  # DEBUG off redirects plain HTTP to HTTPS
            assert response.status_code == 200, (url, response.status_code)

        with CaptureQueriesContext(connection) as ctx:
            get()
        ok &= report(
            f"{name} [{len(ctx.captured_queries)} queries]",
            timed(get, repeat=args.repeat),
            baseline,
            goal=args.goal,
        )
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
