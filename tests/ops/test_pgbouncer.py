"""The portal behind PgBouncer in transaction pooling mode, as docker-compose.yml ships it (issue 19).

A real PgBouncer (Debian's package, the one deploy/pgbouncer/Dockerfile installs) runs the repository's own
deploy/pgbouncer/pgbouncer.ini and userlist.txt; only what names this machine is changed: the listening
address and port, the database line (this machine's PostgreSQL, a fresh database), the file paths, and
``default_pool_size`` lowered to 2 so that every client shares two server connections. Through it, with
``DATABASE_PGBOUNCER=1`` and the production settings (DEBUG=0):

- ``migrate`` builds the schema from nothing, and the demo data and 400 seeded cases (PostgreSQL's COPY)
  are loaded;
- the beat's own jobs run: the figures rollup, the alert scan and the staff's daily digests (a
  ``.iterator()`` outside a transaction), and the figures by department are read;
- gunicorn (2 workers) answers citizens, clerks and anonymous readers from concurrent clients.

In transaction mode a client's next transaction may run on another server connection: session state that
leaked out of one transaction (a prepared statement psycopg made, a named server-side cursor, a session
``SET``) would surface here as an error. PgBouncer's own counters prove that the traffic went through it and
never used more than the two server connections.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from .servers import free_port, start_gunicorn

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
POOL = 2

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.path.exists(PGBOUNCER),
        reason="needs pgbouncer (apt-get install pgbouncer; .ci/run installs it)",
    ),
]


def _ini(port: int, workdir: Path, database: str, server_user: str) -> str:
    """The shipped pgbouncer.ini with only this machine's names changed (every pooling setting kept)."""
    text = (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    shipped = dict(re.findall(r"^(\w+) = (.*)$", text, re.MULTILINE))
    assert shipped["pool_mode"] == "transaction"
    changes = {
        "listen_addr": "127.0.0.1",
        "listen_port": str(port),
        "auth_file": str(workdir / "userlist.txt"),
        "default_pool_size": str(POOL),
        "reserve_pool_size": "0",
        "logfile": str(workdir / "pgbouncer.log"),
        "pidfile": str(workdir / "pgbouncer.pid"),
    }
    for key, value in changes.items():
        text, n = re.subn(rf"^{key} =.*$", f"{key} = {value}", text, flags=re.MULTILINE)
        assert n == 1, key
    # the compose service name `postgres` → this machine's server; the client still logs in as the
    # shipped userlist's user, PgBouncer logs in to the server as the local superuser (trust auth)
    text, n = re.subn(
        r"^portal = .*$",
        f"portal = host=127.0.0.1 port=5432 dbname={database} user={server_user}",
        text,
        flags=re.MULTILINE,
    )
    assert n == 1
    return text + f"unix_socket_dir = {workdir}\n"


def _admin(port: int, command: str) -> list[dict[str, str]]:
    """A SHOW command on PgBouncer's admin console (admin_users = portal in the shipped ini)."""
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=port, user="portal", password="portal", dbname="pgbouncer", autocommit=True
    ) as conn:
        cursor = conn.execute(command)
        names = [c.name for c in cursor.description or []]
        return [dict(zip(names, map(str, row), strict=True)) for row in cursor.fetchall()]


