"""Shared fixtures. The PostgreSQL-only tests are marked ``postgres``: they run in the PostgreSQL pass
of ``.ci/run`` and are skipped on SQLite, where the behaviour they prove (row locks, real threads)
does not exist."""

import pytest
from django.conf import settings

# The test client, the live servers and the API fuzzers' WSGI app (built at collection, its middleware
# reading the setting then) speak plain HTTP with no TLS proxy in front. Production redirects it to HTTPS:
# SECURE_SSL_REDIRECT follows DEBUG (tests/ops/test_production_headers.py, tests/ops/test_deploy.py).
settings.SECURE_SSL_REDIRECT = False


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass of .ci/run)")
    skip_worker = pytest.mark.skip(
        reason="starts a real worker: runs in the PostgreSQL + Redis pass of .ci/run"
    )
    on_redis = settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    skip_redis = pytest.mark.skip(
        reason="needs the Redis cache (CACHE_URL=redis://…; runs in the PostgreSQL + Redis pass of .ci/run)"
    )
    for item in items:
        if "redis" in item.keywords and not on_redis:
            item.add_marker(skip_redis)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        elif "worker" in item.keywords and not on_postgres:
            item.add_marker(skip_worker)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The random order's seed, also under -q (pytest-randomly prints it only in the header)."""
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None and getattr(config.option, "randomly_reorganize", True):
        terminalreporter.write_line(f"random order: re-run this order with --randomly-seed={seed}")


@pytest.fixture(autouse=True)
def _fresh_calendar_index():
    """The work calendar's in-process index outlives a test's rolled-back transaction: a holiday one test
    added would still count in the next. Drop it after every test (tests run in random order)."""
    yield
    from portal.workcalendar import services

    services.invalidate()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs ~0.3 s a user on this machine; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Chinese: a page rendered in English must not leak its language into the next test."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (Redis on the production pass): each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def eager_tasks():
    """Celery runs a task in this process when it is queued (the SQLite pass has no worker; the PostgreSQL
    pass proves the same paths on a real one, tests/notifications/test_worker.py)."""
    from portal.celery import app

    conf = app.conf
    saved = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved
