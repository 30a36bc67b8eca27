"""CSRF: every POST form on every page the demo users reach carries a CSRF token, and every URL such a form
posts to refuses a POST without the token (403) when the browser's checks are on. The API refuses session
(cookie) writes without the token too; token-authenticated clients are not cookie-based and need none."""

import re
import subprocess
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')
SKIP = (
    "/accounts/logout",
    "/admin/logout",
    "/static/",
    "/materials/",
    "/supervision/export",
    "/api/",
    "/accounts/my-data",
)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "inputs": [],
            }
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None:
            self._open["inputs"].append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SMS_FILE_DIR = tmp_path / "sms"
    call_command("load_demo", stdout=StringIO())


def crawl_forms(client, start, limit=70):
    """{form action URL: page it was found on} for every POST form on the pages reached by links."""
    seen, queue, actions, pages = set(), deque(start), {}, 0
    while queue and pages < limit:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP) or re.search(r"/(delete|history/\d+)/$", url):
            continue
        seen.add(url)
        response = client.get(url)
        pages += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in post_forms(html):
            assert "csrfmiddlewaretoken" in form["inputs"], (url, form)
            action = urlsplit(urljoin(url, form["action"] or url)).path
            actions.setdefault(action, url)
        queue.extend(link for link in LINK.findall(html) if link not in seen)
    return actions


ROLES = ["citizen", "enterprise", "clerk", "reviewer", "decider", "inspector", "admin", None]


@pytest.mark.parametrize("username", ROLES)
def test_every_post_form_has_a_token_and_its_url_refuses_a_post_without_one(demo, username):
    from portal.accounts.models import User

    browser, checked = Client(), Client(enforce_csrf_checks=True)
    if username:
        user = User.objects.get(username=username)
        browser.force_login(user)
        checked.force_login(user)
    start = [
        "/",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/sms-login/",
        "/cases/progress/",
        "/complaints/",
        "/accounts/preferences/",
    ]
    if username == "citizen":  # a draft, for the apply form with its uploads
        from intake.models import Item
        from intake.services.applications import application_create_draft

        draft = application_create_draft(
            item=Item.objects.filter(materials__isnull=False).first(), applicant=user, actor=user
        )
        start.append(f"/applications/{draft.pk}/edit/")
    if username == "admin":
        start += [
            "/admin/",
            "/admin/intake/item/add/",
            "/admin/intake/item/import/",
            "/admin/intake/item/export/",
        ]
    actions = crawl_forms(browser, start)
    assert actions, "no POST form found"
    for action, page in actions.items():
        r = checked.post(action, {"anything": "1"})
        assert r.status_code == 403, (username, action, "found on", page, r.status_code)
    if username is None:
        assert {
            "/accounts/login/",
            "/accounts/register/",
            "/accounts/sms-login/",
            "/cases/progress/",
            "/complaints/",
            "/i18n/setlang/",
        } <= set(actions)
    if username == "clerk":
        assert any(re.match(r"^/cases/[^/]+/(do/\w+|check)/$", a) for a in actions), actions
    if username == "citizen":
        assert any(re.match(r"^/applications/\d+/edit/$", a) for a in actions), actions
        assert any(re.match(r"^/items/[^/]+/apply/$", a) for a in actions), actions


def test_the_api_refuses_a_session_write_without_the_token_but_not_a_token_client(demo):
    from portal.accounts.models import User
    from portal.accounts.services import api_token_issue

    citizen = User.objects.get(username="citizen")
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(citizen)
    r = checked.post("/api/v1/applications/", {"item": "nope"}, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    token, _expiry = api_token_issue(user=citizen)
    r = Client(enforce_csrf_checks=True).post(
        "/api/v1/applications/",
        {"item": "nope"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert r.status_code == 400  # past authentication and CSRF, refused for its content


def test_no_view_is_csrf_exempt():
    found = subprocess.run(
        [
            "grep",
            "-rln",
            "csrf_exempt",
            "--include=*.py",
            "portal",
            "intake",
            "approvals",
            "supervision",
            "complaints",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert found == []
