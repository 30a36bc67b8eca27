"""End-to-end tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The tests are marked ``e2e``. Without /usr/bin/chromium they are skipped with a reason, except under CI
(``CI`` set), where a missing browser is an error: ``.ci/run`` installs it first.

Each page a test visits is saved as a full-page screenshot in ``var/e2e-artifacts/<test>/<nn>-<name>.png``
(under ``PORTAL_VAR_DIR`` when it is set: .ci/run's PostgreSQL pass keeps its own beside the SQLite pass's)
and checked with axe-core (serious and critical violations fail the test).
"""

from __future__ import annotations

import os
import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(django_settings.VAR_DIR) / "e2e-artifacts"
PASSWORD = "demo12345"
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    mine = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    for item in mine:
        item.add_marker(pytest.mark.e2e)
    if mine and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise pytest.UsageError(
                f"CI: the end-to-end tests need Chromium at {CHROMIUM}; install it (apt-get install chromium)"
            )
        skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium); runs in CI")
        for item in mine:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API keeps an event loop running in the test thread
    while it is started, and Django refuses ORM calls from such a thread unless told it is deliberate:
    the flag is set only while the browser runs (module scope), so the rest of the suite keeps the check."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            args = ["--no-sandbox", "--disable-dev-shm-usage", "--font-render-hinting=none"]
            # the browser's own words (a file field's button, a date picker's month) in Chinese, as a
            # citizen's browser shows them: Chromium on Linux takes them from LANGUAGE (not --lang), and
            # Debian's chromium-l10n carries the translations
            env = {**os.environ, "LANGUAGE": "zh_CN"}
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args, env=env)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with a media prefix nobody requests: Django's live server wraps
    the site in a handler built from MEDIA_URL, and the portal never serves media (``MEDIA_URL = None``),
    which that handler cannot parse. Uploads stay reachable only through the permission-checked views."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    with override_settings(MEDIA_URL="/__media-never-served__/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def demo(live_server, settings, tmp_path):
    """The demo data (README's logins) on the live server; uploads go to a temporary directory."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=StringIO())
    return live_server


class Pages:
    """Screenshots and axe-core checks of every page a test visits."""

    def __init__(self, name: str) -> None:
        self.dir = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name).strip("_")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0
        self.problems: list[str] = []
        self.unchecked: list = []  # pages only screenshotted (already checked in another test)
        self._axe: Any = None

    def shot(self, page, name: str, *, axe: bool = True) -> None:
        self.n += 1
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{name}.png"), full_page=True)
        if axe and page not in self.unchecked:
            self.check(page, name)

    def check(self, page, name: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        if self._axe is None:
            self._axe = Axe()
        result = self._axe.run(page)
        for v in result.response["violations"]:
            if v.get("impact") in BLOCKING_IMPACTS:
                nodes = "\n".join(
                    f"      {n['target']}: {n.get('failureSummary', '').splitlines()[-1:]}"
                    for n in v["nodes"][:5]
                )
                self.problems.append(
                    f"[{name}] {page.url}\n  {v['impact']} {v['id']}: {v['help']} "
                    f"({len(v['nodes'])} nodes)\n{nodes}"
                )

    def assert_accessible(self) -> None:
        assert not self.problems, "axe-core found serious/critical violations:\n" + "\n".join(self.problems)


@pytest.fixture
def pages(request):
    return Pages(request.node.name)


def _blocked(page, msg) -> bool:
    """A message of the Content-Security-Policy, except the admin's refused style attributes (jQuery's
    feature probes, a padding: docs/security.md says why they stay refused)."""
    if "Content Security Policy" not in msg.text:
        return False
    return not ("/admin/" in page.url and "Applying inline style" in msg.text)


@pytest.fixture
def new_page(browser, demo):
    """``new_page(locale="zh-CN", **context_options)``: a page in a fresh browser context (own cookies)."""
    contexts, blocked = [], []

    def make(locale: str = "zh-CN", **options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        ctx = browser.new_context(locale=locale, base_url=demo.url, **options)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        # anything the Content-Security-Policy blocks is a broken page: Chromium reports it on the console
        page.on(
            "console", lambda msg: blocked.append(f"{page.url}: {msg.text}") if _blocked(page, msg) else None
        )
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not blocked, "the Content-Security-Policy blocked something:\n" + "\n".join(blocked)


def login(page, username: str, password: str = PASSWORD, pages: Pages | None = None) -> None:
    page.goto("/accounts/login/")
    if pages is not None:
        pages.shot(page, f"login-{username}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
