"""No English word or code name on a Chinese page (issue 16, DESIGN §12: "codes and field keys never reach the
screen"), on every page the staff and the admins work on, with the demo data, in Simplified Chinese:

- every model of the admin: its list, its add form, the change form and the history of one of its rows;
- every page a staff member reaches by following links from their home page (the window, the reviewer, the
  decider, the head, the efficiency office), one page per URL shape.

What counts as visible: the text of the page (not scripts or styles) and what is read out or shown for an
element (``alt``, ``title``, ``placeholder``, ``aria-label``, a button's ``value``). A Latin word there is a
finding unless it is a known abbreviation (PDF, API, ID, Excel, SMS, QR…), a name in the demo data (the
demo logins, an English item name) or part of a reference, a code, a file name, an address or a number. The
values of every TextChoices and the names of the form fields are found by the same scan (a code is a
Latin word)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

# abbreviations a Chinese government page writes in Latin letters
WHITELIST = {"PDF", "API", "ID", "Excel", "SMS", "QR", "JPG", "PNG", "OFD", "CSV", "English", "CA"}
# the keys a Chinese help text names as they are printed on the keyboard (Django's "按住 Control…")
WHITELIST |= {"Control", "Command", "Mac"}
# not the interface: scripts and styles, and a textarea's content (what was typed: a message template's
# English wording is data, edited in its own language)
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "textarea"}
SHOWN_ATTRS = {"alt", "title", "placeholder", "aria-label"}
# a Latin run inside a token that is not a word: references, codes, file names, addresses, numbers, times
NOT_WORDS = re.compile(
    r"[\w.+-]+@[\w.-]+"  # e-mail
    r"|https?://\S+|/[\w/.<>-]*"  # addresses
    # anything else with a digit in it (SP-20260101-000009, SCJG-001, 2026-09-24), but not a numbered field
    # key (files_2, material_12): those are findings
    r"|(?<![\w])(?![a-z_]+_\d+(?![\w-]))[\w-]*\d[\w-]*(?:\.\w+)?"
    r"|\S*\*{2,}\S*"  # a masked value (a password hash's salt, an ID number)
    r"|\{[\w.]+(?::\w+)?\}"  # a placeholder an admin types into a pattern ({year}, {seq:06d})
    r"|[\w\u4e00-\u9fff-]+\.(?:pdf|jpe?g|png|xlsx|csv|ofd)\b",  # file names
    re.IGNORECASE,
)
# two letters or more: a single capital is a queue-number prefix (A, B…)
WORD = re.compile(r"(?<![\w])[A-Za-z][A-Za-z_]+(?![\w])")
STAFF = ["clerk", "reviewer", "decider", "head", "inspector"]
SKIP_PATHS = (
    "/accounts/logout",
    "/accounts/my-data",
    "/admin/",
    "/api/",
    "/i18n/",
    "/static/",
    "/materials/",
    "/supervision/export",
    "/supervision/monthly-report",
    "/hall/screen",  # the calling screen refreshes itself; its words are checked in tests/hall
)
MAX_PAGES = 40


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """The text a person sees or hears: not scripts and styles, nor what is hidden from everyone
    (``hidden``, ``aria-hidden="true"``: a honeypot field, a decorative icon)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.open: list[tuple[str, bool]] = []  # the open elements, and whether each hides its content
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        hides = tag in SKIP_TAGS or "hidden" in attrs or attrs.get("aria-hidden") == "true"
        if tag not in VOID:
            self.open.append((tag, hides))
            if hides:
                self.skip += 1
        if self.skip or hides:
            return
        if tag == "input" and attrs.get("type") == "hidden":
            return
        for name in SHOWN_ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not any(name == tag for name, _hides in self.open):
            return
        while self.open:
            name, hides = self.open.pop()
            if hides:
                self.skip -= 1
            if name == tag:
                break

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts), parser.links


def allowed_names() -> set[str]:
    """Latin words that are data, not words of the interface: the demo logins, English names of items and
    departments, the names of people and organisations typed into the demo."""
    from intake.models import Item
    from portal.accounts.models import Department, User

    names: set[str] = set()
    for value in [
        *User.objects.values_list("username", flat=True),
        *User.objects.values_list("real_name", flat=True),
        *User.objects.values_list("email", flat=True),
        *Item.objects.values_list("name_en", flat=True),
        *Department.objects.values_list("code", flat=True),
    ]:
        names |= set(WORD.findall(value or ""))
    return names


def english_words(html: str, allowed: set[str]) -> set[str]:
    text, _links = visible(html)
    text = NOT_WORDS.sub(" ", text)
    return {w for w in WORD.findall(text) if w not in WHITELIST and w not in allowed}


def shape(path: str) -> str:
    path = re.sub(r"/[A-Z]{2}-\d{8}-\d{6}/", "/<ref>/", path)
    path = re.sub(r"/[A-Z]+-\d{3}/", "/<code>/", path)
    return re.sub(r"/\d+/", "/<n>/", path)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("load_demo", stdout=StringIO())


def _get(client, url: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def _admin_urls() -> list[str]:
    """Every registered model's list, add form, one change form and that row's history."""
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        try:
            changelist = reverse(f"admin:{info[0]}_{info[1]}_changelist")
        except NoReverseMatch:
            continue
        if model._meta.label_lower == "notifications.messagetemplate":
            changelist += "?language__exact=zh-hans"
        urls.append(changelist)
        urls.append(reverse(f"admin:{info[0]}_{info[1]}_add"))  # refused (403) where nobody may add
        rows = model._default_manager.order_by("-pk")
        if model._meta.label_lower == "notifications.messagetemplate":  # the Chinese wording, not the English
            rows = rows.filter(language="zh-hans")
        row = rows.first()
        if row is not None:
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_change", args=[row.pk]))
            if hasattr(model_admin, "history_view"):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_history", args=[row.pk]))
    return urls


def test_every_admin_page_is_in_chinese_words(demo, client):
    from portal.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    allowed = allowed_names()
    report, seen = [], 0
    for url in _admin_urls():
        response = _get(client, url)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, f"{url}: {response.status_code}"
        seen += 1
        found = english_words(response.content.decode(), allowed)
        if found:
            report.append(f"{url}: {sorted(found)}")
    assert seen > 60  # every model's list and a change form and history of each
    assert not report, "English words or codes on admin pages:\n" + "\n".join(report)


@pytest.mark.parametrize("username", STAFF)
def test_every_staff_page_is_in_chinese_words(demo, client, username):
    from portal.accounts.models import User

    client.force_login(User.objects.get(username=username))
    allowed = allowed_names()
    report, visited = [], []
    queue, seen = ["/"], set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url.startswith(SKIP_PATHS) or shape(url) in seen:
            continue
        seen.add(shape(url))
        response = _get(client, url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited.append(url)
        html = response.content.decode()
        found = english_words(html, allowed)
        if found:
            report.append(f"{url}: {sorted(found)}")
        for href in visible(html)[1]:
            path = urlparse(href).path
            if href.startswith("/") and path and shape(path) not in seen and not path.startswith(SKIP_PATHS):
                queue.append(path)
    assert len(visited) >= 3, visited
    assert not report, f"English words or codes on {username}'s pages:\n" + "\n".join(report)
