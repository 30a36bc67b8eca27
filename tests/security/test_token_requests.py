"""What a token client and a browser get from the API (issue 19 measured skipping the page-only work for
token calls and left it as it is; these hold whichever way it is done): a token call is given no cookie
and the same answer as the same user's browser session; a browser's session write needs its CSRF token
and passes with it; a wrong token is 401 with ``WWW-Authenticate``."""

import pytest
from django.test import Client
from knox.models import AuthToken

from tests.approvals.factories import CaseFactory
from tests.factories import ApplicationFactory, citizen

pytestmark = pytest.mark.django_db
CSRF_SECRET = "a" * 32  # a well-formed CSRF cookie value


def test_a_token_call_gets_no_cookie_and_the_same_answer_as_the_session():
    user = citizen(username="wang")
    CaseFactory(application=ApplicationFactory(applicant=user))
    token = AuthToken.objects.create(user)[1]
    r = Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert not r.cookies and "Set-Cookie" not in r
    assert r["Content-Language"] == "en"
    assert r["Cache-Control"] == "private, no-store"
    assert r["X-Frame-Options"] == "DENY" and r["Content-Security-Policy"]
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in r["Vary"].split(",")}
    browser = Client()
    browser.force_login(user)
    assert browser.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="en").json() == r.json()


def test_a_session_write_to_the_api_passes_with_its_csrf_token_and_not_without():
    user = citizen(username="wang")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.cookies["csrftoken"] = CSRF_SECRET
    without = browser.post("/api/v1/applications/", {"item": "nope"}, content_type="application/json")
    assert without.status_code == 403 and "CSRF" in without.json()["detail"]
    with_token = browser.post(
        "/api/v1/applications/",
        {"item": "nope"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert with_token.status_code == 400  # past authentication and CSRF, refused for its content


def test_a_wrong_token_is_401_with_www_authenticate_and_no_cookie():
    r = Client().get("/api/v1/cases/", HTTP_AUTHORIZATION="Token not-a-token-of-anyone")
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == "Token"
    assert not r.cookies
