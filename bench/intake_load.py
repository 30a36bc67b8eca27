"""Intake under load: gunicorn (2 sync workers, DEBUG=0) on PostgreSQL + Redis, 32 concurrent clients.

    python bench/intake_load.py                       # 32 clients, 60 s per endpoint
    python bench/intake_load.py --clients 8 --duration 10 --database-url postgres://postgres@127.0.0.1:5432/x

One command does everything: creates and migrates its own database (default
postgres://postgres@127.0.0.1:5432/bench_load; ``--fresh`` drops it first), loads the demo data, registers
``--citizens-per-client`` (4) citizens per client with API tokens, starts gunicorn on a free port with production settings
(DEBUG=0, that database, the cache and the Celery broker on Redis — no worker: the outbox rows and the
queued messages are the point) and drives it with ``--clients`` threads spread over ``--processes``
driver processes, each endpoint for ``--duration`` seconds, in this order:

1. bare POST  — ``POST /api/v1/bench/rows/``: token auth, a serializer, one INSERT (the baseline write)
2. intake     — ``POST /api/v1/applications/``: multipart with one PDF material for item FG-001:
                validation, the application, its material file, the reference counter, the case, its
                transition and history rows, the receipt notification and its outbox rows
3. bare GET   — ``GET /api/v1/bench/rows/<id>/``: token auth, one SELECT by key (the baseline read)
4. progress   — ``GET /api/v1/progress/?reference=…&phone=…`` over the references created in step 2
5. case list  — ``GET /api/v1/cases/`` as the citizen (their own cases, ~N×duration/clients of them)

It prints throughput ratios (goals: intake ≥ 0.3 × bare POST; progress and case list ≥ 0.5 × bare GET),
p50/p95 latencies, non-2xx responses and transport errors (goal: none), and checks that no row was lost:
every 201 application has exactly one application, case, ``submit`` transition and receipt notification
with its outbox deliveries, and the bare table holds exactly one row per 201. Exit status 1 on errors
or lost rows (``--strict``: 2 on a missed ratio). On a busy machine ``--rounds 4`` interleaves the endpoints
in four rounds of a quarter of ``--duration`` each, so background load falls on all of them alike;
``--conn-max-age 60`` runs the server with persistent database connections (production default: 0).
Figures and findings: docs/intake-performance.md.

Rate limits: every client applies as its own citizens in turn (the API's user throttles and the upload
limit of 60 an hour are per user); the progress query is limited per client address (10/min), so the bench server runs with ``API_NUM_PROXIES=1`` and each
progress request carries its own ``X-Forwarded-For`` address, as many citizens behind the proxy would.
No limit is raised. The bare endpoints exist only with ``BENCH_ENDPOINTS=1`` (portal/benchmarks/).

Gunicorn's sync workers (the production Dockerfile's) close the connection after each response, so
clients reconnect per request: the driver uses http.client, which does so. The driver's own CPU time is
printed per phase: it shares the machine with the server, so check that it is small beside the server's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_load"


def _pdf() -> bytes:
    """A real one-page PDF of about 2.5 kB (uploads are parsed since issue 17)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": "x" * 2000})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _pdf()
BOUNDARY = "benchBoundary7MA4YWxkTrZu0gW"
KINDS = ["bare_post", "intake", "bare_get", "progress", "cases"]
LABELS = {
    "bare_post": "bare POST",
    "intake": "intake POST",
    "bare_get": "bare GET",
    "progress": "progress query",
    "cases": "case list",
}


# --- the load driver (no Django here: it runs in separate processes) -------------------------------