def _request(port: int, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Language": "zh-hans"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def pgbouncer():
    import psycopg
    from psycopg import sql

    db = settings.DATABASES["default"]
    server_user = db.get("USER") or "postgres"
    database = f"{db['NAME']}_pgbouncer"[:63]
    admin = psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=server_user,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    # PgBouncer refuses to run as root; it drops to the `postgres` user, who must read its files
    workdir = Path(tempfile.mkdtemp(prefix="portal-pgbouncer-"))
    workdir.chmod(0o777)
    port = free_port()
    (workdir / "pgbouncer.ini").write_text(_ini(port, workdir, database, server_user))
    shutil.copy(ROOT / "deploy/pgbouncer/userlist.txt", workdir / "userlist.txt")
    for f in workdir.iterdir():
        f.chmod(0o644)
    command = [PGBOUNCER, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while True:
            try:
                _admin(port, "SHOW VERSION")
                break
            except Exception:
                assert proc.poll() is None, (workdir / "pgbouncer.log").read_text()
                assert time.time() < deadline, "PgBouncer did not start"
                time.sleep(0.2)
        yield {"port": port, "workdir": workdir, "database": database}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        admin.close()
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_portal_runs_behind_pgbouncer_in_transaction_mode(pgbouncer, tmp_path):
    port = pgbouncer["port"]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CONN_", "CELERY_", "CACHE_URL", "PROMETHEUS_"))
    }
    env.update(
        DATABASE_URL=f"postgres://portal:portal@127.0.0.1:{port}/portal",
        DATABASE_PGBOUNCER="1",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",  # plain HTTP to gunicorn here, no TLS proxy
        SECRET_KEY="pgbouncer-test-only-secret-key-0123456789abcdefghijklmnopqrstuvw",
        PII_ENCRYPTION_KEY="pgbouncer-test-only-pii-key-9876543210zyxwvutsrq",
        CELERY_TASK_ALWAYS_EAGER="1",  # the tasks a request enqueues run through PgBouncer too
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )

    def manage(*argv: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"manage.py {' '.join(argv)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")  # DEBUG=0: the pages read the static files' manifest
    manage("load_demo")
    manage("seed_cases", "--count", "400", "--seed", "7")
    jobs = (
        "from supervision.tasks import alert_scan, refresh_figures_rollup\n"
        "from approvals.models import Case\n"
        "from supervision.models import Alert\n"
        "print('rollup', refresh_figures_rollup())\n"
        "print('scan', alert_scan())\n"
        "from portal.notifications.services import send_daily_digests\n"
        "print('digests', send_daily_digests())\n"
        "print('cases', Case.objects.count(), 'alerts', Alert.objects.count())\n"
    )
    out = manage("shell", "-c", jobs)
    found = re.search(r"cases (\d+) alerts (\d+)", out)
    assert found, out
    cases, alerts = map(int, found.groups())
    assert cases >= 400 and alerts > 0, out
    year = time.localtime().tm_year
    figures = json.loads(
        manage(
            "supervision_report",
            "--accepted-from",
            f"{year - 2}-01-01",
            "--accepted-to",
            f"{year}-12-31",
            "--by",
            "department",
            "--json",
        )
    )
    assert figures["rows"], figures

    web = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = start_gunicorn(env, web, output=log)
    try:
        assert _request(web, "GET", "/readyz")[0] == 200
        tokens = {}
        for username in ("citizen", "clerk", "reviewer"):
            status, body = _request(
                web, "POST", "/api/v1/auth/token/", {"username": username, "password": "demo12345"}
            )
            assert status == 200, body
            tokens[username] = json.loads(body)["token"]
        before = {row["database"]: int(row["total_xact_count"]) for row in _admin(port, "SHOW STATS")}

        code = _request(web, "GET", "/api/v1/items/")[1]
        first_item = json.loads(code)["results"][0]["code"]
        calls = [
            ("GET", "/items/", ""),
            ("GET", f"/items/{urllib.parse.quote(first_item)}/", ""),
            ("GET", "/api/v1/items/", ""),
            ("GET", "/api/v1/cases/", tokens["citizen"]),
            ("GET", "/api/v1/cases/", tokens["clerk"]),
            ("GET", "/api/v1/cases/", tokens["reviewer"]),
            ("GET", "/api/v1/auth/me/", tokens["clerk"]),
            ("GET", "/readyz", ""),
        ] * 30

        def call(c: tuple[str, str, str]) -> tuple[str, int]:
            method, path, token = c
            return path, _request(web, method, path, token=token)[0]

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(call, calls))
        failed = [a for a in answers if a[1] != 200]
        assert not failed, failed[:10]
        # the same JSON through PgBouncer as a reader expects: the citizen sees their cases
        status, body = _request(web, "GET", "/api/v1/cases/", token=tokens["citizen"])
        assert status == 200 and "count" in json.loads(body)

        after = {row["database"]: int(row["total_xact_count"]) for row in _admin(port, "SHOW STATS")}
        assert after["portal"] - before.get("portal", 0) >= len(calls)  # every request went through it
        pools = [row for row in _admin(port, "SHOW POOLS") if row["database"] == "portal"]
        assert pools and all(
            int(p["sv_active"]) + int(p["sv_idle"]) + int(p["sv_used"]) <= POOL for p in pools
        )
        servers = [row for row in _admin(port, "SHOW SERVERS") if row["database"] == "portal"]
        assert 0 < len(servers) <= POOL
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    text = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]
    assert "prepared statement" not in (pgbouncer["workdir"] / "pgbouncer.log").read_text(errors="replace")
