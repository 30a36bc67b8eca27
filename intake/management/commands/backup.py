"""``manage.py backup FILE``: pg_dump (custom format) of the database with a sending hold inside the dump
only. The hold row is committed, a snapshot that sees it is exported, the hold is deleted again (live
sending pauses for milliseconds) and pg_dump reads that snapshot: a database restored from this file sends
nothing until ``manage.py after_restore`` ran (docs/operations.md)."""

import os
import subprocess
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.notifications.models import SendingHold


def libpq_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or "postgres"),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


class Command(BaseCommand):
    help = "Back the database up with pg_dump; a restore of it sends nothing until after_restore ran."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("output", help="the dump file to write (pg_dump custom format)")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "backup needs PostgreSQL (SQLite: copy the database file with the portal stopped)"
            )
        import psycopg

        env = libpq_env()
        hold = SendingHold.objects.create(reason="restored from a backup: run manage.py after_restore")
        try:
            conninfo = " ".join(
                f"{key}={value}"
                for key, value in (
                    ("host", env["PGHOST"]),
                    ("port", env["PGPORT"]),
                    ("user", env["PGUSER"]),
                    ("dbname", env["PGDATABASE"]),
                    ("password", env.get("PGPASSWORD", "")),
                )
                if value
            )
            with psycopg.connect(conninfo, autocommit=False) as snapshot_holder:
                snapshot_holder.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                row = snapshot_holder.execute("SELECT pg_export_snapshot()").fetchone()
                assert row is not None
                SendingHold.objects.filter(pk=hold.pk).delete()  # live sending goes on
                subprocess.run(  # noqa: S603 - fixed arguments
                    ["pg_dump", "--format=custom", f"--snapshot={row[0]}", f"--file={output}"],  # noqa: S607
                    env=env,
                    check=True,
                )
                snapshot_holder.rollback()
        finally:
            SendingHold.objects.filter(pk=hold.pk).delete()
        self.stdout.write(
            f"backup written to {output} (it carries a sending hold: restore, then after_restore)"
        )