@dataclass
class Target:
    """What one client needs to build its requests."""

    token: str
    intake_tokens: list[str] = field(default_factory=list)  # the citizens this client applies as, in turn
    item: str = ""
    material_key: str = ""
    row_ids: list[int] = field(default_factory=list)  # bare GET reads these in turn
    progress: list[tuple[str, str]] = field(default_factory=list)  # (reference, phone) pairs
    paths: list[str] = field(default_factory=list)  # kinds "get" / "post" (bench/web_ratios.py) cycle these


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    created: list[Any] = field(default_factory=list)  # ids (bare POST) or (reference, phone) (intake)
    cpu: float = 0.0

    def merge(self, other: Result) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.transport_errors += other.transport_errors
        self.error_samples += other.error_samples[: max(0, 5 - len(self.error_samples))]
        self.created += other.created
        self.cpu += other.cpu

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def bad(self) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 300)


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    out = []
    for name, value in fields.items():
        out.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, ctype) in files.items():
        out.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def _client(
    kind: str,
    host: str,
    port: int,
    target: Target,
    index: int,
    start_at: float,
    end_at: float,
    result: Result,
    lock: threading.Lock,
) -> None:
    auth = {"Authorization": f"Token {target.token}", "Accept": "application/json"}
    local = Result()
    if kind == "intake":
        body = _multipart(
            {"item": target.item, "form_data": json.dumps({"applicant_address": "青禾路1号"})},
            {target.material_key: ("备案信息表.pdf", PDF, "application/pdf")},
        )
        intake_headers = [
            {
                **auth,
                "Authorization": f"Token {token}",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            }
            for token in (target.intake_tokens or [target.token])
        ]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    n = 0
    request: tuple[str, str, str | bytes | None, dict[str, str]]
    while time.time() < start_at:
        time.sleep(0.005)
    while time.time() < end_at:
        n += 1
        if kind == "bare_post":
            request = (
                "POST",
                "/api/v1/bench/rows/",
                json.dumps({"note": f"c{index}-{n}"}),
                {**auth, "Content-Type": "application/json"},
            )
        elif kind == "intake":
            request = ("POST", "/api/v1/applications/", body, intake_headers[n % len(intake_headers)])
        elif kind == "bare_get":
            request = ("GET", f"/api/v1/bench/rows/{target.row_ids[n % len(target.row_ids)]}/", None, auth)
        elif kind == "progress":
            reference, phone = target.progress[n % len(target.progress)]
            query = urllib.parse.urlencode({"reference": reference, "phone": phone})
            # one address per request: many citizens behind the proxy (API_NUM_PROXIES=1 on the bench server)
            ip = f"10.{index % 256}.{(n // 256) % 256}.{n % 256}"
            request = (
                "GET",
                f"/api/v1/progress/?{query}",
                None,
                {"Accept": "application/json", "X-Forwarded-For": ip},
            )
        elif kind == "get":  # any GET (bench/web_ratios.py): the target's paths in turn, with its token
            request = ("GET", target.paths[n % len(target.paths)], None, auth)
        elif kind == "post":  # a bare JSON POST of one row to the target's first path
            request = (
                "POST",
                target.paths[0],
                json.dumps({"note": f"c{index}-{n}"}),
                {**auth, "Content-Type": "application/json"},
            )
        elif kind == "display":  # the hall's calling screen feed (bench/hall_load.py): public, no token
            request = ("GET", "/api/v1/hall/display/", None, {"Accept": "application/json"})
        else:
            request = ("GET", "/api/v1/cases/", None, auth)
        started = time.perf_counter()
        try:
            conn.request(*request)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            local.transport_errors += 1
            if len(local.error_samples) < 5:
                local.error_samples.append(f"{kind}: {type(exc).__name__}: {exc}")
            conn.close()
            continue
        local.latencies.append(time.perf_counter() - started)
        local.statuses[response.status] += 1
        if response.status == 201:
            data = json.loads(payload)
            local.created.append(data["id"] if kind in ("bare_post", "post") else data["reference"])
        elif not 200 <= response.status < 300 and len(local.error_samples) < 5:
            local.error_samples.append(f"{kind}: {response.status} {payload[:300]!r}")
        if response.will_close:
            conn.close()
    conn.close()
    with lock:
        result.merge(local)


