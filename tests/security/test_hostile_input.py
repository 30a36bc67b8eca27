"""A hostile-input corpus (issue 17, failures 6, 7 and 9): NUL and control characters in paths, query
strings, form fields and JSON; JSON nested 1000 deep or larger than the limit; texts longer than their
columns; wrong types; unbounded lists. Every answer is a 4xx with a Chinese message, never a 5xx, and
nothing is stored. (On PostgreSQL, where a NUL reaching a query used to be a 500, this is the real test;
SQLite stores NULs, so there it only shows the refusals.)"""

import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from approvals.models import Case
from complaints.models import Complaint
from intake.models import Application
from portal.accounts.models import User

CJK = re.compile(r"[\u4e00-\u9fff]")
NUL = "\x00"

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Application.objects.count(),
        Complaint.objects.count(),
        Case.objects.count(),
    )


def send(world, role: str, method: str, url: str, *, data=None, json_body=None, raw: bytes | None = None):
    """One request as ``role`` (a session for pages, the token for /api/), rolled back afterwards."""
    from django.core.cache import cache

    cache.clear()
    client = Client(raise_request_exception=False)
    headers: dict[str, Any] = {}
    with transaction.atomic():
        user = world.user(role)
        if user is not None:
            if url.startswith("/api/"):
                headers["HTTP_AUTHORIZATION"] = f"Token {world.tokens[role]}"
            else:
                client.force_login(user)
        if raw is not None:
            response = client.generic(method, url, raw, content_type="application/json", **headers)
        elif json_body is not None:
            response = client.generic(
                method, url, json.dumps(json_body), content_type="application/json", **headers
            )
        elif method == "GET":
            response = client.get(url, data, **headers)
        else:
            response = client.post(url, data or {}, **headers)
        transaction.set_rollback(True)
    return response


def refused(response, *codes: int) -> str:
    """'' when the answer is one of ``codes`` (any 4xx if none) with a Chinese message; else what is wrong."""
    status = response.status_code
    ok_status = status in codes if codes else 400 <= status < 500
    body = response.content.decode("utf-8", "replace")
    if not ok_status:
        return f"status {status}"
    if not CJK.search(body):
        return f"status {status} without a Chinese message: {body[:200]}"
    return ""


