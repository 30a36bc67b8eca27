"""Schemathesis against the API's own OpenAPI schema with hostile values (issue 17, "How to prove it":
the schemathesis run with NUL bytes and deep nesting added). Every operation of the schema gets requests
generated from its parameters and body, then made hostile: NUL bytes in strings (path, query, body),
values nested 1000 deep, numbers far beyond any column (10**400, 2**63), a NUL in a key, the whole body
nested. No answer is a 5xx, and every refusal of the request (400, 409, 413) carries a Chinese message.

Each case goes as one role, the next in turn (token authentication; nobody signed in for "anon"), inside a
savepoint rolled back afterwards. Examples per operation: ``SCHEMATHESIS_HOSTILE_EXAMPLES`` (default 4),
the same ones on every run. The plain conformance fuzzing is tests/security/test_api_fuzz.py."""

import itertools
import json
import os
import re
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet

from .world import ROLES

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_HOSTILE_EXAMPLES", "4"))
NUL = "\x00"
HUGE = [10**400, -(10**400), 2**63, 2**31, 1e308]
DEEP = "<<nested 1000 deep>>"  # replaced in the JSON text (schemathesis hashes bodies recursively)
DEEP_JSON = "[" * 1000 + "0" + "]" * 1000
CJK = re.compile(r"[\u4e00-\u9fff]")
_turn = itertools.count()


def wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app())
schema.config.phases.update(phases=["examples", "fuzzing"])  # hostile values, not the boundary sweep


@st.composite
def hostile(draw: st.DrawFn, value: Any, top: bool = False) -> Any:
    """``value`` made hostile in one or more places (strings with a NUL, deep nesting, huge numbers)."""
    if isinstance(value, dict):
        out = {k: draw(hostile(v)) for k, v in value.items()}
        if top and draw(st.integers(0, 5)) == 0:
            out[f"k{NUL}"] = "x"
        if top and value and draw(st.integers(0, 3)) == 0:  # one field nested 1000 deep
            out[draw(st.sampled_from(sorted(value)))] = DEEP
        if top and draw(st.integers(0, 7)) == 0:  # the whole body
            return DEEP
        return out
    if isinstance(value, list):
        return [draw(hostile(v)) for v in value]
    if isinstance(value, bool) or value is None:
        return draw(st.sampled_from([value, f"a{NUL}"]))
    if isinstance(value, int | float):
        return draw(st.sampled_from([value, *HUGE, f"1{NUL}"]))
    if isinstance(value, str):
        at = draw(st.integers(0, len(value)))
        return draw(st.sampled_from([value, value, value, value[:at] + NUL + value[at:], f"{value}{NUL}x"]))
    return value


def is_hostile(value: Any) -> bool:
    if isinstance(value, dict):
        return any(is_hostile(k) or is_hostile(v) for k, v in value.items())
    if isinstance(value, list):
        return any(is_hostile(v) for v in value)
    if isinstance(value, str):
        return NUL in value or value == DEEP
    return isinstance(value, int | float) and not isinstance(value, bool) and value in HUGE


@schema.hook("flatmap_case")
def make_hostile(ctx, case):
    """Draw a hostile version of every part of the generated case; something hostile in each (else a NUL
    in the query or a path parameter)."""

    @st.composite
    def build(draw: st.DrawFn):
        if case.path_parameters:
            case.path_parameters = {k: draw(hostile(v)) for k, v in case.path_parameters.items()}
            case.path_parameters = {
                k: v if isinstance(v, str) else str(v) for k, v in case.path_parameters.items()
            }
        if case.query:
            case.query = {k: draw(hostile(v)) for k, v in case.query.items()}
        if case.media_type == "application/json" and case.body is not None:
            case.body = draw(hostile(case.body, top=True))
        elif isinstance(case.body, dict):  # multipart / form: strings only
            case.body = {k: draw(hostile(v)) if isinstance(v, str) else v for k, v in case.body.items()}
        if not any(is_hostile(part) for part in (case.path_parameters, case.query, case.body)):
            if case.query is not None or not case.path_parameters:
                case.query = {**(case.query or {}), "q": f"a{NUL}b"}
            else:
                key = sorted(case.path_parameters)[0]
                case.path_parameters = {**case.path_parameters, key: f"{case.path_parameters[key]}{NUL}"}
        return case

    return build()


@pytest.fixture(autouse=True)
def _same_connection(db):
    """Keep the WSGI app on the test's connection and transaction (as tests/security/test_api_fuzz.py)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def send(case, world, role: str):
    """The case as ``role`` through Django's test client (the JSON text written here, so that a value can
    be nested 1000 deep), in a savepoint rolled back afterwards."""
    client = Client(raise_request_exception=False)
    headers: dict[str, Any] = {}
    if role != "anon":
        headers["HTTP_AUTHORIZATION"] = f"Token {world.tokens[role]}"
    query = urlencode(case.query or {}, doseq=True)
    url = case.formatted_path + (f"?{query}" if query else "")
    body = None if isinstance(case.body, NotSet) else case.body
    cache.clear()  # throttle and rate-limit counters: each request starts fresh
    savepoint = transaction.savepoint()
    try:
        if body is None or case.media_type is None:
            return client.generic(case.method, url, **headers)
        if case.media_type == "application/json":
            text = json.dumps(body, default=_plain).replace(json.dumps(DEEP), DEEP_JSON)
            return client.generic(case.method, url, text, content_type="application/json", **headers)
        if case.media_type == "multipart/form-data" and isinstance(body, dict):
            data = {k: v for k, v in body.items() if isinstance(v, str | int | float)}
            return client.generic(
                case.method, url, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT, **headers
            )
        raw = urlencode(body, doseq=True) if isinstance(body, dict) else str(body)
        return client.generic(case.method, url, raw, content_type=case.media_type, **headers)
    finally:
        transaction.savepoint_rollback(savepoint)


def _plain(value: object) -> str:
    """Generated binary values (file fields in a JSON body) as text."""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


@schema.parametrize()
@settings(
    derandomize=True,
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_hostile_values_in_every_operation_never_a_5xx(case, world):
    role = ROLES[next(_turn) % len(ROLES)]
    response = send(case, world, role)
    text = response.content.decode("utf-8", "replace")
    where = f"{case.method} {case.formatted_path} as {role}"
    assert response.status_code < 500, f"{where}: {response.status_code} {text[:300]}"
    if response.status_code in (400, 409, 413):
        assert CJK.search(text), f"{where}: {response.status_code} without a Chinese message: {text[:300]}"
