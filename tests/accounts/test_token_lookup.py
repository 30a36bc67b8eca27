"""The API token's look-up (issue 19): knox's query, its SQL compiled once per process on PostgreSQL
(portal/accounts/auth.py, portal.compiled_sql.compiled_objects). What a client sees stays knox's: the same
user behind the token (every field loaded: no query for a missing column later), the same answers, 401 with
``WWW-Authenticate: Token`` for a wrong, malformed or expired token."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient

from portal.accounts.models import User
from tests.approvals.factories import CaseFactory
from tests.factories import ApplicationFactory, citizen

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    return AuthToken.objects.create(user)[1]


def _get(path: str, token: str):
    return APIClient().get(path, HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_reads_its_user_whole_in_the_one_token_query():
    user = citizen(username="wang", real_name="王芳")
    CaseFactory(application=ApplicationFactory(applicant=user))
    token = _token(user)
    with CaptureQueriesContext(connection) as queries:
        r = _get("/api/v1/cases/", token)
    assert r.status_code == 200 and r.json()["count"] == 1
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sqls if 'FROM "knox_authtoken"' in s]) == 1
    # the user came with the token, every column of it: no later query reads the user row again
    assert not [s for s in sqls if 'FROM "accounts_user"' in s]
    # and the same answer as for the same user signed in on a page (session)
    session = APIClient()
    session.force_login(user)
    assert session.get("/api/v1/cases/").json() == r.json()
    assert _get("/api/v1/auth/me/", token).json() == session.get("/api/v1/auth/me/").json()


def test_tokens_that_share_a_key_each_sign_in_their_own_user():
    """knox looks a token up by its first characters and compares the digest of the whole: two tokens
    with the same key (unlikely, possible) are told apart by their digests."""
    li, zhao = citizen(username="li"), citizen(username="zhao")
    first = _token(li)
    key = first[: CONSTANTS.TOKEN_KEY_LENGTH]
    second = AuthToken.objects.create(zhao, prefix=key)[1]  # starts with the same characters
    assert second[: CONSTANTS.TOKEN_KEY_LENGTH] == key and second != first
    assert AuthToken.objects.filter(token_key=key).count() == 2
    assert _get("/api/v1/auth/me/", first).json()["username"] == "li"
    assert _get("/api/v1/auth/me/", second).json()["username"] == "zhao"
    assert _get("/api/v1/auth/me/", second[:-1] + ("A" if second[-1] != "A" else "B")).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token nosuchtoken0123456789", "Token ", "Token two parts", "Token 'or'1'='1", "Token %s%%"],
)
def test_a_wrong_token_is_401_with_www_authenticate(header):
    citizen(username="li")
    r = APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == "Token"
    assert "Set-Cookie" not in r


def test_an_inactive_users_token_is_refused():
    user = citizen(username="li")
    token = _token(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    r = _get("/api/v1/auth/me/", token)
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Token"


def test_an_expired_token_is_refused_and_deleted():
    user = citizen(username="li")
    token = _token(user)
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _get("/api/v1/auth/me/", token).status_code == 401
    assert not AuthToken.objects.exists()


@pytest.mark.postgres
def test_on_postgresql_the_compiled_look_up_gives_knoxs_objects():
    """The compiled query gives what knox's queryset gives: the token rows of the key with their user
    cached on them, every field equal, as loaded from the database (not new, not changed)."""
    from portal import compiled_sql
    from portal.accounts.auth import _tokens

    user = citizen(username="li", real_name="李四", phone="13800000000")
    user.last_login = timezone.now()
    user.save()
    token = _token(user)
    key = token[: CONSTANTS.TOKEN_KEY_LENGTH]
    for _ in range(2):  # compiled on the first call, read through the kept SQL on the second
        found = _tokens(key, with_roles=True)
        expected = list(AuthToken.objects.filter(token_key=key).select_related("user"))
        assert len(found) == len(expected) == 1
        # the compiled query also brings the user's roles (portal.accounts.auth._ROLES)
        assert found[0].portal_role_names == ["citizen"]
        assert {k: v for k, v in vars(found[0]).items() if k not in ("_state", "portal_role_names")} == {
            k: v for k, v in vars(expected[0]).items() if k != "_state"
        }
        assert vars(found[0].user).keys() == vars(expected[0].user).keys()
        assert {k: v for k, v in vars(found[0].user).items() if k != "_state"} == {
            k: v for k, v in vars(expected[0].user).items() if k != "_state"
        }
        assert found[0]._state.db == "default" and not found[0]._state.adding
        assert found[0].user._state.db == "default" and not found[0].user._state.adding
        assert not found[0].user.get_deferred_fields()
    assert compiled_sql._OBJECTS[("knox-token", AuthToken._meta.label, True)] is not None  # the SQL is kept
    assert not hasattr(_tokens(key)[0], "portal_role_names")  # only where a view asks for them
    assert _tokens("no-such-key") == []


def _apply(token: str):
    """An online submission (applicants only) with an empty body: 400 for an applicant, 403 for others."""
    return APIClient().post("/api/v1/applications/", {}, format="json", HTTP_AUTHORIZATION=f"Token {token}")


def test_a_role_taken_away_or_renamed_is_gone_at_the_tokens_next_request():
    """The user's roles come with the token on PostgreSQL (portal/accounts/auth.py, issue 19): read on
    every request, never kept, so a role removed, given back or whose group is renamed holds for the very
    next request, and an applicant's call reads them in no query of their own."""
    from django.contrib.auth.models import Group

    user = citizen(username="li")
    token = _token(user)
    with CaptureQueriesContext(connection) as queries:
        assert _apply(token).status_code == 400
    sqls = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert [s for s in sqls if '"auth_group"' in s] == [s for s in sqls if 'FROM "knox_authtoken"' in s]
    # a view that checks no role reads the token without them
    with CaptureQueriesContext(connection) as queries:
        assert _get("/api/v1/auth/me/", token).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if '"auth_group"' in q["sql"]]
    group = Group.objects.get(name="citizen")
    user.groups.remove(group)
    assert _apply(token).status_code == 403
    group.user_set.add(user)
    assert _apply(token).status_code == 400
    group.name = "citizen-old"
    group.save()
    assert _apply(token).status_code == 403
