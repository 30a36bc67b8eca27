"""Instructions per request, portal against the reference app (issue 19): the deterministic twin of
bench/web_ratios.py's "per worker CPU" column, for changes of a few per cent that the load runs on a shared
machine cannot separate from their noise.

    python bench/web_instructions.py --database-url postgres://postgres@127.0.0.1:5432/bench_web \\
        --ref-database-url postgres://postgres@127.0.0.1:5432/bench_ref [--path /api/v1/cases/ ...]

Each measurement is one process under ``valgrind --tool=callgrind`` (Debian's ``valgrind`` package) with
instrumentation off: it sets Django up with production settings (DEBUG=0, the Redis cache, prometheus_client
in multiprocess mode as under gunicorn), sends ``--warmup`` requests through the WSGI handler, switches
instrumentation on (``callgrind_control -i on``), sends ``--requests`` more and switches it off; the count
divided by the requests is printed. The portal's bare GET is ``BENCH_ENDPOINTS``' row by key with a knox
token of the first active non-staff user; ``--path`` adds portal paths read with the same token. Run
web_ratios.py once first (or the portal's migrate/load_demo and ``reference_app.setup()``): this script
creates nothing but one API token and, when the bench table is empty, one bench row.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from common import callgrind_count, count_instructions  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_web")
    parser.add_argument("--ref-database-url", default="postgres://postgres@127.0.0.1:5432/bench_ref")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--path", action="append", default=[], help="another portal path (token auth)")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args)
    counts: dict[str, float] = {}
    for label, which, path in [("reference bare GET", "ref", ""), ("portal bare GET", "portal", "")] + [
        (f"portal {p}", "portal", p) for p in args.path
    ]:
        counts[label] = _measure(args, which, path)
        print(f"{label:<40} {counts[label] / 1e6:8.2f} M instructions a request", flush=True)
    ref = counts["reference bare GET"]
    bare = counts["portal bare GET"]
    print(f"portal bare GET / reference bare GET, per instruction: {ref / bare:.2f}  (goal ≥ 0.9)")
    for p in args.path:
        print(f"{p} / portal bare GET, per instruction: {bare / counts[f'portal {p}']:.2f}")
    return 0


def _measure(args: argparse.Namespace, which: str, path: str) -> float:
    with tempfile.TemporaryDirectory(prefix="web-instr-") as tmp:
        out = Path(tmp) / "callgrind.out"
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": tmp}
        argv = [sys.executable, __file__, "--child", which, "--requests", str(args.requests)]
        argv += ["--warmup", str(args.warmup), "--database-url", args.database_url]
        argv += ["--ref-database-url", args.ref_database_url, "--cache-url", args.cache_url]
        if path:
            argv += ["--path", path]
        return callgrind_count(argv, str(out), f"{which} {path}", env=env) / args.requests


def _child(args: argparse.Namespace) -> int:
    if args.child == "portal":
        os.environ.update(
            {
                "DATABASE_URL": args.database_url,
                "CACHE_URL": args.cache_url,
                "DEBUG": "0",
                "SECURE_SSL_REDIRECT": "0",
                "BENCH_ENDPOINTS": "1",
                "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijkl",
                "PII_ENCRYPTION_KEY": "bench-only-pii-key-not-for-production-9876543210",
                "LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "portal.settings",
            }
        )
        os.chdir(ROOT)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from knox.models import AuthToken

        from portal.accounts.models import User
        from portal.benchmarks.models import BenchRow

        user = User.objects.filter(is_active=True, is_staff=False).order_by("id").first()
        assert user is not None, "no user: run bench/web_ratios.py once first"
        token = AuthToken.objects.create(user)[1]
        rows = BenchRow._default_manager
        row = rows.first() or rows.create(owner=user, note="instructions")
        path = args.path[0] if args.path else f"/api/v1/bench/rows/{row.pk}/"
    else:
        os.environ["REF_DATABASE_URL"] = args.ref_database_url
        os.chdir(BENCH)
        sys.path.insert(0, str(BENCH))
        import reference_app  # type: ignore[import-not-found]  # noqa: F401 - configures and sets Django up
        from rest_framework.authtoken.models import Token

        first = Token.objects.first()
        assert first is not None, "no reference token: run bench/web_ratios.py once first"
        token, path = first.key, "/api/rows/1/"
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses[:] = [status]
        return None

    def one() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_ACCEPT_LANGUAGE": "zh-hans",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        response = handler(environ, start_response)
        b"".join(response)
        response.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path}: {statuses[0]}")

    for _ in range(args.warmup):
        one()
    count_instructions(one, args.requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
