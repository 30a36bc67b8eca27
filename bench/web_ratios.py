"""Web throughput ratios in one run (issue 19): the portal against a bare Django + DRF reference app.

    python bench/web_ratios.py --database-url postgres://postgres@127.0.0.1:5432/bench_web \\
        --ref-database-url postgres://postgres@127.0.0.1:5432/bench_ref --duration 10 --rounds 2

Both run under gunicorn (``--workers`` sync workers, the same command line) on the same PostgreSQL server,
with production settings as shipped (DEBUG=0, persistent health-checked connections, the cache and the
broker on Redis): the reference app is bench/reference_app.py (Django's default middleware, one model,
DRF token auth). ``--clients`` concurrent clients (bench/intake_load.py's driver: Python threads in
``--processes`` processes, a new connection per request as gunicorn's sync workers close it) drive each
endpoint for ``--duration`` seconds, split into ``--rounds`` interleaved rounds so that background load on
a shared machine falls on every endpoint alike. Requests per second, then the ratios and their goals:

- portal bare GET (``BENCH_ENDPOINTS``: token auth, one SELECT by key) ≥ 0.9 × the reference bare GET;
- the public catalogue — ``GET /api/v1/items/``, the list page ``/items/``, an item's page
  ``/items/<code>/`` and its printable notice — each ≥ 0.9 × the portal bare GET;
- the progress query and the citizen's case list ≥ 0.5 × the portal bare GET;
- intake POST (multipart with a PDF) ≥ 0.3 × the portal bare POST.

Exit status 1 on non-2xx answers or transport errors, 2 with ``--strict`` when a goal is missed. The
driver shares the machine with the servers: its CPU time is printed beside theirs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake_load import (  # noqa: E402
    Result,
    Server,
    Target,
    ensure_database,
    manage,
    percentile,
    progress_pairs,
    run_phase,
    seed,
    server_env,
)

BENCH = Path(__file__).resolve().parent

# phase → (label, server, driver kind)
PHASES = {
    "ref_post": ("reference bare POST", "ref", "post"),
    "ref_get": ("reference bare GET", "ref", "get"),
    "bare_post": ("portal bare POST", "portal", "bare_post"),
    "intake": ("intake POST", "portal", "intake"),
    "bare_get": ("portal bare GET", "portal", "bare_get"),
    "items_api": ("GET /api/v1/items/", "portal", "get"),
    "items_page": ("catalogue page /items/", "portal", "get"),
    "item_page": ("item page /items/<code>/", "portal", "get"),
    "notice_page": ("notice /items/<code>/notice/", "portal", "get"),
    "progress": ("progress query", "portal", "progress"),
    "cases": ("case list", "portal", "cases"),
}
# (phase, baseline phase, goal: phase ≥ goal × baseline)
GOALS = [
    ("bare_get", "ref_get", 0.9),
    ("items_api", "bare_get", 0.9),
    ("items_page", "bare_get", 0.9),
    ("item_page", "bare_get", 0.9),
    ("notice_page", "bare_get", 0.9),
    ("progress", "bare_get", 0.5),
    ("cases", "bare_get", 0.5),
    ("intake", "bare_post", 0.3),
    ("bare_post", "ref_post", None),  # for information
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_web")
    parser.add_argument("--ref-database-url", default="postgres://postgres@127.0.0.1:5432/bench_ref")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10, help="seconds per endpoint (all rounds)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--item", default="FG-001")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument(
        "--citizens-per-client",
        type=int,
        default=16,
        help="citizens each client submits for in turn: one may send 60 uploads an hour (portal/ratelimits.py), "
        "and on a quiet machine 4 a client met that limit within a run (answers 429)",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="reuse the portal's database as the last run left it (default: a new one, so that runs compare: "
        "the intake phase adds cases to the bench citizens, whose case list and progress the next run reads)",
    )
    args = parser.parse_args()

    ensure_database(args.database_url, fresh=not args.keep_database)
    ensure_database(args.ref_database_url, fresh=False)
    if not args.keep_database:
        import redis

        # the last run's rate-limit counters (the same bench citizens: 60 uploads an hour each), cached
        # catalogue and queued tasks belong to the database just dropped
        for url in (args.cache_url, args.broker_url):
            redis.Redis.from_url(url).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    args.conn_max_age = 0  # server_env reads it; removed below: the production default applies
    env = server_env(args, workdir / "media")
    env.pop("CONN_MAX_AGE")
    print("migrating and loading the demo data …", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput")  # the pages' static manifest (DEBUG=0)
    ref_env = {**env, "REF_DATABASE_URL": args.ref_database_url}
    ref_env.pop("DJANGO_SETTINGS_MODULE")
    out = subprocess.run(
        [sys.executable, "-c", "import reference_app; t, ids = reference_app.setup(); print(t)"],
        cwd=BENCH,
        env=ref_env,
        check=True,
        capture_output=True,
        text=True,
    )
    ref_token = out.stdout.strip().splitlines()[-1]
    os.environ.update(env)
    from common import setup_django

    setup_django()
    import redis
    from django.db import connections

    from intake.constants import ItemStatus
    from intake.models import Item

    targets, _ = seed(args.clients, args.item, args.citizens_per_client)
    codes = list(
        Item.objects.filter(status=ItemStatus.PUBLISHED).order_by("code").values_list("code", flat=True)
    )
    ref_targets = [Target(token=ref_token, paths=["/api/rows/"]) for _ in targets]
    connections.close_all()  # the driver processes are forked: no shared connection

    portal = Server(env, args.workers, workdir / "gunicorn.log")
    ref = Server(
        ref_env,
        args.workers,
        workdir / "gunicorn-ref.log",
        app="reference_app:application",
        cwd=BENCH,
        ready_path="/api/rows/1/",
    )
    results = {phase: Result() for phase in PHASES}
    cpu = {phase: [0.0, 0.0] for phase in PHASES}
    try:
        portal.wait(targets[0].token)
        ref.wait(ref_token)
        servers = {"portal": portal, "ref": ref}
        print(
            f"gunicorn: {args.workers} workers each (portal :{portal.port}, reference :{ref.port}), "
            f"{args.clients} clients, {args.duration:g} s per endpoint in {args.rounds} rounds",
            flush=True,
        )
        # warm-up: imports, connections, caches
        run_phase("cases", "127.0.0.1", portal.port, targets, 2, args.processes)
        # every catalogue URL measured below, each client from its own place in the list, so that each
        # page's body is in the cache as on a server that has been up for a while (the demo load mints a
        # new catalogue version: without this a phase pays for building the pages it visits first)
        catalogue = (
            ["/api/v1/items/", "/items/"]
            + [f"/items/{c}/" for c in codes]
            + [f"/items/{c}/notice/" for c in codes]
        )
        for i, t in enumerate(targets):
            start = i * 3 % len(catalogue)
            t.paths = catalogue[start:] + catalogue[:start]
        run_phase("get", "127.0.0.1", portal.port, targets, 3, args.processes)
        run_phase("post", "127.0.0.1", ref.port, ref_targets, 1, args.processes)
        phase_time = args.duration / args.rounds
        for round_ in range(args.rounds):
            print(f" round {round_ + 1}/{args.rounds}", flush=True)
            for phase, (label, which, kind) in PHASES.items():
                server = servers[which]
                drive = _targets(phase, targets, ref_targets, results, codes)
                before = server.workers_cpu()
                result = run_phase(kind, "127.0.0.1", server.port, drive, phase_time, args.processes)
                spent = server.workers_cpu() - before
                cpu[phase][0] += spent
                cpu[phase][1] += result.cpu
                results[phase].merge(result)
                print(
                    f"  {label:<30} {result.requests / phase_time:8.1f} req/s  "
                    f"p95 {percentile(result.latencies, 95) * 1000:7.1f} ms  non-2xx {result.bad}  "
                    f"transport errors {result.transport_errors}  server CPU {spent:.1f} s  "
                    f"driver CPU {result.cpu:.1f} s",
                    flush=True,
                )
                for sample in result.error_samples:
                    print(f"    {sample}")
    finally:
        portal.stop()
        ref.stop()
    redis.Redis.from_url(args.broker_url).delete("celery")
    return _summary(args, results, cpu, workdir)


def _targets(
    phase: str, targets: list[Target], ref_targets: list[Target], results: dict[str, Result], codes: list[str]
) -> list[Target]:
    """The clients of one phase, their paths or ids set from what the former phases created."""
    if phase == "ref_post":
        for t in ref_targets:
            t.paths = ["/api/rows/"]
        return ref_targets
    if phase == "ref_get":
        ids = results["ref_post"].created
        for i, t in enumerate(ref_targets):
            t.paths = [f"/api/rows/{pk}/" for pk in (ids[i :: len(ref_targets)] or ids[:1])]
        return ref_targets
    if phase == "bare_get":
        ids = results["bare_post"].created
        for i, t in enumerate(targets):
            t.row_ids = ids[i :: len(targets)] or ids[:1]
    elif phase == "progress":
        pairs = progress_pairs(results["intake"].created)
        from django.db import connections

        connections.close_all()
        for i, t in enumerate(targets):
            t.progress = pairs[i :: len(targets)] or pairs[:1]
    paths = {
        "items_api": ["/api/v1/items/"],
        "items_page": ["/items/"],
        "item_page": [f"/items/{c}/" for c in codes],
        "notice_page": [f"/items/{c}/notice/" for c in codes],
    }.get(phase)
    if paths:
        for i, t in enumerate(targets):
            t.paths = paths[i % len(paths) :] + paths[: i % len(paths)]
    return targets


def _summary(
    args: argparse.Namespace, results: dict[str, Result], cpu: dict[str, list[float]], workdir: Path
) -> int:
    rate = {phase: r.requests / args.duration for phase, r in results.items()}
    print()
    print(f"{'endpoint':<32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'server CPU ms/req':>18}")
    for phase, (label, _which, _kind) in PHASES.items():
        r = results[phase]
        per = cpu[phase][0] / r.requests * 1000 if r.requests else float("nan")
        print(
            f"{label:<32} {rate[phase]:8.1f} {percentile(r.latencies, 50) * 1000:8.1f} "
            f"{percentile(r.latencies, 95) * 1000:8.1f} {per:18.1f}"
        )
    print()
    # requests per CPU-second of the server's workers: what the endpoint costs, less sensitive than the
    # throughput to other load on a shared machine (the database's CPU is not in it)
    per_cpu = {
        phase: results[phase].requests / cpu[phase][0] if cpu[phase][0] > 0 else 0.0 for phase in PHASES
    }
    missed = 0
    print(f"{'ratio':<55} {'throughput':>10} {'per worker CPU':>15}  goal (on throughput)")
    for phase, base, goal in GOALS:
        ratio = rate[phase] / rate[base] if rate[base] else 0.0
        cpu_ratio = per_cpu[phase] / per_cpu[base] if per_cpu[base] else 0.0
        verdict = ""
        if goal is not None:
            ok = ratio >= goal
            missed += not ok
            verdict = f"≥ {goal:g}: {'MET' if ok else 'MISSED'} (per CPU: {'met' if cpu_ratio >= goal else 'missed'})"
        name = f"{PHASES[phase][0]} / {PHASES[base][0]}"
        print(f"{name:<55} {ratio:10.2f} {cpu_ratio:15.2f}  {verdict}")
    bad = sum(r.bad for r in results.values())
    transport = sum(r.transport_errors for r in results.values())
    driver = sum(c[1] for c in cpu.values())
    server = sum(c[0] for c in cpu.values())
    print(
        f"\nnon-2xx {bad}, transport errors {transport}; driver CPU {driver:.0f} s, servers' CPU {server:.0f} s"
    )
    print(f"(gunicorn logs in {workdir})")
    if bad or transport:
        return 1
    return 2 if args.strict and missed else 0


if __name__ == "__main__":
    started = time.time()
    code = main()
    print(f"({time.time() - started:.0f} s)")
    sys.exit(code)
