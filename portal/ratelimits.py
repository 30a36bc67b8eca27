"""Rate limits shared by pages and the API, on django-ratelimit's atomic counter in the shared cache (Redis
in production, so every web process counts together).

Each limit has a name, what it counts by, and a rate; ``settings.PORTAL_RATELIMITS`` may override a rate
(``{"upload": "100/h"}``). A request over any limit is refused before anything is stored: pages answer 429
with a message, the API a 429 JSON body with ``detail``.
"""

import ipaddress
import logging
import threading
import time
import unicodedata
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import (
    _SIMPLE_KEYS,
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    is_ratelimited,
)
from rest_framework.exceptions import Throttled

log = logging.getLogger(__name__)

# name: (counted by, rate). "value" limits count by a value the caller passes (a mobile number, a username).
LIMITS: dict[str, tuple[str, str]] = {
    "login-ip": ("ip", "10/m"),  # the sign-in page, per address …
    "login-user": ("value", "10/m"),  # … and per username typed, so spraying many addresses does not help
    "my-data": ("user", "10/m"),  # downloads of everything the portal holds about the user
    "register": ("ip", "5/h"),  # registration page and API, per address
    "token-ip": ("ip", "10/m"),  # API token for a password, per address …
    "token-user": ("value", "10/m"),  # … and per username (like the sign-in page)
    "complaint-anonymous": ("ip", "5/m"),  # complaints filed without signing in, page and API together
    "progress": ("ip", "10/m"),  # the public progress query (reference + phone), page and API
    "licence-verify": ("ip", "10/m"),  # the public licence verification (number + holder), page and API
    "upload": ("user_or_ip", "60/h"),  # requests carrying files (apply page, API, complaint attachments)
    "sms-send-phone-minute": ("value", "1/m"),  # sign-in codes sent to one mobile number
    "sms-send-phone-hour": ("value", "5/h"),
    "sms-send-ip": ("ip", "10/h"),  # code requests from one address, whatever the number
    "sms-verify-phone": ("value", "10/h"),  # code attempts for one number (a code dies after 5 wrong ones)
    "sms-verify-ip": ("ip", "30/h"),
}


def client_ip(request: Any) -> str:
    """The client's address for per-address limits (``RATELIMIT_IP_META_KEY`` points here), read the way
    DRF's throttles read it: behind ``API_NUM_PROXIES`` reverse proxies, the address the outermost of them
    saw in ``X-Forwarded-For``; otherwise ``REMOTE_ADDR``. A WSGI caller that gives no address at all
    (possible outside a real server) counts as one client instead of failing."""
    proxies = (getattr(settings, "REST_FRAMEWORK", {}) or {}).get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            candidate = addresses[-min(proxies, len(addresses))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - an address, not a bind


def username_key(raw: Any) -> str:
    """The per-username counters' key: what sign-in would match, and more. NFKC (full-width ``ｃｉｔｉｚｅｎ``
    is ``citizen``, as Django's username field normalises it), stripped (the form strips it) and
    case-folded (usernames are unique regardless of case), so none of these is a fresh counter."""
    text = raw if isinstance(raw, str) else ""
    return unicodedata.normalize("NFKC", text).strip().casefold()[:150]


def rate(name: str) -> str:
    return getattr(settings, "PORTAL_RATELIMITS", {}).get(name, LIMITS[name][1])


# When the shared cache (Redis) is down the limits fall back (issue 17): citizens' intake goes on
# (fail-open: an outage must not stop applications, complaints, progress queries), while sign-in, tokens,
# SMS codes and registration count in this process's memory instead (fail-closed after a local limit: a
# password sprayer gains at most one limit per web process). Every fallback is counted and logged.
FAIL_OPEN = {"upload", "complaint-anonymous", "progress", "my-data"}
fallbacks: Counter[str] = Counter()
_local: dict[tuple[str, str, int], int] = {}
_local_lock = threading.Lock()


def _local_limited(name: str, ident: str) -> bool:
    count, period = _parse_rate(rate(name))
    window = int(time.time() // period)
    with _local_lock:
        if len(_local) > 50_000:
            _local.clear()
        key = (name, ident, window)
        _local[key] = _local.get(key, 0) + 1
        return _local[key] > count


def _parse_rate(text: str) -> tuple[int, int]:
    from django_ratelimit.core import _split_rate

    count, period = _split_rate(text)
    return int(count), int(period)


def _over(request: Any, group: str, key: Any, rate_text: str) -> bool:
    """django-ratelimit's ``is_ratelimited(..., increment=True)``: the same counter (key, window, expiry),
    the same count and verdict. With the shared Redis cache (``portal.cache.FailSafeRedisCache.count``)
    the counter is added and incremented in one round trip instead of django-ratelimit's ``add`` and
    Django's ``incr`` (which asks whether the key exists first): three round trips for every counted
    request after a window's first."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    count = getattr(cache, "count", None)
    if count is None or "." in rate_text or not getattr(settings, "RATELIMIT_ENABLE", True):
        return bool(is_ratelimited(request, group=group, key=key, rate=rate_text, increment=True))
    limit, period = _split_rate(rate_text)
    value = key(group, request) if callable(key) else _SIMPLE_KEYS[key](request)
    window = _get_window(value, period)
    return bool(
        count(_make_cache_key(group, window, rate_text, value, ALL), period + EXPIRATION_FUDGE) > limit
    )


def limited(request: Any, name: str, *, value: str = "") -> bool:
    """Count this request against the limit ``name``; True when it is over."""
    kind, _default = LIMITS[name]
    key: Any = (lambda _group, _request: value) if kind == "value" else kind
    django_request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    try:
        return _over(django_request, f"portal:{name}", key, rate(name))
    except Exception as exc:  # noqa: BLE001 - any error of the shared cache (redis, socket, OS)
        fallbacks[name] += 1
        open_ = name in FAIL_OPEN
        log.warning(
            "rate limit %s: shared cache unavailable (%s), %s (fallbacks so far: %s)",
            name,
            type(exc).__name__,
            "let through" if open_ else "counted in this process",
            fallbacks[name],
        )
        if open_:
            return False
        ident = value if kind == "value" else client_ip(django_request)
        if kind == "user_or_ip":
            user = getattr(django_request, "user", None)
            ident = str(user.pk) if user is not None and user.is_authenticated else ident
        return _local_limited(name, ident)


def any_limited(request: Any, *checks: tuple[str, str]) -> bool:
    """Count the request against every (name, value) pair; True when any of them is over. Every counter
    is incremented, so hammering one limit does not save another from counting."""
    results = [limited(request, name, value=value) for name, value in checks]
    return any(results)


def api_check(request: Any, *checks: tuple[str, str]) -> None:
    """For API views: raise DRF's Throttled (429, ``{"detail": …}``) when over any limit."""
    if any_limited(request, *checks):
        raise Throttled(detail=_("请求过于频繁，请稍后再试。"))
