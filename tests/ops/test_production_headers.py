"""With the production settings (DEBUG off, as docker-compose runs it) every answer carries HSTS and the
policy headers, plain HTTP is redirected to HTTPS, and the session and CSRF cookies are Secure and
SameSite, the session cookie HttpOnly. The settings are computed by a fresh process from the production
environment (what settings.py really derives), then applied here to real requests."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import citizen

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "ALLOWED_HOSTS",
    "SECURE_PROXY_SSL_HEADER",
]
HOST = "portal.example.gov.cn"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL", "DEBUG", "SECURE_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="p" * 20 + "Kq8vN2xZ7rT4mW9sB1cY6hJ3fL5dG0aE",
        PII_ENCRYPTION_KEY="e" * 20 + "Zr5Tq1Wm8Kx3Vb6Ny0Hc4Jp7Ls2Dg9Fa",
        ALLOWED_HOSTS=HOST,  # and no SECURE_* variable: the production defaults
        PORTAL_VAR_DIR=str(tmp_path_factory.mktemp("var")),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {NAMES!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def prod(settings, production):
    for name, value in production.items():
        setattr(settings, name, value)
    return settings


def test_plain_http_is_redirected_to_https(prod, client):
    assert prod.SECURE_SSL_REDIRECT is True  # by default with DEBUG off, as the README says
    r = client.get("/accounts/login/", HTTP_HOST=HOST)
    assert r.status_code == 301 and r["Location"] == f"https://{HOST}/accounts/login/"


def test_answers_carry_hsts_and_the_policy_headers(prod, client, db):
    r = client.get("/accounts/login/", HTTP_HOST=HOST, secure=True)
    assert r.status_code == 200
    assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert r["X-Content-Type-Options"] == "nosniff" and r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in r["Content-Security-Policy"]
    csrf = r.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_the_session_cookie_is_secure_httponly_and_samesite(prod, client, db):
    user = citizen(username="prod-user")
    user.set_password("Zq8!long-pass")
    user.save()
    client.get("/accounts/login/", HTTP_HOST=HOST, secure=True)
    r = client.post(
        "/accounts/login/",
        {"username": "prod-user", "password": "Zq8!long-pass"},
        HTTP_HOST=HOST,
        secure=True,
    )
    assert r.status_code == 302
    session = r.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert "Strict-Transport-Security" in r


def test_behind_the_proxy_https_is_recognised(prod, client, db):
    r = client.get("/accounts/login/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    assert r.status_code == 200 and "Strict-Transport-Security" in r
