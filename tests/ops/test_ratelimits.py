"""Every anonymous POST is rate-limited on the shared cache: over the limit a page answers 429 with a message,
the API 429 JSON with a detail, and nothing is stored. (SMS sign-in: tests/accounts/test_sms_login.py;
uploads: tests/ops/test_upload_paths.py; sign-in page: tests/accounts/test_accounts.py.)"""

import datetime

import pytest
import time_machine
from knox.models import AuthToken as Token

from complaints.models import Complaint
from portal.accounts.models import User
from tests.factories import citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _standing_clock():
    """The counters live in fixed windows (django-ratelimit staggers each key's window edge); on a moving
    clock a test that happens to straddle an edge sees its counter start again. The clock stands still."""
    moment = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield


def person(username, phone="13912345678"):
    return {
        "kind": "person",
        "username": username,
        "real_name": "王五",
        "id_number": "11010519491231002X",
        "phone": phone,
        "email": "",
    }


def test_the_registration_page(client):
    for i in range(5):  # attempts count, whether or not they succeed
        r = client.post("/accounts/register/", {**person(f"try{i}"), "password1": "x", "password2": "y"})
        assert r.status_code == 200
    r = client.post(
        "/accounts/register/",
        {**person("wangwu"), "password1": "Zq8!long-pass", "password2": "Zq8!long-pass"},
    )
    assert r.status_code == 429 and "注册请求过于频繁" in r.content.decode()
    assert User.objects.count() == 0


def test_the_registration_api(client):
    codes = [
        client.post(
            "/api/v1/auth/register/",
            {**person(f"api{i}", f"1391234{i:04d}"), "password": "x"},
            content_type="application/json",
        ).status_code
        for i in range(5)
    ]
    assert codes == [400] * 5
    r = client.post(
        "/api/v1/auth/register/",
        {**person("wangwu"), "password": "Zq8!long-pass"},
        content_type="application/json",
    )
    assert r.status_code == 429 and "过于频繁" in r.json()["detail"]
    assert User.objects.count() == 0


def test_the_token_api_per_address_and_per_username(client):
    user = citizen(username="li")
    user.set_password("Zq8!long-pass")
    user.save()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "li", "password": "wrong"}).status_code
        for _ in range(10)
    ]
    assert codes == [400] * 10
    r = client.post("/api/v1/auth/token/", {"username": "li", "password": "Zq8!long-pass"})
    assert r.status_code == 429 and "过于频繁" in r.json()["detail"]
    assert not Token.objects.exists()
    # the same username from another address is still counted (spraying from many addresses)
    r = client.post(
        "/api/v1/auth/token/", {"username": "li", "password": "Zq8!long-pass"}, REMOTE_ADDR="10.9.9.9"
    )
    assert r.status_code == 429 and not Token.objects.exists()


def test_the_progress_query_page(client):
    codes = [
        client.post(
            "/cases/progress/", {"reference": "SP-20260101-000001", "phone": "13912345678"}
        ).status_code
        for _ in range(11)
    ]
    assert codes == [200] * 10 + [429]


def test_the_progress_query_page_and_api_share_one_counter_per_address(client):
    query = {"reference": "SP-20260101-000001", "phone": "13912345678"}
    codes = [client.post("/cases/progress/", query).status_code for _ in range(5)]
    codes += [client.get("/api/v1/progress/", query).status_code for _ in range(6)]
    assert codes == [200] * 5 + [404] * 5 + [429]
    assert "过于频繁" in client.get("/api/v1/progress/", query).json()["detail"]
    assert (
        client.get("/api/v1/progress/", query, REMOTE_ADDR="10.9.9.9").status_code == 404
    )  # another address


def test_behind_a_proxy_each_forwarded_address_counts_alone(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    query = {"reference": "SP-20260101-000001", "phone": "13912345678"}
    for _i in range(10):
        assert client.get("/api/v1/progress/", query, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 404
    assert client.get("/api/v1/progress/", query, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # a client cannot escape by adding its own X-Forwarded-For in front: the proxy's entry is the last one
    assert (
        client.get("/api/v1/progress/", query, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7").status_code
        == 429
    )
    assert client.get("/api/v1/progress/", query, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 404


def test_a_request_without_an_address_is_limited_not_a_server_error(rf):
    from portal import ratelimits

    request = rf.get("/api/v1/progress/")
    del request.META["REMOTE_ADDR"]
    assert ratelimits.client_ip(request) == "0.0.0.0"
    assert ratelimits.limited(request, "progress") is False


def test_the_complaint_page_and_api(client):
    data = {"name": "甲", "phone": "13912345678", "subject": "态度", "content": "窗口人员态度生硬"}
    codes = [client.post("/complaints/", data).status_code for _ in range(6)]
    assert codes[-1] == 429 and Complaint.objects.count() == 5
    Complaint.objects.all().delete()
    codes = [
        client.post(
            "/api/v1/complaints/",
            {**data, "channel": "online"},
            content_type="application/json",
            REMOTE_ADDR="10.8.8.8",
        )
        for _ in range(6)
    ]
    assert [c.status_code for c in codes] == [201] * 5 + [429]
    assert "detail" in codes[-1].json() and Complaint.objects.count() == 5
