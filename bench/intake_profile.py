"""Where an online submission's CPU goes (issue 19), in process and deterministic enough to compare trees.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_prof CACHE_URL=redis://127.0.0.1:6379/14 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 python bench/intake_profile.py --batches 7 --batch 20

The bench's intake request (bench/intake_load.py: multipart with the 2.5 kB PDF for item FG-001, through
the API with a token) and its bare POST, both through Django's WSGI handler (the test client) with
production settings (DEBUG=0, the Redis cache and broker, persistent connections), run in batches; the
process CPU time per request is the minimum over the batches (the least disturbed by other load on the
machine). Then the queries of one submission, and with ``--profile N`` a cProfile of N submissions
(cumulative time of the parts named in docs/scaling.md, "Intake, fourth pass").

With PostgreSQL on this machine it also prints the database server's CPU per request (the connection's
backend process, from /proc). ``--instructions N`` instead runs the script twice more under callgrind
(Debian's ``valgrind``), instrumentation on for N bare POSTs and N submissions after the warm-up, and prints
the instructions per request: the load-independent figure to compare two trees with on a busy machine
(user space only: the kernel's part of each round trip is not counted).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import callgrind_count  # noqa: E402

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BENCH_ENDPOINTS", "1")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdefghijkl")
os.environ.setdefault("PII_ENCRYPTION_KEY", "bench-only-pii-key-not-for-production-9876543210")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="intake-profile-"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="cProfile this many submissions")
    parser.add_argument("--item", default="FG-001")
    parser.add_argument("--lines", type=int, default=80)
    parser.add_argument("--profile-out", default="", help="also write the cProfile stats to this file")
    parser.add_argument("--parts", action="store_true", help="CPU time of each part of a submission")
    parser.add_argument("--citizens", type=int, default=40)
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        help="also count instructions of this many requests of each kind under callgrind (valgrind)",
    )
    parser.add_argument("--callgrind-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions and not args.callgrind_child:
        for kind in ("bare", "intake"):
            count = _instructions(kind, args)
            print(
                f"instructions per request ({kind}, {args.instructions} under callgrind): {count / 1e6:.2f} M"
            )
        return 0

    from common import setup_django

    setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from intake_load import PDF, seed

    # citizens in turn: one may send 60 uploads an hour (portal/ratelimits.py)
    targets, _ = seed(1, args.item, args.citizens)
    target = targets[0]
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {target.token}", "HTTP_ACCEPT": "application/json"}
    turn = iter(range(10**9))

    def intake() -> dict:
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            "/api/v1/applications/",
            {
                "item": target.item,
                "form_data": json.dumps({"applicant_address": "青禾路1号"}),
                target.material_key: SimpleUploadedFile("备案信息表.pdf", PDF, "application/pdf"),
            },
            HTTP_AUTHORIZATION=f"Token {tokens[next(turn) % len(tokens)]}",
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201, response.content[:500]
        return response.json()

    def bare_post() -> None:
        response = client.post(
            "/api/v1/bench/rows/",
            json.dumps({"note": "x"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth["HTTP_AUTHORIZATION"],
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201, response.content[:300]

    def per_request(fn, n: int) -> float:
        best = float("inf")
        for _ in range(args.batches):
            start = time.process_time()
            for _ in range(n):
                fn()
            best = min(best, (time.process_time() - start) / n)
        return best

    tokens = target.intake_tokens or [target.token]
    cache.clear()  # a former run's rate-limit counters: this cache db is the profile's own
    for _ in range(3):  # warm: the process's first requests build caches
        intake()
        bare_post()
    if args.callgrind_child:
        fn = intake if args.callgrind_child == "intake" else bare_post
        for _ in range(5):
            fn()
        from common import count_instructions

        count_instructions(fn, args.instructions)
        return 0
    bare = per_request(bare_post, args.batch)
    submission = per_request(intake, args.batch)
    print(f"CPU per request (min of {args.batches} batches of {args.batch}):")
    print(f"  bare POST  {bare * 1000:6.2f} ms")
    print(f"  intake     {submission * 1000:6.2f} ms   ratio bare/intake {bare / submission:.3f}")
    server = _server_cpu(connection)
    if server is not None:
        # the database server's CPU for this process's connection (its backend's /proc stat, in clock
        # ticks: only meaningful over many requests), PostgreSQL on this machine only
        for label, fn in (("bare POST", bare_post), ("intake", intake)):
            n = args.batch * args.batches
            before = _server_cpu(connection)
            for _ in range(n):
                fn()
            after = _server_cpu(connection)
            assert before is not None and after is not None
            print(f"  database server CPU per {label}: {(after - before) / n * 1000:6.2f} ms ({n} requests)")
    if args.parts:
        parts_cpu(intake, args)
    with CaptureQueriesContext(connection) as queries:
        answer = intake()
    print(f"queries per submission: {len(queries.captured_queries)}")
    for q in queries.captured_queries:
        print("   ", q["sql"][:150])
    print("answer keys:", list(answer))
    if args.profile:
        profile = cProfile.Profile(time.process_time)  # CPU time, not wall time
        profile.enable()
        for _ in range(args.profile):
            intake()
        profile.disable()
        stats = pstats.Stats(profile)
        if args.profile_out:
            stats.dump_stats(args.profile_out)
        stats.sort_stats("cumulative").print_stats(args.lines)
        stats.sort_stats("tottime").print_stats(args.lines)
    return 0


def _server_cpu(connection) -> float | None:
    """Seconds of CPU (user + system) the PostgreSQL backend of ``connection`` has used, when it runs on
    this machine; None otherwise."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _instructions(kind: str, args) -> float:
    """Instructions per request of ``kind`` (bare, intake): this script once more under callgrind, with
    instrumentation on for ``--instructions`` requests after the warm-up only."""

    with tempfile.TemporaryDirectory(prefix="intake-instr-") as tmp:
        argv = [sys.executable, __file__, "--callgrind-child", kind, "--instructions", str(args.instructions)]
        argv += ["--item", args.item, "--citizens", str(args.citizens)]
        return callgrind_count(argv, f"{tmp}/out", kind) / args.instructions