def drive(
    kind: str, host: str, port: int, targets: list[tuple[int, Target]], start_at: float, end_at: float
) -> Result:
    """Run one thread per target from ``start_at`` to ``end_at`` (wall clock); their merged result."""
    result, lock = Result(), threading.Lock()
    cpu = time.process_time()
    threads = [
        threading.Thread(target=_client, args=(kind, host, port, t, i, start_at, end_at, result, lock))
        for i, t in targets
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.cpu = time.process_time() - cpu
    return result


def _drive_child(conn: Any, *args: Any) -> None:
    conn.send(drive(*args))
    conn.close()


def run_phase(
    kind: str, host: str, port: int, targets: list[Target], duration: float, processes: int
) -> Result:
    """``len(targets)`` concurrent clients for ``duration`` seconds, spread over ``processes`` driver
    processes (0: threads in this process)."""
    indexed = list(enumerate(targets))
    start_at = time.time() + 0.5 + 0.2 * processes
    end_at = start_at + duration
    if processes <= 0:
        return drive(kind, host, port, indexed, start_at, end_at)
    context = multiprocessing.get_context("fork")
    children = []
    for p in range(processes):
        parent_end, child_end = context.Pipe(duplex=False)
        proc = context.Process(
            target=_drive_child, args=(child_end, kind, host, port, indexed[p::processes], start_at, end_at)
        )
        proc.start()
        children.append((proc, parent_end))
    result = Result()
    for proc, pipe in children:
        result.merge(pipe.recv())
        proc.join()
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# --- the server and its data ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url: str, fresh: bool) -> None:
    # psycopg 3 (the project's driver; psycopg2 is not installed)
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        if fresh:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    admin.close()


def server_env(args: argparse.Namespace, media: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "CACHE_URL": args.cache_url,
            "CELERY_BROKER_URL": args.broker_url,
            "CONN_MAX_AGE": str(getattr(args, "conn_max_age", 0)),
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",  # the clients speak plain HTTP to gunicorn: no TLS proxy here
            "BENCH_ENDPOINTS": "1",
            "API_NUM_PROXIES": "1",
            "MEDIA_ROOT": str(media),
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijkl",
            "PII_ENCRYPTION_KEY": "bench-only-pii-key-not-for-production-9876543210",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    return env


def manage(env: dict[str, str], *argv: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def seed(count: int, item_code: str, per_client: int = 4) -> tuple[list[Target], dict[str, int]]:
    """``per_client`` citizens with a token per client (registered through the real service), who apply in
    turn: one citizen may send 60 uploads an hour (portal/ratelimits.py), and the bench raises no limit.
    The bench table emptied."""
    from django.db import connection

    from intake.models import Item, Material
    from portal.accounts.constants import ApplicantKind
    from portal.accounts.models import User
    from portal.accounts.services import api_token_issue, applicant_register
    from portal.benchmarks.models import BenchRow

    item = Item.objects.get(code=item_code)
    material = Material.objects.filter(item=item, mandatory=True).order_by("pk").first()
    assert material is not None, "the bench item needs a mandatory material"
    targets = []
    for i in range(count):
        tokens = []
        for j in range(per_client):
            n = i + j * count  # bench000 … bench031 first: the same first citizens as before
            username = f"bench{n:03d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = applicant_register(
                    username=username,
                    password=f"bench-{n}-pw-Xq7",
                    kind=ApplicantKind.PERSON,
                    real_name=f"压测{n}",
                    phone=f"137{n:08d}",
                )
            tokens.append(api_token_issue(user=user, device="bench")[0])
        targets.append(
            Target(
                token=tokens[0], intake_tokens=tokens, item=item.code, material_key=f"material_{material.pk}"
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {BenchRow._meta.db_table}")
    return targets, {"users": count * per_client}


class Server:
    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        log: Path,
        *,
        app: str = "portal.wsgi:application",
        cwd: Path = ROOT,
        ready_path: str = "/api/v1/auth/me/",
    ) -> None:
        self.port = free_port()
        self.log = log.open("wb")
        self.ready_path = ready_path
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
            ],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, token: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.ready_path, headers={"Authorization": f"Token {token}"})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer in time")

    def workers_cpu(self) -> float:
        """User + system CPU seconds of the worker processes so far."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return float("nan")
        for pid in children:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def progress_pairs(references: list[str]) -> list[tuple[str, str]]:
    """(reference, contact phone) of applications the bench created: what a citizen types in."""
    from intake.models import Application

    return list(
        (reference or "", phone)
        for reference, phone in Application.objects.filter(reference__in=references)
        .order_by("pk")
        .values_list("reference", "contact_phone")
    )


# --- verification -----------------------------------------------------------------------------------


def lost_rows(references: list[str], row_ids: list[int] | None, since: Any, user_ids: list[int]) -> list[str]:
    """Every problem found: a 201 without its rows, a row without its 201, a duplicate. ``row_ids``: the
    bare POSTs' ids (None: no bare endpoint was driven)."""
    from django.db.models import Count

    from approvals.models import Case, CaseTransition
    from intake.models import Application
    from portal.notifications.models import Delivery, Notification

    problems = []
    refs = set(references)
    if len(refs) != len(references):
        problems.append(f"{len(references) - len(refs)} references returned twice")

    def per_reference(qs: Any, key: str, label: str, expected: int = 1) -> None:
        counts = dict(qs.values_list(key).annotate(n=Count("pk")).values_list(key, "n"))
        missing = [r for r in refs if counts.get(r, 0) != expected]
        if missing:
            problems.append(
                f"{len(missing)} references without exactly {expected} {label}, e.g. {missing[:3]}"
            )

    refs_list = sorted(refs)
    per_reference(Application.objects.filter(reference__in=refs_list), "reference", "application")
    per_reference(Case.objects.filter(reference__in=refs_list), "reference", "case")
    per_reference(
        CaseTransition.objects.filter(case__reference__in=refs_list, name="submit"),
        "case__reference",
        "submit transition",
    )
    per_reference(
        Case.history.filter(reference__in=refs_list, history_type="+"), "reference", "history creation record"
    )
    receipts = Notification.objects.filter(case_reference__in=refs_list, event="application.received")
    per_reference(receipts, "case_reference", "receipt notification")
    # outbox: the inbox copy (sent) and the SMS (pending, queued on commit) for every receipt
    per_reference(
        Delivery.objects.filter(notification__in=receipts),
        "notification__case_reference",
        "outbox deliveries (inbox + SMS)",
        expected=2,
    )
    extra = Application.objects.filter(applicant_id__in=user_ids, created_at__gte=since).exclude(
        reference__in=refs_list
    )
    if extra.exists():
        problems.append(f"{extra.count()} applications stored without a 201 answer")
    if row_ids is not None:
        from portal.benchmarks.models import BenchRow

        stored = set(BenchRow._default_manager.values_list("pk", flat=True))
        if stored != set(row_ids) or len(row_ids) != len(set(row_ids)):
            problems.append(f"bare table holds {len(stored)} rows for {len(row_ids)} answers 201")
    return problems


# --- main -------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument(
        "--broker-url", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--citizens-per-client",
        type=int,
        default=4,
        help="citizens each client applies as in turn (each may upload 60 times an hour)",
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds per endpoint")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="split each endpoint's time into this many interleaved rounds (a noisy machine)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="CONN_MAX_AGE of the server (0, a connection per request, as in production)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--processes", type=int, default=2, help="driver processes sharing the clients")
    parser.add_argument(
        "--item", default="FG-001", help="catalogue item applied for (one mandatory material)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 2 when a ratio goal is missed")
    args = parser.parse_args()

    ensure_database(args.database_url, args.fresh)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = server_env(args, workdir / "media")
    print("migrating and loading the demo data …", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    os.environ.update(env)
    from common import setup_django

    setup_django()
    import redis
    from django.db import connections
    from django.utils import timezone

    from portal.accounts.models import User

    targets, _ = seed(args.clients, args.item, args.citizens_per_client)
    user_ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    broker = redis.Redis.from_url(args.broker_url)
    broker.delete("celery")  # the default queue; nothing consumes it during the bench
    since = timezone.now()
    connections.close_all()  # the driver processes are forked: no shared connection

    server = Server(env, args.workers, workdir / "gunicorn.log")
    try:
        server.wait(targets[0].token)
        host, port = "127.0.0.1", server.port
        print(
            f"gunicorn: {args.workers} workers on :{port}, {args.clients} clients, {args.duration:g} s per endpoint, "
            f"{args.processes} driver processes",
            flush=True,
        )
        run_phase("cases", host, port, targets, 2, args.processes)  # warm-up: imports, connections, caches
        phase = args.duration / args.rounds
        results = {kind: Result() for kind in KINDS}
        cpu = {kind: (0.0, 0.0) for kind in KINDS}
        for round_ in range(args.rounds):
            if args.rounds > 1:
                print(f" round {round_ + 1}/{args.rounds}")
            for kind in KINDS:
                if kind == "bare_get":
                    ids = results["bare_post"].created
                    for i, t in enumerate(targets):
                        t.row_ids = ids[i :: len(targets)] or ids[:1]
                if kind == "progress":
                    pairs = progress_pairs(results["intake"].created)
                    for i, t in enumerate(targets):
                        t.progress = pairs[i :: len(targets)] or pairs[:1]
                    connections.close_all()
                before = server.workers_cpu()
                result = run_phase(kind, host, port, targets, phase, args.processes)
                spent = (server.workers_cpu() - before, result.cpu)
                cpu[kind] = (cpu[kind][0] + spent[0], cpu[kind][1] + spent[1])
                results[kind].merge(result)
                print(
                    f"  {LABELS[kind]:<15} {result.requests / phase:8.1f} req/s  "
                    f"p95 {percentile(result.latencies, 95) * 1000:7.1f} ms  non-2xx {result.bad}  "
                    f"transport errors {result.transport_errors}  server CPU {spent[0]:.1f} s  "
                    f"driver CPU {spent[1]:.1f} s",
                    flush=True,
                )
                for sample in result.error_samples:
                    print(f"    {sample}")
    finally:
        server.stop()
    queued = broker.llen("celery")
    broker.delete("celery")
    problems = lost_rows(results["intake"].created, results["bare_post"].created, since, user_ids)
    return summary(args, results, cpu, problems, queued, workdir)


def summary(
    args: argparse.Namespace,
    results: dict[str, Result],
    cpu: dict[str, tuple[float, float]],
    problems: list[str],
    queued: int,
    workdir: Path,
) -> int:
    rate = {k: r.requests / args.duration for k, r in results.items()}
    lines: list[tuple[str, str, str, str]] = []
    ratio_ok = True

    def ratio(name: str, kind: str, base: str, goal: float) -> None:
        nonlocal ratio_ok
        value = rate[kind] / rate[base] if rate[base] else 0.0
        ok = value >= goal
        ratio_ok &= ok
        lines.append(
            (f"{name} / {LABELS[base]} throughput", f"{value:.2f}", f"≥ {goal:g}", "PASS" if ok else "FAIL")
        )

    for kind in KINDS:
        r = results[kind]
        lines.append(
            (
                f"{LABELS[kind]} throughput, p50 / p95",
                f"{rate[kind]:.1f}/s, {percentile(r.latencies, 50) * 1000:.0f} / "
                f"{percentile(r.latencies, 95) * 1000:.0f} ms",
                "",
                "",
            )
        )
    ratio("intake POST", "intake", "bare_post", 0.3)
    ratio("progress query", "progress", "bare_get", 0.5)
    ratio("case list", "cases", "bare_get", 0.5)
    bad = sum(r.bad for r in results.values())
    transport = sum(r.transport_errors for r in results.values())
    lines.append(("non-2xx responses", str(bad), "0", "PASS" if bad == 0 else "FAIL"))
    lines.append(("transport errors", str(transport), "0", "PASS" if transport == 0 else "FAIL"))
    created = len(results["intake"].created)
    lines.append(
        (
            f"lost rows ({created} applications, {len(results['bare_post'].created)} bare rows)",
            str(len(problems)),
            "0",
            "PASS" if not problems else "FAIL",
        )
    )
    # one task per submission (issue 19, fourth pass): it queues the receipt's SMS and tells the clerks
    lines.append(("tasks queued on Redis (receipt SMS + clerks)", str(queued), f"{created}", ""))
    server_cpu = sum(c[0] for c in cpu.values())
    driver_cpu = sum(c[1] for c in cpu.values())
    lines.append(("driver CPU / server workers CPU", f"{driver_cpu:.0f} s / {server_cpu:.0f} s", "", ""))
    width = max(len(line[0]) for line in lines)
    print()
    print(f"{'':<{width}}  {'value':<24} {'goal':<6} result")
    for name, value, goal, verdict in lines:
        print(f"{name:<{width}}  {value:<24} {goal:<6} {verdict}")
    for problem in problems:
        print(f"lost rows: {problem}")
    shutil.rmtree(workdir / "media", ignore_errors=True)
    print(f"(gunicorn log: {workdir / 'gunicorn.log'})")
    if bad or transport or problems:
        return 1
    return 2 if args.strict and not ratio_ok else 0


if __name__ == "__main__":
    sys.exit(main())
