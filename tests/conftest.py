"""Shared fixtures. The PostgreSQL-only tests are marked ``postgres``: they run in the PostgreSQL pass
of ``.ci/run`` and are skipped on SQLite, where the behaviour they prove (row locks, real threads)
does not exist."""

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
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


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):  # type: ignore[no-untyped-def]
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    """PBKDF2 costs ~0.3 s a user on this machine; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Each test starts in Chinese: a page rendered in English must not leak its language into the next test."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Rate-limit counters live in the cache (Redis on the production pass): each test starts with none."""
    from django.core.cache import cache

    cache.clear()