def check_all(world, requests) -> None:
    before = counts()
    wrong = []
    for role, method, url, kwargs, codes in requests:
        response = send(world, role, method, url, **kwargs)
        problem = refused(response, *codes)
        if problem:
            wrong.append(f"{method} {url!r} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert counts() == before, "something was stored"


PATHS = [
    "/cases/SP-2026{}/",
    "/cases/{}/do/accept/",
    "/items/{}/",
    "/items/{}/notice/",
    "/applications/receipt/{}/",
    "/complaints/c/{}/",
    "/complaints/rate/{}/",
    "/complaints/rate/link/{}/",
    "/supervision/export/cases.{}",
    "/api/v1/cases/{}/",
    "/api/v1/cases/{}/transitions/",
    "/api/v1/items/{}/",
    "/api/v1/applications/{}/",
    "/api/v1/complaints/{}/",
    "/admin/accounts/user/{}/change/",
]


def test_nul_and_control_characters_in_paths_are_a_400_never_a_500(world):
    requests = []
    for template in PATHS:
        for bad in (NUL, "%00", "\x1b[31m", "\x7f"):
            for role in ("anon", "citizen", "inspector"):
                requests.append((role, "GET", template.format(bad), {}, (400,)))
    check_all(world, requests)


QUERIES = [
    "/items/",
    "/cases/mine/",
    "/cases/queue/intake/",
    "/cases/progress/",
    "/complaints/public/",
    "/complaints/",
    "/supervision/",
    "/supervision/alerts/",
    "/api/v1/items/",
    "/api/v1/cases/",
    "/api/v1/progress/",
    "/api/v1/complaints/",
    "/api/v1/supervision/alerts/",
    "/api/v1/supervision/figures/",
    "/admin/accounts/user/",
]


def test_nul_in_query_strings_is_a_400_never_a_500(world):
    requests = []
    for url in QUERIES:
        for role in ("anon", "citizen", "clerk", "inspector"):
            for params in (
                {"q": NUL},
                {"page": f"1{NUL}"},
                {"reference": f"SP{NUL}", "phone": "139\x0012345678"},
                {f"x{NUL}": "1"},
            ):
                requests.append((role, "GET", url, {"data": params}, (400,)))
    check_all(world, requests)


FORM_POSTS = [
    ("anon", "/accounts/login/", {"username": f"m_citizen{NUL}", "password": "x"}),
    ("anon", "/accounts/register/", {"username": f"abc{NUL}d", "real_name": "张三", "phone": "13912345678"}),
    ("anon", "/accounts/sms-login/", {"phone": f"139{NUL}12345678"}),
    ("anon", "/cases/progress/", {"reference": f"SP-{NUL}", "phone": "13912345678"}),
    (
        "anon",
        "/complaints/",
        {"name": f"张{NUL}三", "phone": "13912345678", "subject": "x", "content": "长长的内容"},
    ),
    ("citizen", "/complaints/", {"subject": "窗口\x1b", "phone": "13912345678", "content": "长长的内容"}),
    ("citizen", "/accounts/preferences/", {"email": f"a{NUL}@example.com", "preferred_language": "zh-hans"}),
    (
        "clerk",
        "/window/register/",
        {"item_code": f"SEC{NUL}", "name": "张三", "id_number": "1", "phone": "1"},
    ),
    ("clerk", "/cases/{open}/do/accept/", {"note": f"好{NUL}"}),
    ("clerk", "/cases/{open}/check/", {"note_1": f"x{NUL}"}),
    ("inspector", "/complaints/queue/", {"action": f"x{NUL}"}),
]


def test_nul_in_form_fields_is_a_400_never_a_500(world):
    requests = []
    for role, url, data in FORM_POSTS:
        requests.append((role, "POST", url.format(open=world.open_a.reference), {"data": data}, (400,)))
    check_all(world, requests)


def deep(n: int) -> str:
    return '{"a":' * n + "1" + "}" * n


JSON_POSTS = [
    ("anon", "/api/v1/auth/register/"),
    ("anon", "/api/v1/auth/token/"),
    ("anon", "/api/v1/complaints/"),
    ("citizen", "/api/v1/applications/"),
    ("citizen", "/api/v1/complaints/"),
    ("citizen", "/api/v1/ratings/"),
    ("clerk", "/api/v1/cases/{open}/transitions/accept/"),
    ("clerk", "/api/v1/cases/{open}/transitions/request_correction/"),
    ("head", "/api/v1/cases/{open}/transitions/extend/"),
]


def test_json_nested_1000_deep_or_too_large_is_refused(world):
    requests = []
    for role, url in JSON_POSTS:
        url = url.format(open=world.open_a.reference)
        requests.append((role, "POST", url, {"raw": deep(1000).encode()}, (400,)))
        requests.append((role, "POST", url, {"raw": deep(100_000).encode()}, (400,)))
        requests.append((role, "POST", url, {"raw": deep(33).encode()}, (400,)))
        requests.append((role, "POST", url, {"json_body": {"note": "x" * (2 * 1024 * 1024)}}, (413,)))
        requests.append((role, "POST", url, {"json_body": {"note": f"a{NUL}b", "name": "x"}}, (400,)))
        requests.append((role, "POST", url, {"raw": b'{"note": "\\ud800"}'}, (400,)))
        requests.append((role, "POST", url, {"raw": b'{"note": '}, (400,)))
    check_all(world, requests)


def test_a_refusal_under_api_names_the_field_in_json(world):
    response = send(world, "anon", "POST", "/api/v1/auth/register/", json_body={"real_name": f"张{NUL}"})
    assert response.status_code == 400
    body = response.json()
    assert CJK.search(body["detail"]) and CJK.search(body["real_name"][0])


def test_texts_longer_than_their_columns_are_refused(world):
    """Complaint name (50), walk-in name (50 for a person), complaint body (5000)."""
    complaint = {"phone": "13912345678", "subject": "排队", "content": "窗口排队时间太长，希望改进。"}
    requests = [
        ("anon", "POST", "/api/v1/complaints/", {"json_body": {**complaint, "name": "张" * 51}}, (400,)),
        (
            "anon",
            "POST",
            "/complaints/",
            {"data": {**complaint, "name": "张" * 51, "channel": "online"}},
            (200, 400),
        ),
        (
            "citizen",
            "POST",
            "/api/v1/complaints/",
            {"json_body": {**complaint, "content": "长" * 5001}},
            (400,),
        ),
        ("citizen", "POST", "/complaints/", {"data": {**complaint, "content": "长" * 5001}}, (200, 400)),
        ("citizen", "POST", "/api/v1/complaints/", {"json_body": {**complaint, "subject": {"a": 1}}}, (400,)),
        (
            "clerk",
            "POST",
            "/window/register/",
            {
                "data": {
                    "item_code": world.item_a.code,
                    "kind": "person",
                    "name": "张" * 51,
                    "id_number": "110101199003070011",
                    "phone": "13912345678",
                }
            },
            (200,),
        ),
    ]
    check_all(world, requests)


def test_wrong_types_and_unbounded_lists_are_refused(world):
    """days=2.5 / true, an object where a text is expected, 5000 correction lines: 400, nothing stored."""
    ref = world.open_a.reference
    transitions = f"/api/v1/cases/{ref}/transitions/"
    requests = [
        ("head", "POST", transitions + "extend/", {"json_body": {"days": 2.5, "reason": "复杂"}}, (400, 409)),
        (
            "head",
            "POST",
            transitions + "extend/",
            {"json_body": {"days": True, "reason": "复杂"}},
            (400, 409),
        ),
        ("clerk", "POST", transitions + "accept/", {"json_body": {"note": {"a": 1}}}, (400,)),
        (
            "clerk",
            "POST",
            transitions + "request_correction/",
            {"json_body": {"materials": "\n".join(f"材料{i}：缺少" for i in range(5000))}},
            (400,),
        ),
    ]
    check_all(world, requests)
