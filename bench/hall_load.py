"""The service hall under load (issue 20): a day of 10,000 numbers issued, called and finished, and the
calling screen's feed under 32 concurrent readers against the bare GET of bench/intake_load.py.

1. A simulated day, in this process, through the services (hall/services.py) on PostgreSQL: 10,000
   arrivals spread over 08:30–17:00 (four business types), seven windows whose clerks call the next
   number whenever they are free and finish it after 10–30 simulated seconds; the clock is moved with
   time-machine. Checked: every number issued once (A0001 … never twice), every one called exactly
   once and finished, none lost; reported: wall time per operation and the figures of the day
   (hall.selectors.hall_figures) with the time they take.
2. gunicorn with 2 sync workers as in production (the same server as bench/intake_load.py), today's hall
   busy (300 waiting numbers, a call on each window); 32 clients read GET /api/v1/hall/display/ and, in
   turn, the bare GET (token auth, one SELECT by key). Goal: display ≥ 0.5 × the bare GET's throughput.

    .venv/bin/python bench/hall_load.py --database-url postgres://postgres@127.0.0.1:5432/<db>
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake_load import (  # noqa: E402
    DEFAULT_DB,
    Result,
    Server,
    ensure_database,
    manage,
    percentile,
    run_phase,
    seed,
    server_env,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 10, 12)  # a Monday after the National Day holiday (chinesecalendar)


def simulate_day(tickets: int, seed_value: int = 20) -> int:
    import time_machine
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from hall import services
    from hall.constants import CallAction, TicketState
    from hall.models import BusinessType, CallRecord, Ticket
    from hall.selectors import hall_figures
    from portal.accounts.constants import Role
    from portal.accounts.models import User, Window
    from portal.exceptions import ConflictError

    rng = random.Random(seed_value)
    Ticket.objects.filter(date=DAY).delete()
    types = list(BusinessType.objects.filter(is_active=True))
    windows = list(Window.objects.filter(hall_groups__is_active=True).distinct().order_by("number"))
    clerk_group, _ = Group.objects.get_or_create(name=Role.CLERK)
    clerks = {}
    for w in windows:
        clerk, _ = User.objects.get_or_create(username=f"hallbench_w{w.number}", defaults={"window": w})
        clerk.window = w
        clerk.save(update_fields=["window"])
        clerk.groups.add(clerk_group)
        clerks[w.pk] = clerk
    start = datetime.datetime.combine(DAY, datetime.time(8, 30), tzinfo=TZ)
    span = 8.5 * 3600
    arrivals = sorted(start + datetime.timedelta(seconds=rng.uniform(0, span)) for _ in range(tickets))
    free_at = {w.pk: start for w in windows}
    timings = {"issue": 0.0, "call": 0.0, "finish": 0.0, "empty": 0.0}
    counts = {"issue": 0, "call": 0, "finish": 0, "empty": 0}

    def serve(now: datetime.datetime) -> None:
        for w in windows:
            if free_at[w.pk] > now:
                continue
            t0 = time.perf_counter()
            try:
                ticket = services.ticket_call_next(window=w, actor=clerks[w.pk])
            except ConflictError:  # nobody waiting for this window: timed apart
                counts["empty"] += 1
                timings["empty"] += time.perf_counter() - t0
                continue
            timings["call"] += time.perf_counter() - t0
            counts["call"] += 1
            done = now + datetime.timedelta(seconds=rng.uniform(10, 30))
            traveller.move_to(done)
            t0 = time.perf_counter()
            services.ticket_finish(ticket=ticket, actor=clerks[w.pk])
            timings["finish"] += time.perf_counter() - t0
            counts["finish"] += 1
            traveller.move_to(now)
            free_at[w.pk] = done

    wall = time.perf_counter()
    with time_machine.travel(start, tick=False) as traveller:
        for at in arrivals:
            traveller.move_to(at)
            serve(at)
            t0 = time.perf_counter()
            services.ticket_issue(business_type=rng.choice(types))
            timings["issue"] += time.perf_counter() - t0
            counts["issue"] += 1
        now = arrivals[-1]
        day_end = datetime.datetime.combine(DAY, datetime.time(23, 59), tzinfo=TZ)
        # (numbers still waiting at midnight stay unserved: call-next serves only the current day)
        while now < day_end and Ticket.objects.filter(date=DAY, state=TicketState.WAITING).exists():
            now = (
                min(free_at.values()) if min(free_at.values()) > now else now + datetime.timedelta(seconds=5)
            )
            traveller.move_to(now)
            serve(now)
    wall = time.perf_counter() - wall
    numbers = Ticket.objects.filter(date=DAY).values("business_type", "seq")
    issued = numbers.count()
    distinct = numbers.distinct().count()
    called_twice = (
        CallRecord.objects.filter(ticket__date=DAY, action=CallAction.CALL)
        .values("ticket")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    finished = Ticket.objects.filter(date=DAY, state=TicketState.FINISHED).count()
    print(f"simulated day {DAY}: {tickets} arrivals, {len(windows)} windows, {wall:.1f} s wall", flush=True)
    for op in ("issue", "call", "finish", "empty"):
        n = max(counts[op], 1)
        print(f"  {op:<7} {counts[op]:6d} × {timings[op] / n * 1000:6.2f} ms")
    t0 = time.perf_counter()
    rows = hall_figures(date_from=DAY, date_to=DAY)
    figures_s = time.perf_counter() - t0
    print(f"  figures of the day: {len(rows)} rows in {figures_s * 1000:.0f} ms")
    for r in rows:
        print(
            f"    window {r.window}: {r.tickets} called, mean wait {r.mean_wait_minutes} min, "
            f"p90 {r.p90_wait_minutes} min, over 30 min {r.over_30_share}, service {r.mean_service_minutes} min"
        )
    problems = []
    if issued != tickets or distinct != issued:
        problems.append(f"issued {issued}, distinct numbers {distinct}, expected {tickets}")
    if called_twice:
        problems.append(f"{called_twice} numbers called twice")
    unserved = Ticket.objects.filter(date=DAY, state=TicketState.WAITING).count()
    if unserved:
        print(f"  {unserved} numbers still waiting at the end of the day (not lost: never called)")
    if finished + unserved != tickets:
        problems.append(f"{tickets - finished - unserved} numbers lost")
    for p in problems:
        print(f"  PROBLEM: {p}")
    return len(problems)


def busy_today(waiting: int = 300) -> None:
    from hall import services
    from hall.models import BusinessType
    from portal.accounts.models import User
    from portal.exceptions import ConflictError

    types = list(BusinessType.objects.filter(is_active=True))
    for i in range(waiting):
        services.ticket_issue(business_type=types[i % len(types)])
    for clerk in User.objects.filter(username__startswith="hallbench_w").select_related("window"):
        if clerk.window is None:
            continue
        try:
            services.ticket_call_next(window=clerk.window, actor=clerk)
        except ConflictError:
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument(
        "--broker-url", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--tickets", type=int, default=10_000, help="numbers issued in the simulated day")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30, help="seconds per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--strict", action="store_true", help="exit 2 when the ratio goal is missed")
    args = parser.parse_args()
    args.conn_max_age = 0

    ensure_database(args.database_url, args.fresh)
    workdir = Path(tempfile.mkdtemp(prefix="bench-hall-"))
    env = server_env(args, workdir / "media")
    print("migrating and loading the demo data …", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    os.environ.update(env)
    from common import setup_django

    setup_django()
    from django.db import connections

    from portal.accounts.models import User
    from portal.benchmarks.models import BenchRow

    problems = simulate_day(args.tickets)
    busy_today()
    targets, _ = seed(args.clients, "FG-001", 1)
    owner = User.objects.get(username="bench000")
    rows = BenchRow._default_manager
    ids = [rows.create(owner=owner, note=f"row{i}").pk for i in range(args.clients * 4)]
    for i, t in enumerate(targets):
        t.row_ids = ids[i :: len(targets)]
    connections.close_all()  # the driver processes are forked

    server = Server(env, args.workers, workdir / "gunicorn.log")
    results = {"bare_get": Result(), "display": Result()}
    try:
        server.wait(targets[0].token)
        host, port = "127.0.0.1", server.port
        run_phase("display", host, port, targets, 2, args.processes)  # warm-up
        for round_ in range(args.rounds):
            for kind in ("bare_get", "display"):
                result = run_phase(kind, host, port, targets, args.duration, args.processes)
                results[kind].merge(result)
                print(
                    f"  round {round_ + 1} {kind:<9} {result.requests / args.duration:8.1f} req/s  "
                    f"p95 {percentile(result.latencies, 95) * 1000:7.1f} ms  non-2xx {result.bad}  "
                    f"transport errors {result.transport_errors}",
                    flush=True,
                )
                for sample in result.error_samples:
                    print(f"    {sample}")
    finally:
        server.stop()
    total = args.duration * args.rounds
    bare = results["bare_get"].requests / total
    display = results["display"].requests / total
    ratio = display / bare if bare else float("nan")
    ok = ratio >= 0.5
    print(
        f"display {display:.1f} req/s vs bare GET {bare:.1f} req/s = {ratio:.2f}×  goal ≥ 0.5×: {'OK' if ok else 'MISSED'}"
    )
    errors = sum(r.bad + r.transport_errors for r in results.values())
    if problems or errors:
        return 1
    return 2 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
