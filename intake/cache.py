"""The public catalogue served from the cache (docs/scaling.md#the-public-catalogue).

The catalogue (list, item guide, printable notice and their API) is the same for every reader and
changes a few times a week, so it is rendered once per *catalogue version* and kept in the shared cache:

- ``catalogue_version()`` is a token and the time it was minted, kept in the cache. Any write to an item,
  its materials, steps, form fields, themes or departments mints a new one (``catalogue_changed``: the
  signal receivers below, at once and again once the transaction commits), so every key built on the
  old token is dead: no stale guide after an edit, on any process sharing the cache.
- Pages cache their title and body (``cached_data``); the header around them (the signed-in user's name,
  the unread count, 长辈版, the language) is drawn for a signed-in reader on each request and never shared.
  A visitor who is not signed in sees the same header as every other visitor with the same language and
  长辈版 setting, so the whole page is kept for them (``cached_page``) with a stand-in for the CSRF token,
  which each response replaces with the visitor's own (issue 19: the layout was ≈ half a page's CPU).
- ``ETag``/``Last-Modified`` (``page_condition``/``api_condition``, Django's ``condition``): a browser's
  repeat visit is a 304 without touching the database. A page's ETag also names what the header shows
  (user, unread count, 长辈版, language), so a visitor who signs in or out never gets a 304
  for a page drawn for someone else.
"""

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

VERSION_KEY = "catalogue:version"
# Bodies of an old version are never read again; they only wait for the cache to drop them.
BODY_TIMEOUT = 24 * 3600


def catalogue_version() -> tuple[str, float]:
    """The current (token, minted at as a Unix time). Minted afresh when the cache lost it."""
    current = cache.get(VERSION_KEY)
    if current is None:
        current = (uuid.uuid4().hex, time.time())
        # add: two processes minting at once agree on the first one
        if not cache.add(VERSION_KEY, current, timeout=None):
            current = cache.get(VERSION_KEY) or current
    token, minted = current
    return str(token), float(minted)


def _request_version(request: HttpRequest) -> tuple[str, float]:
    """The catalogue version as this request first read it: its ETag, its Last-Modified and its body come
    from one version, for one cache round trip instead of three."""
    version: tuple[str, float] | None = getattr(request, "_catalogue_version", None)
    if version is None:
        version = catalogue_version()
        request._catalogue_version = version  # type: ignore[attr-defined]
    return version


def _mint() -> None:
    cache.set(VERSION_KEY, (uuid.uuid4().hex, time.time()), timeout=None)


def catalogue_changed() -> None:
    """Something a catalogue reader sees changed: every cached page, body and ETag is dead.

    Minted now (this process's next read sees the edit even inside the transaction) and again once the
    transaction commits (a reader who cached the old rows while the edit was uncommitted is not kept)."""
    _mint()
    transaction.on_commit(_mint)


def _key(*parts: str) -> str:
    return "catalogue:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _language() -> str:
    return translation.get_language() or ""


def cached_data(request: HttpRequest, name: str, build: Callable[[], Any]) -> Any:
    """The payload ``name`` of this URL (scheme, host, path and query: the API's page links are
    absolute) in the current language, built at most once per catalogue version."""
    token, _minted = _request_version(request)
    key = _key("data", token, name, _language(), request.build_absolute_uri())
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, timeout=BODY_TIMEOUT)
    return data


# Stands in the kept HTML for the CSRF token of the header's forms (语言, 长辈版). Never a real token: those
# are 64 letters and digits; this has dashes.
CSRF_STAND_IN = "csrf-stand-in-6d1f0c3e-9a47-4b2e-8c55-2f7e1a0b9d64"


def cached_page(
    request: HttpRequest, name: str, render: Callable[[dict[str, Any]], HttpResponse]
) -> HttpResponse:
    """A catalogue page whose header is the same for every visitor who is not signed in: the whole HTML
    kept per catalogue version, language, 长辈版 setting and URL, each response carrying the visitor's own
    CSRF token (Django's ``get_token``: the cookie set as a drawn page sets it). ``render(extra)`` draws
    the page with ``extra`` added to its context; a signed-in reader, or a one-off message waiting to be
    shown, always gets it drawn afresh."""
    from django.middleware.csrf import get_token

    from portal.accounts.views import elder_mode_on

    user = getattr(request, "user", None)
    if (user is not None and user.is_authenticated) or _has_messages(request):
        return render({})
    token, _minted = _request_version(request)
    elder = "1" if elder_mode_on(request) else "0"
    key = _key("page-html", token, name, _language(), elder, request.build_absolute_uri())
    html = cache.get(key)
    if html is None:
        drawn = render({"csrf_token": CSRF_STAND_IN})
        html = drawn.content.decode(drawn.charset)
        cache.set(key, html, timeout=BODY_TIMEOUT)
    return HttpResponse(html.replace(CSRF_STAND_IN, get_token(request)))