# (label, module, attribute): each wrapped where the submission calls it; nested parts are counted in
# their callers too (the case's opening is inside the submission step)
PARTS = [
    ("request body and input checks", "intake.apis.applications", "submission_input"),
    ("item definition (catalogue cache)", "intake.apis.applications", "item_definition"),
    ("upload checks (pypdf)", "intake.services.intake_api", "inspect_batch"),
    ("draft insert", "intake.services.intake_api", "create_draft"),
    ("material file and row", "intake.services.intake_api", "add_material"),
    ("submission step (reference, snapshot, case, receipt)", "intake.services.intake_api", "submit_draft"),
    ("  reference (counter row locked)", "intake.services.applications", "next_reference"),
    ("  item snapshot", "intake.services.applications", "item_snapshot"),
    ("  case, history record, transition", "portal.flows", "case_open"),
    ("  receipt notification and deliveries", "intake.services.applications", "notify"),
    ("answer (serializer)", "intake.apis.applications", "ApplicationOutputSerializer.data"),
    ("broker publishes after commit", "celery.app.base", "Celery.send_task"),
]


def parts_cpu(submit, args) -> None:
    """CPU time of each part, wrapped with process_time; min over batches of the per-submission sums."""
    import importlib
    import inspect

    totals: dict[str, float] = {}
    restore = []
    for label, module_name, attribute in PARTS:
        module = importlib.import_module(module_name)
        owner, _, name = attribute.rpartition(".")
        target = getattr(module, owner) if owner else module
        if not hasattr(target, name):
            continue  # not in this tree
        original = inspect.getattr_static(target, name)
        own = name in vars(target)
        is_property = isinstance(original, property)
        func = original.fget if is_property else original

        def wrapped(*a, __f=func, __label=label, **k):
            start = time.process_time()
            try:
                return __f(*a, **k)
            finally:
                totals[__label] = totals.get(__label, 0.0) + time.process_time() - start

        setattr(target, name, property(wrapped) if is_property else wrapped)
        restore.append((target, name, original if own else None))
    best: dict[str, float] = {}
    whole = float("inf")
    for _ in range(args.batches):
        totals.clear()
        start = time.process_time()
        for _ in range(args.batch):
            submit()
        whole = min(whole, (time.process_time() - start) / args.batch)
        for label, value in totals.items():
            best[label] = min(best.get(label, float("inf")), value / args.batch)
    for target, name, original in restore:
        if original is None:
            delattr(target, name)  # inherited: the class's own attribute was ours
        else:
            setattr(target, name, original)
    print(
        f"parts of a submission, CPU ms (min of {args.batches} batches of {args.batch}; whole {whole * 1000:.2f}):"
    )
    for label, _m, _a in PARTS:
        if label in best:
            print(f"  {label:<55} {best[label] * 1000:6.2f}")


if __name__ == "__main__":
    sys.exit(main())
