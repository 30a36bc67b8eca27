"""Content-Security-Policy: every HTML page a demo user reaches by links (the admin and the API docs too)
carries the policy, its script-src allows no inline code, and no page has an inline script or an inline
event handler a browser would then refuse."""

import re
from collections import deque
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command

LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')
SKIP = (
    "/accounts/logout",
    "/admin/logout",
    "/i18n/",
    "/static/",
    "/materials/",
    "/supervision/export",
    "/api/v1/",
    "/api/schema/",
)
# Data blocks (json_script) are never executed, so CSP does not govern them.
DATA_TYPES = {"application/json", "application/ld+json"}


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name.lower() in ("href", "src", "action") and (attrs[name] or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and not attrs.get("src") and (attrs.get("type") or "").lower() not in DATA_TYPES:
            self.problems.append("<script> without src")


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.problems


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_policy(response, url):
    header = response.get("Content-Security-Policy", "")
    assert header, f"{url}: no Content-Security-Policy header"
    policy = directives(header)
    assert policy["script-src"] == ["'self'"], (url, header)
    assert "'unsafe-inline'" not in policy["default-src"] and "'unsafe-eval'" not in header, (url, header)
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], (url, header)
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], (url, header)
    assert policy["img-src"] == ["'self'", "data:"], (url, header)
    assert policy["style-src"] == (["'self'", "'unsafe-inline'"] if url == "/api/redoc/" else ["'self'"]), (
        url,
        header,
    )


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=StringIO())


def crawl(client, start, limit):
    seen, queue, html_pages = set(), deque(start), []
    while queue and len(html_pages) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP) or re.search(r"/(delete|history/\d+)/$", url):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            html_pages.append(url)
            assert_policy(response, url)
            assert inline_code(html) == [], url
            queue.extend(link for link in LINK.findall(html) if link not in seen)
    return html_pages


@pytest.mark.parametrize("username", ["citizen", "enterprise", "clerk", "reviewer", "inspector", None])
def test_every_page_has_the_policy_and_no_inline_code(demo, client, username):
    from portal.accounts.models import User

    if username:
        client.force_login(User.objects.get(username=username))
    start = [
        "/",
        "/accounts/login/",
        "/accounts/sms-login/",
        "/cases/progress/",
        "/complaints/",
        "/api/docs/",
        "/api/redoc/",
    ]
    pages = crawl(client, start, 60)
    assert len(pages) > 8, pages
    if username == "inspector":
        assert any(p.startswith("/supervision/") for p in pages)


def test_admin_and_import_export_pages_have_the_policy_and_no_inline_code(demo, client):
    from portal.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    start = [
        "/admin/",
        "/admin/intake/item/",
        "/admin/intake/item/import/",
        "/admin/intake/item/export/",
        "/admin/intake/item/add/",
    ]
    pages = crawl(client, start, 45)
    assert {"/admin/", "/admin/intake/item/import/", "/admin/intake/item/export/"} <= set(pages), pages


def test_the_checker_finds_inline_code():
    assert inline_code('<script>alert(1)</script><a onclick="x()">a</a><a href="javascript:x()">b</a>') == [
        "<script> without src",
        "<a onclick=…>",
        "<a href=javascript:…>",
    ]
    assert (
        inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []
    )


def test_swagger_ui_loads_its_start_up_code_as_a_script_file(client, db):
    from portal.accounts.models import User

    client.force_login(User.objects.create_user("dev", password="x"))
    page = client.get("/api/docs/")
    assert page.status_code == 200 and inline_code(page.content.decode()) == []
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page.content.decode())
    assert script, page.content.decode()
    code = client.get(script.group(1).replace("&amp;", "&"))
    assert code.status_code == 200 and code["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in code.content and b"/api/schema/" in code.content


@pytest.mark.django_db
def test_the_policy_built_once_is_the_same_on_an_api_answer_and_follows_a_changed_setting(client, settings):
    """portal.middleware.CachedCSPMiddleware (issue 19) builds the default policy once per process: the
    API's JSON answers carry the pages' policy, a view's own policy (the Redoc page) is still its own, and
    a changed setting is not hidden by the cached string."""
    page = client.get("/items/")["Content-Security-Policy"]
    assert client.get("/api/v1/items/")["Content-Security-Policy"] == page
    assert "'unsafe-inline'" in client.get("/api/redoc/")["Content-Security-Policy"]
    assert client.get("/items/")["Content-Security-Policy"] == page  # the Redoc page's policy not kept
    policy = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}}
    settings.CONTENT_SECURITY_POLICY = policy
    assert directives(client.get("/items/")["Content-Security-Policy"])["img-src"] == ["'self'"]
