"""Start and stop a REAL Celery worker process for tests on the production configuration
(PostgreSQL + Redis): it reads the pytest-django test database and the configured broker."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


class Worker:
    def __init__(self, tmp: Path, *, concurrency: int = 2) -> None:
        self.tmp = tmp
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        self.log = tmp / f"worker-{time.monotonic_ns()}.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()}
        env.update(
            {
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
                "SMS_BACKEND": settings.SMS_BACKEND,
                "SMS_FILE_DIR": str(settings.SMS_FILE_DIR),
                "PORTAL_VAR_DIR": str(self.tmp / "var"),
                "DJANGO_SETTINGS_MODULE": "portal.settings",
            }
        )
        return env

    def start(self, timeout: float = 60) -> "Worker":
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests need the Redis broker"
        connection.close()  # the worker must see committed data only
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-l",
                "INFO",
                "-c",
                str(self.concurrency),
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("worker exited:\n" + self.log.read_text())
            if "ready." in self.log.read_text():
                return self
            time.sleep(0.2)
        raise RuntimeError("worker did not start:\n" + self.log.read_text())

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, timeout: float = 120, interval: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def point_producer_at(url: str) -> None:
    """This process's Celery producer publishes to ``url`` (kombu keeps global pools: drop them)."""
    from kombu import pools

    from portal.celery import app as celery_app

    app: Any = celery_app  # writable settings and private attributes (its pools), not in celery-types
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def producer_at(url: str) -> Iterator[None]:
    """``point_producer_at(url)`` for the block, then back to the settings as they were: the raw ones, so a
    broker URL that was only derived (``broker_write_url`` follows ``broker_url`` unless set) is not
    pinned for the tests that run after (readyz's broker check reads it)."""
    from portal.celery import app as celery_app

    conf: Any = celery_app.conf
    saved = {key: conf.get(key) for key in ("broker_url", "broker_write_url")}
    point_producer_at(url)
    try:
        yield
    finally:
        point_producer_at(saved["broker_url"] or celery_app.conf.broker_url)
        for key, value in saved.items():
            conf[key] = value
