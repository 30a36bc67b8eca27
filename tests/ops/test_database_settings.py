"""Database connections as shipped (docs/scaling.md#database-connections): on PostgreSQL persistent and
health-checked by default; behind PgBouncer in transaction mode (DATABASE_PGBOUNCER=1) nothing that lives
in the session; and a persistent connection survives the server closing it (the health check)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import close_old_connections, connection

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://portal:portal@db.example:5432/portal"


def _database_settings(**env: str) -> dict:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CONN_", "CELERY_", "CACHE_URL"))
    }
    full_env.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_connections_are_persistent_and_health_checked_by_default(tmp_path):
    db = _database_settings(DATABASE_URL=PG, PORTAL_VAR_DIR=str(tmp_path))
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True
    assert not db.get("DISABLE_SERVER_SIDE_CURSORS")
    assert "pool" not in db.get("OPTIONS", {})


def test_behind_pgbouncer_nothing_lives_in_the_session(tmp_path):
    db = _database_settings(DATABASE_URL=PG, DATABASE_PGBOUNCER="1", PORTAL_VAR_DIR=str(tmp_path))
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert db["OPTIONS"]["prepare_threshold"] is None
    assert db["CONN_MAX_AGE"] == 0 and db["CONN_HEALTH_CHECKS"] is True


def test_the_settings_can_be_overridden(tmp_path):
    db = _database_settings(
        DATABASE_URL=PG, CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="0", PORTAL_VAR_DIR=str(tmp_path)
    )
    assert db["CONN_MAX_AGE"] == 0 and db["CONN_HEALTH_CHECKS"] is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_persistent_connection_the_server_ended_is_replaced_not_an_error():
    """The server ends the kept connection between two requests (a restart, a failover, PgBouncer's
    server_lifetime): at the next request the health check opens a new one instead of failing."""
    import psycopg

    saved = {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    try:
        close_old_connections()  # a request starts (Django's request_started handler)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        close_old_connections()  # the request ends: the connection is kept (CONN_MAX_AGE)
        assert connection.connection is not None
        s = connection.settings_dict
        with psycopg.connect(
            dbname=s["NAME"],
            user=s["USER"],
            host=s["HOST"],
            port=s["PORT"] or 5432,
            password=s["PASSWORD"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        close_old_connections()  # the next request starts
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        connection.close()
        connection.settings_dict.update(saved)
