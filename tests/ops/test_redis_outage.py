"""Redis as a helper, not a single point of failure (issue 17, failure 3). The test starts its own
redis-server (never the shared one), points the cache at it, stops it mid-run and shows: intake goes on
(applications written, their messages waiting in the outbox), complaints and progress queries answer,
case pages and worklists render (the calendar version falls back), sign-in stays limited by a local
counter (fail-closed), every fallback is counted; and /api/ errors are JSON."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.test import APIClient

from approvals.models import Case
from intake.models import Application
from portal import cache as failsafe
from portal import ratelimits
from portal.notifications.models import Delivery
from portal.workcalendar.seed import seed_years
from tests.factories import ItemFactory, citizen

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]
PASSWORD = "Zq8!long-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(settings):
    """A redis-server of this test only, on a free port; the cache points at it."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.FailSafeRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    try:
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)


def apply(user, item):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/applications/", {"item": item.code, "form_data": {}}, format="json")


def test_intake_goes_on_and_sign_in_stays_limited_while_redis_is_down(own_redis, client):
    seed_years([2025, 2026, 2027])
    item = ItemFactory(code="RD-1", name="停机测试事项")
    user = citizen(username="redisless", phone="13912345678", notify_sms=True)
    user.set_password(PASSWORD)
    user.save()
    assert caches["default"].set("probe", 1) is None and caches["default"].get("probe") == 1
    assert apply(user, item).status_code == 201  # Redis up

    own_redis.terminate()
    own_redis.wait(timeout=10)
    before = dict(ratelimits.fallbacks), sum(failsafe.failures.values())

    # intake: 5 applications, every one written, every message waiting in the outbox
    answers = [apply(user, item) for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5, [a.content[:300] for a in answers]
    assert Application.objects.filter(status="submitted").count() == 6
    refs = [a.json()["reference"] for a in answers]
    assert Case.objects.filter(reference__in=refs).count() == 5
    assert Delivery.objects.filter(channel="sms", status="pending").count() >= 5
    # an anonymous complaint (throttled by DRF and a rate limit: both let it through)
    r = APIClient().post(
        "/api/v1/complaints/",
        {"phone": "13912345670", "subject": "停机", "content": "停机期间的投诉内容。", "name": "王五"},
        format="json",
    )
    assert r.status_code == 201, r.content
    # the public progress query, the citizen's case page and list (the calendar version falls back)
    r = APIClient().post("/api/v1/progress/", {"reference": refs[0], "phone": "13912345678"}, format="json")
    assert r.status_code == 200, r.content
    # the public catalogue: its guide and API drawn from the rows (no catalogue version to share)
    page = client.get(f"/items/{item.code}/")
    assert page.status_code == 200 and "停机测试事项" in page.content.decode()
    r = APIClient().get("/api/v1/items/")
    assert r.status_code == 200 and item.code in r.content.decode()
    client.force_login(user)
    assert client.get(f"/cases/{refs[0]}/").status_code == 200
    assert client.get("/cases/mine/").status_code == 200
    client.logout()
    # sign-in: counted in this process instead (fail-closed after the local limit)
    codes = [
        client.post("/accounts/login/", {"username": "redisless", "password": "wrong"}).status_code
        for _ in range(10)
    ]
    assert codes == [200] * 10
    assert client.post("/accounts/login/", {"username": "redisless", "password": PASSWORD}).status_code == 429
    # every fallback counted
    assert ratelimits.fallbacks["upload"] >= 0 and ratelimits.fallbacks["login-user"] > before[0].get(
        "login-user", 0
    )
    assert sum(failsafe.failures.values()) > before[1]


def test_api_errors_are_json_whatever_raised_them():
    from portal.errors import bad_request, permission_denied, server_error

    request = RequestFactory().get("/api/v1/cases/")
    for response, status in (
        (server_error(request), 500),
        (bad_request(request, Exception()), 400),
        (permission_denied(request, Exception()), 403),
    ):
        assert response.status_code == status and response["Content-Type"] == "application/json"
    page = RequestFactory().get("/cases/mine/")
    assert server_error(page)["Content-Type"].startswith("text/html")
