"""API tokens that can be revoked (issue 17, failure 5): django-rest-knox tokens, stored hashed, one per
device, expiring, revoked by logout, logout-all and a password change. The endpoint keeps its contract:
POST username + password → 200 {"token": …} (plus "expiry"), used as ``Authorization: Token <token>``."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import citizen

pytestmark = pytest.mark.django_db
PASSWORD = "Zq8!long-pass"


@pytest.fixture
def user():
    user = citizen(username="li")
    user.set_password(PASSWORD)
    user.save()
    return user


def token_for(device: str = "", **extra) -> str:
    r = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "li", "password": PASSWORD, "device": device, **extra},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["expiry"]
    return r.json()["token"]


def me(token: str) -> int:
    return APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_a_token_works_and_the_database_holds_only_its_hash(user):
    token = token_for()
    assert me(token) == 200
    stored = AuthToken.objects.get(user=user)
    assert token not in (stored.digest, stored.token_key)


def test_asking_again_gives_a_new_token_and_revokes_the_old_one_of_that_device(user):
    first = token_for("phone")
    tablet = token_for("tablet")
    second = token_for("phone")
    assert first != second
    assert me(first) == 401 and me(second) == 200 and me(tablet) == 200
    assert AuthToken.objects.filter(user=user).count() == 2


def test_logout_revokes_this_token_and_logout_all_every_token(user):
    phone, tablet = token_for("phone"), token_for("tablet")
    r = APIClient().post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {phone}")
    assert r.status_code == 204
    assert me(phone) == 401 and me(tablet) == 200
    laptop = token_for("laptop")
    r = APIClient().post("/api/v1/auth/logout-all/", HTTP_AUTHORIZATION=f"Token {laptop}")
    assert r.status_code == 204
    assert me(tablet) == 401 and me(laptop) == 401
    assert not AuthToken.objects.exists()


def test_a_password_change_revokes_every_token(user, client):
    token = token_for("phone")
    client.force_login(user)
    r = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Yr7?other-pass", "new_password2": "Yr7?other-pass"},
    )
    assert r.status_code == 302
    assert me(token) == 401
    user.refresh_from_db()
    user.set_password("Xq6!third-pass")  # any path that sets a password (admin, changepassword …)
    token2 = APIClient().post("/api/v1/auth/token/", {"username": "li", "password": "Yr7?other-pass"}).json()
    assert me(token2["token"]) == 200
    user.save()
    assert me(token2["token"]) == 401


def test_a_token_expires(user, settings):
    token = token_for()
    later = timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert me(token) == 401
    assert not AuthToken.objects.exists()  # an expired token is deleted when it is next presented


def test_an_expired_token_is_refused_while_another_device_still_works_and_beat_deletes_the_rest(
    user, settings
):
    """Authentication no longer reads the user's other tokens on every request (issue 19: one query less
    per API call): each token's own expiry is checked when it is presented, and the hourly task deletes
    the expired ones nobody presents."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.accounts.tasks import purge_expired_tokens
    from portal.schedule import BEAT_SCHEDULE

    old = token_for("old-phone")
    AuthToken.objects.filter(device__name="old-phone").update(
        expiry=timezone.now() - datetime.timedelta(days=1)
    )
    tablet = token_for("tablet")
    idle = token_for("idle")
    AuthToken.objects.filter(device__name="idle").update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    with CaptureQueriesContext(connection) as queries:
        assert me(tablet) == 200
    every_token_of_the_user = 'FROM "knox_authtoken" WHERE "knox_authtoken"."user_id"'
    assert not [q for q in queries.captured_queries if every_token_of_the_user in q["sql"]]
    assert AuthToken.objects.count() == 3  # the tablet's request leaves the others to the task
    assert me(old) == 401
    assert me(idle) == 401
    assert AuthToken.objects.count() == 1  # a presented expired token is deleted, as before

    stale = token_for("stale")
    AuthToken.objects.filter(device__name="stale").update(expiry=timezone.now() - datetime.timedelta(hours=2))
    assert purge_expired_tokens.apply().get() == 1  # the task beat runs, in this process
    assert me(tablet) == 200 and me(stale) == 401
    assert any(e["task"] == "portal.accounts.tasks.purge_expired_tokens" for e in BEAT_SCHEDULE.values())


def test_a_wrong_password_is_400_with_a_message_and_no_token(user):
    r = APIClient().post("/api/v1/auth/token/", {"username": "li", "password": "wrong"}, format="json")
    assert r.status_code == 400 and r.json()["non_field_errors"]
    assert not AuthToken.objects.exists()