def _last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> datetime:
    _token, minted = _request_version(request)
    return datetime.fromtimestamp(int(minted), tz=UTC)


def _page_last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> datetime | None:
    return None if _has_messages(request) else _last_modified(request)


def _reader(request: HttpRequest) -> str:
    """What the header around a page shows for this reader (never shared between readers)."""
    from portal.accounts.views import elder_mode_on

    user = getattr(request, "user", None)
    who = "anonymous"
    if user is not None and user.is_authenticated:
        from portal.notifications.selectors import inbox_unread_count

        who = f"user:{user.pk}:{inbox_unread_count(user=user)}"
    # Not the CSRF cookie: it is set by the first page itself, and its secret changes only on sign-in,
    # which changes the user above; any masked token of the same secret is accepted.
    return f"{who}:{int(elder_mode_on(request))}"


def _page_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    if _has_messages(request):
        return None  # a one-off message must be drawn
    token, _minted = _request_version(request)
    language = translation.get_language_from_request(request)
    return _key("page-etag", token, language, request.get_full_path(), _reader(request))


def _has_messages(request: HttpRequest) -> bool:
    """A one-off message (django.contrib.messages) waits to be shown: the page must be drawn."""
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    # peeking at the loaded messages does not mark them read
    return bool(storage._loaded_messages) or bool(storage._queued_messages)


def _api_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    token, _minted = _request_version(request)
    language = translation.get_language_from_request(request)
    accept = request.headers.get("Accept", "")
    return _key("api-etag", token, language, accept, request.build_absolute_uri())


def page_cache_control(response: HttpResponse) -> HttpResponse:
    """The body is the same for every reader, the page is not: ``private`` (no shared proxy keeps it),
    ``no-cache`` (the browser asks again each time and gets a 304 while nothing changed)."""
    patch_cache_control(response, private=True, no_cache=True)
    return response


def api_cache_control(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_cache=True)
    return response


page_condition = condition(etag_func=_page_etag, last_modified_func=_page_last_modified)
api_condition = condition(etag_func=_api_etag, last_modified_func=_last_modified)


# This process's copy of the item definitions of the current catalogue version, code → (version token,
# item). Only reused while the version read on each call is the same token: an edit mints a new one.
_DEFINITIONS: dict[str, tuple[str, Any]] = {}
_DEFINITIONS_SIZE = 512


def item_definition(code: str) -> Any:
    """The published definition an online submission checks and freezes (docs/scaling.md, "Intake, fourth
    pass"): the item with its department, form fields, materials, steps and co-departments, read once per
    catalogue version and kept in the shared cache (5 queries a submission before). Any edit of the item,
    its rows or a department mints a new version (the receivers above), so a submission never checks
    against a definition older than the one the catalogue shows. The version is read on every call; for
    the same version this process reuses the object it unpickled first (docs/scaling.md, "Intake, seventh
    pass"): it is shared by this process's requests and read only (nothing a submission does sets anything
    on the item or its rows; tests/intake/test_catalogue_cache.py). None for an unknown code (not
    cached)."""
    from .models import Item

    token, _minted = catalogue_version()
    local = _DEFINITIONS.get(code)
    if local is not None and local[0] == token:
        return local[1]
    key = _key("item-definition", token, code)
    item = cache.get(key)
    if item is None:
        item = (
            Item.objects.select_related("department")
            .prefetch_related("form_fields", "materials", "steps", "co_departments")
            .filter(code=code)
            .first()
        )
        if item is None:
            return None
        cache.set(key, item, timeout=BODY_TIMEOUT)
    if len(_DEFINITIONS) >= _DEFINITIONS_SIZE:
        _DEFINITIONS.clear()
    _DEFINITIONS[code] = (token, item)
    return item
