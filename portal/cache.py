"""The shared cache as a helper, not a single point of failure (issue 17): Django's Redis cache whose reads
answer "not cached" and whose writes are skipped while Redis is unreachable, counted and logged, with short
socket timeouts so a dead Redis costs milliseconds, not a hung request. Counters (``add``/``incr``) still
raise: their callers decide (portal/ratelimits.py falls back per limit; the SMS sign-in code fails
closed). DRF's throttles read and write through ``get``/``set`` and so let requests through."""

import logging
from collections import Counter
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)
failures: Counter[str] = Counter()


class _ReusedClientCache(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool. Django makes a new one for
    every cache operation, and redis-py builds a table of ~170 response callbacks in each: ≈ 0.1 ms of
    CPU per ``get`` (a catalogue page does three). A ``redis.Redis`` is safe to share between threads
    (its pool hands each command a connection) and after a fork (the pool notices the new process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


# FailSafeRedisCache.count: a new counter starts at 0 with its expiry, then every call adds one (atomic:
# Redis runs a script alone).
_COUNT = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
return redis.call('INCR', KEYS[1])
"""


class FailSafeRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusedClientCache
        self._count_scripts: dict[int, Any] = {}

    def _failed(self, operation: str, exc: Exception) -> None:
        failures[operation] += 1
        log.warning(
            "cache %s skipped, Redis unavailable (%s): %s so far", operation, exc, sum(failures.values())
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except Exception as exc:  # noqa: BLE001 - redis.ConnectionError, TimeoutError, OSError
            self._failed("get", exc)
            return default

    def get_many(self, keys: Any, version: Any = None) -> Any:
        try:
            return super().get_many(keys, version)
        except Exception as exc:  # noqa: BLE001
            self._failed("get_many", exc)
            return {}

    def add(self, key: Any, value: Any, timeout: Any = 300, version: Any = None) -> bool:
        """Not added while Redis is away (False): the catalogue's version is then minted per request, so
        its pages and an online submission read the rows themselves instead of failing."""
        try:
            return bool(super().add(key, value, timeout, version))
        except Exception as exc:  # noqa: BLE001
            self._failed("add", exc)
            return False

    def set(self, key: Any, value: Any, timeout: Any = 300, version: Any = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except Exception as exc:  # noqa: BLE001
            self._failed("set", exc)

    def count(self, key: Any, timeout: int, version: Any = None) -> int:
        """Count one more on the counter ``key`` and return its new value: what ``add(key, 1, timeout)``
        then, if it was there, ``incr(key)`` give (django-ratelimit's counting), in one command instead
        of three (Django's ``incr`` asks whether the key exists first). A new counter expires after
        ``timeout`` seconds; an old one keeps its expiry. Raises while Redis is unreachable, as
        ``add``/``incr`` do."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        script = self._count_scripts.get(id(client))
        if script is None:
            script = self._count_scripts[id(client)] = client.register_script(_COUNT)
        return int(script(keys=[key], args=[timeout]))

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except Exception as exc:  # noqa: BLE001
            self._failed("delete", exc)
            return False
