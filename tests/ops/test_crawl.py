"""Every page a demo user can reach by following links answers without a server error, in both languages."""

import re
from collections import deque
from io import StringIO

import pytest
from django.core.management import call_command

LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')
SKIP = ("/accounts/logout", "/admin/", "/api/", "/i18n/", "/static/", "/materials/", "/supervision/export")


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=StringIO())


@pytest.mark.parametrize(
    "username", ["citizen", "enterprise", "clerk", "reviewer", "decider", "head", "inspector", "admin", None]
)
def test_no_page_reachable_by_links_fails(demo, client, username):
    from portal.accounts.models import User

    if username:
        client.force_login(User.objects.get(username=username))
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        _crawl(client, username, language)


def _crawl(client, username, language):
    seen, queue, pages = set(), deque(["/"]), 0
    while queue and pages < 80:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        pages += 1
        assert response.status_code < 500, (username, url, response.status_code)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            if language == "en" and url == "/":
                assert 'lang="en"' in html
            for link in LINK.findall(html):
                if link not in seen:
                    queue.append(link)
    assert pages > 3
