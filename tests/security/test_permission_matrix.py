"""Permission matrix: every URL of the site × every role × own / another department's / another
applicant's object, against the one table in ``permission_table.py`` (see docs/security-testing.md).

The data is built once for the module (``world``); each request runs in a savepoint that is rolled back,
so an allowed action (a delete, a transition) cannot change what the next role sees."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .permission_table import LOGIN, SKIP_NAMESPACES, TABLE, WRITE_OK, Check, Skip
from .world import ROLES, World


def url_names() -> list[str]:
    """Every named URL pattern of the project, ``namespace:name``, walking includes recursively."""
    names: list[str] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                names.append(
                    f"{namespace}{pattern.name}"
                    if pattern.name
                    else f"{namespace}<unnamed {pattern.pattern}>"
                )

    walk(get_resolver(), "")
    return names


def covered_names() -> list[str]:
    return [n for n in url_names() if n.split(":", 1)[0] not in SKIP_NAMESPACES or ":" not in n]


def test_every_url_has_a_row_in_the_permission_table():
    missing = sorted(set(covered_names()) - set(TABLE))
    assert not missing, (
        "URL names without a row in tests/security/permission_table.py (add who may call them, see "
        f"docs/security-testing.md): {missing}"
    )


def test_the_walk_reaches_pages_the_api_and_nested_namespaces():
    names = set(url_names())
    expected = {"home", "approvals:case_detail", "api-case-transition", "supervision-alerts", "admin:index"}
    assert expected <= names


def test_a_new_endpoint_without_a_row_is_caught(settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_a_new_endpoint"
    assert set(covered_names()) - set(TABLE) == {"api-brand-new"}


def test_the_table_has_no_rows_for_urls_that_do_not_exist():
    stale = sorted(set(TABLE) - set(covered_names()))
    assert not stale, f"rows for URL names the resolver does not know: {stale}"


def answer_matches(response, expected) -> bool:
    code = response.status_code
    if code >= 500:
        return False
    if expected == LOGIN:
        return code == 302 and response["Location"].startswith(reverse("accounts:login"))
    if isinstance(expected, frozenset):
        return code in expected
    return code == expected


def describe(expected) -> str:
    if expected is WRITE_OK:
        return "allowed (200/201/302/400/409)"
    if isinstance(expected, frozenset):
        return "/".join(map(str, sorted(expected)))
    return str(expected)


def request(world: World, name: str, check: Check, role: str):
    from django.core.cache import cache

    cache.clear()  # rate-limit counters: every request starts fresh
    url = reverse(name, kwargs=check.args(world, role) or None)
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        if check.method in ("PATCH", "PUT"):  # a JSON body (the test client sends others as octet-stream)
            response = getattr(client, check.method.lower())(url, check.data, content_type="application/json")
        else:
            response = getattr(client, check.method.lower())(url, check.data or check.query or None)
        transaction.set_rollback(True)
    return url, response


MATRIX = [(name, row) for name, row in TABLE.items() if not isinstance(row, Skip)]


@pytest.mark.django_db
@pytest.mark.parametrize("name,row", MATRIX, ids=[n for n, _ in MATRIX])
def test_permission_matrix(world, name, row):
    wrong = []
    for check in row:
        for role in ROLES:
            expected = check.expect[role]
            url, response = request(world, name, check, role)
            if not answer_matches(response, expected):
                where = response.get("Location", "")
                wrong.append(
                    f"{check.method} {url} [{check.scope or '-'}] as {role}: expected {describe(expected)}, "
                    f"got {response.status_code}{' → ' + where if where else ''}"
                )
    assert not wrong, "\n".join(wrong)
