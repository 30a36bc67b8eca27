"""Fuzz the API with schemathesis against its own OpenAPI schema (drf-spectacular, /api/schema/), as
every role: no answer is a 5xx, and every status code, content type and body is the one the schema
documents. Examples per operation: ``SCHEMATHESIS_MAX_EXAMPLES`` (default 10); see docs/security-testing.md.

Each generated request is sent once per role (token authentication; nobody signed in for "anon"), and
once more with its path parameters pointing at real objects of the World, so the fuzzer reaches the
code behind the 404. Every request runs in a savepoint rolled back afterwards: what one role writes
never changes what the next one sees. Outbox side effects are queued on commit, which never comes."""

import itertools
import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .world import ROLES

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
# The coverage phase (boundary values of every parameter, some 20-50 requests per operation) sends each
# of its requests as the next role in turn; SCHEMATHESIS_EVERY_ROLE=1 sends each as every role.
EVERY_ROLE = os.environ.get("SCHEMATHESIS_EVERY_ROLE", "") == "1"
_turn = itertools.count()
# The same examples on every run (a red CI means the code changed, not the dice); SCHEMATHESIS_RANDOM=1
# draws new ones each run, for exploring locally.
DERANDOMIZE = os.environ.get("SCHEMATHESIS_RANDOM", "") != "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# Loaded at collection: the schema view reads no data. (schemathesis.pytest.from_fixture would load it
# per test, but its lazy loader does not run under pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app())


@pytest.fixture(autouse=True)
def _same_connection(db):
    """Keep the WSGI app on the test's connection and transaction, as Django's test client does: no
    closing of "old" connections at the start and end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def real_objects(world, role: str) -> dict[str, object]:
    """Path parameters naming objects that exist (department A's / the citizen's)."""
    note = world.notes.get(role, world.notes["citizen"])
    return {
        "reference": world.open_a.reference,
        "number": world.complaint_a.number,
        "code": world.item_a.code,
        "id": note.pk,
        "pk": note.pk,
        "name": "accept",
        "key": str(world.draft_a.pk),  # the citizen's draft (applications/{key}/)
    }


def send(case, world, role: str):
    headers = {"Authorization": f"Token {world.tokens[role]}"} if role != "anon" else {}
    cache.clear()  # throttle and rate-limit counters: each request starts fresh
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers=headers)
    finally:
        transaction.savepoint_rollback(savepoint)
    case.validate_response(response, checks=CHECKS, headers=headers)


def roles_for(case) -> list[str]:
    if EVERY_ROLE or case.meta is None or case.meta.phase.name != "coverage":
        return ROLES
    return [ROLES[next(_turn) % len(ROLES)]]


@schema.parametrize()
@settings(
    derandomize=DERANDOMIZE,
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case, world):
    roles = roles_for(case)
    for role in roles:
        send(case, world, role)
    if case.path_parameters:
        generated = dict(case.path_parameters)
        for role in roles:
            known = real_objects(world, role)
            case.path_parameters = {k: known.get(k, v) for k, v in generated.items()}
            send(case, world, role)
        case.path_parameters = generated
