"""短信验证码登录: a 6-digit code texted through the SMS gateway, kept only as a hash in the cache for 5 minutes,
single use, dead after 5 wrong tries; the same answer for registered and unknown numbers; rate-limited."""

import json
import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.accounts import sms_login
from tests.factories import citizen, staff

pytestmark = pytest.mark.django_db
URL = "/accounts/sms-login/"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    settings.SMS_FILE_DIR = tmp_path
    return tmp_path


@pytest.fixture
def user():
    return citizen(username="zhang", phone=PHONE)


def texts(sms_dir):
    return (
        [
            json.loads(p.read_text())
            for p in sorted((sms_dir / "messages").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        ]
        if (sms_dir / "messages").exists()
        else []
    )


def last_code(sms_dir):
    return re.search(r"(\d{6})", texts(sms_dir)[-1]["text"]).group(1)


def send(client, phone=PHONE, **extra):
    return client.post(URL, {"step": "send", "send-phone": phone}, follow=True, **extra)


def verify(client, code, phone=PHONE, **extra):
    return client.post(URL, {"step": "verify", "verify-phone": phone, "verify-code": code}, **extra)


def test_the_login_page_links_to_it(client):
    assert URL in client.get(reverse("accounts:login")).content.decode()


def test_a_code_signs_the_user_in_once(client, user, sms_dir):
    r = send(client)
    assert r.status_code == 200 and "验证码已发送" in r.content.decode()
    [message] = texts(sms_dir)
    assert message["phone"] == PHONE and "5分钟" in message["text"]
    code = last_code(sms_dir)
    r = verify(client, code)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").wsgi_request.user == user
    client.logout()
    r = verify(client, code)  # single use
    assert r.status_code == 400 and "验证码错误或已失效" in r.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_the_code_is_kept_only_as_a_hash_in_the_cache(client, user, sms_dir, django_assert_max_num_queries):
    send(client)
    code = last_code(sms_dir)
    code_key, _tries = sms_login._keys(PHONE)
    stored = cache.get(code_key)
    assert stored and code not in stored and PHONE not in code_key and len(stored) == 64
    from portal.notifications.models import Notification

    assert Notification.objects.count() == 0  # not in the outbox, not in the database


def test_a_code_expires_after_five_minutes(client, user, sms_dir, monkeypatch):
    assert sms_login.CODE_TTL_SECONDS == 5 * 60
    monkeypatch.setattr(sms_login, "CODE_TTL_SECONDS", 1)  # the cache (locmem or Redis) drops it on time
    send(client)
    code = last_code(sms_dir)
    time.sleep(1.5)
    assert verify(client, code).status_code == 400


def test_five_wrong_codes_kill_it(client, user, sms_dir):
    send(client)
    code = last_code(sms_dir)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert verify(client, wrong).status_code == 400
    r = verify(client, code)
    assert r.status_code == 400 and not client.get("/").wsgi_request.user.is_authenticated


def test_the_right_code_on_the_fifth_try_still_works(client, user, sms_dir):
    send(client)
    code = last_code(sms_dir)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        verify(client, wrong)
    assert verify(client, code).status_code == 302


def test_unknown_staff_and_registered_numbers_get_the_same_answer(client, user, sms_dir):
    staff("clerk", phone="13800000001")
    answers = []
    for phone in (PHONE, "13700000000", "13800000001"):
        r = send(client, phone)
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", r.content.decode())
        answers.append((r.status_code, page.replace(phone, "")))
    assert answers[0] == answers[1] == answers[2]
    assert [m["phone"] for m in texts(sms_dir)] == [PHONE]  # only the applicant got a message


def test_a_malformed_number_or_code_is_a_form_error(client, user):
    assert send(client, "12345").status_code == 400
    assert verify(client, "12ab56").status_code == 400


def test_requests_per_number_are_limited(client, user, sms_dir):
    assert send(client).status_code == 200
    r = send(client)  # 1 a minute
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
    assert len(texts(sms_dir)) == 1


def test_requests_per_number_per_hour_are_limited(client, user, sms_dir, settings):
    settings.PORTAL_RATELIMITS = {"sms-send-phone-minute": "100/m"}  # the hourly limit alone
    codes = [send(client, REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    assert len(texts(sms_dir)) == 5


def test_requests_per_address_are_limited(client, user, sms_dir):
    codes = [send(client, f"1390000{i:04d}").status_code for i in range(11)]
    assert codes == [200] * 10 + [429]


def test_attempts_per_number_are_limited(client, user, sms_dir):
    codes = [verify(client, "000000", REMOTE_ADDR=f"10.0.1.{i}").status_code for i in range(11)]
    assert codes == [400] * 10 + [429]


def test_the_next_address_is_kept_but_never_another_site(client, user, sms_dir):
    send(client)
    r = client.post(
        URL,
        {"step": "verify", "verify-phone": PHONE, "verify-code": last_code(sms_dir), "next": "/cases/mine/"},
    )
    assert r["Location"] == "/cases/mine/"
    client.logout()
    cache.clear()
    send(client)
    r = client.post(
        URL,
        {
            "step": "verify",
            "verify-phone": PHONE,
            "verify-code": last_code(sms_dir),
            "next": "https://evil.example/",
        },
    )
    assert r["Location"] == "/"


# --- API ------------------------------------------------------------------------------------------


def test_api_code_and_token(client, user, sms_dir):
    r = client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, content_type="application/json")
    unknown = client.post("/api/v1/auth/sms-code/", {"phone": "13700000000"}, content_type="application/json")
    assert r.status_code == unknown.status_code == 202 and r.json() == unknown.json()
    code = last_code(sms_dir)
    bad = client.post(
        "/api/v1/auth/sms-token/", {"phone": PHONE, "code": "12345x"}, content_type="application/json"
    )
    assert bad.status_code == 400
    r = client.post(
        "/api/v1/auth/sms-token/", {"phone": PHONE, "code": code}, content_type="application/json"
    )
    assert r.status_code == 200
    me = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert me.status_code == 200 and me.json()["username"] == "zhang"
    again = client.post(
        "/api/v1/auth/sms-token/", {"phone": PHONE, "code": code}, content_type="application/json"
    )
    assert again.status_code == 400 and "失效" in again.json()["detail"]


def test_api_is_limited_with_a_json_429(client, user, sms_dir):
    client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, content_type="application/json")
    r = client.post("/api/v1/auth/sms-code/", {"phone": PHONE}, content_type="application/json")
    assert r.status_code == 429 and "过于频繁" in r.json()["detail"]
    assert len(texts(sms_dir)) == 1
    codes = [
        client.post(
            "/api/v1/auth/sms-token/",
            {"phone": PHONE, "code": "000000"},
            content_type="application/json",
            REMOTE_ADDR=f"10.0.2.{i}",
        ).status_code
        for i in range(11)
    ]
    assert codes[-1] == 429


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/auth/sms-code/" in schema and "/api/v1/auth/sms-token/" in schema
