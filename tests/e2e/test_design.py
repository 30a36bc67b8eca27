"""What a person notices about the design system (issue 16), in a real browser:

- every radio button and checkbox sits beside its label (within 40 px of the label's text), and a short
  label is never broken mid-word, at 1366 px and at 375 px;
- no page scrolls sideways on a 375 px phone, and no page refreshes itself;
- no raw code or field key reaches the screen: the values of every TextChoices of the apps and the names of
  every form field (Django forms and the controls of the pages' own forms) are looked for in each page's text;
- an invalid form shows GOV.UK's error summary, focused, each message a link that moves the focus to its field,
  the messages in words and the input kept;
- "check your answers" lists what is missing before the submit button; refreshing a confirmation page creates
  nothing;
- elder mode (长辈版), one click from the header and remembered, really enlarges the type (≥ 20 px, line
  height ≥ 1.5), keeps text contrast ≥ 7:1 (axe's enhanced-contrast rule) and touch targets ≥ 44 px, and
  passes axe like the normal pages.

Each role's pages are found by following the site's links from the home page, one page per URL shape."""

from __future__ import annotations

import importlib
import inspect
import re
from urllib.parse import urlparse

import pytest

from .conftest import login
from .test_journey import _pdf
from .test_keyboard_forms import shape

SKIP = (
    "/accounts/logout",
    "/accounts/my-data",
    "/admin/",
    "/api/",
    "/i18n/",
    "/static/",
    "/materials/",
    "/supervision/export",
    "/supervision/monthly-report",
    "/items/SCJG-",  # the item pages of one department stand for all (the crawl visits one of them)
)
MAX_PAGES = 30
ROLES = [None, "citizen", "enterprise", "clerk", "reviewer", "decider", "head", "inspector"]
WIDTHS = {"desktop-1366": {"width": 1366, "height": 900}, "phone-375": {"width": 375, "height": 800}}

# Radios and checkboxes: the gap between each control and its label's text, and short labels broken mid-word.
CONTROLS_BESIDE_LABELS = """() => {
  const bad = [];
  const checked = [];
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    if (el.closest('[aria-hidden="true"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown (a closed section)
    const label = el.labels && el.labels[0];
    if (!label) { bad.push(`${el.name}#${el.id}: no label`); continue; }
    const range = document.createRange();
    range.selectNodeContents(label);
    const rects = [...range.getClientRects()].filter(q => q.width > 1 && q.height > 1);
    if (!rects.length) continue;
    const t = rects[0];
    const dx = Math.max(0, t.left - r.right, r.left - t.right);
    const dy = Math.max(0, t.top - r.bottom, r.top - t.bottom);
    const gap = Math.round(Math.hypot(dx, dy));
    const text = label.innerText.trim();
    checked.push(`${text.slice(0, 12)}:${gap}px`);
    if (gap > 40) bad.push(`"${text.slice(0, 20)}" is ${gap}px from its ${el.type}`);
    const lines = new Set(rects.map(q => Math.round(q.top))).size;
    if (text.length <= 6 && lines > 1) bad.push(`"${text}" is broken over ${lines} lines`);
  }
  return {bad, checked};
}"""

PAGE_FACTS = """() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  text: document.body.innerText,
  refresh: !!document.querySelector('meta[http-equiv="refresh" i]'),
  fields: [...document.querySelectorAll('form [name]')].map(e => e.getAttribute('name')),
})"""

# Field names that are ordinary words or parts of the page machinery, never shown as a label.
GENERIC = {"csrfmiddlewaretoken", "next", "page", "q", "on", "language", "website", "action", "step"}


def raw_codes() -> set[str]:
    """The values of every TextChoices of the apps and the names of the fields of every Django form."""
    from django import forms
    from django.db import models

    codes: set[str] = set()
    modules = [
        "intake.constants",
        "approvals.constants",
        "supervision.constants",
        "complaints.constants",
        "portal.accounts.constants",
        "portal.notifications.constants",
        "portal.workcalendar.constants",
        "portal.accounts.forms",
        "intake.forms",
        "supervision.views",
    ]
    for name in modules:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if not inspect.isclass(obj):
                continue
            if issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                codes |= {str(v) for v in obj.values}
            elif issubclass(obj, forms.BaseForm) and obj.__module__ == name:
                codes |= set(getattr(obj, "base_fields", {}))
    codes |= {"alert_scan", "redblue_window", "redblue_department", "item_days"}
    return {c for c in codes if len(c) >= 3} - GENERIC


def code_pattern(codes: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(c) for c in codes), key=len, reverse=True))
    # a code standing alone (not part of a longer Latin word, a file name or an address), and field keys
    # of the application form and of material uploads however they are numbered
    return re.compile(
        rf"(?<![\w.@/-])(?:{alternatives}|files_\d+|material_\d+|f_[a-z_]+|result_\d+)(?![\w.@/-])"
    )


def crawl(page, visit) -> list[str]:
    """Follow the site's links from the home page, one page per URL shape, calling ``visit(url)``."""
    queue, visited = ["/"], []
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url.startswith(SKIP) or shape(url) in seen:
            continue
        seen.add(shape(url))
        try:
            response = page.goto(url)
        except Exception as exc:  # a file download
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status >= 400 or urlparse(page.url).path.startswith(SKIP):
            continue
        for href in page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))"):
            path = href.split("#")[0].split("?")[0]
            if path and shape(path) not in seen and not path.startswith(SKIP):
                queue.append(path)
        visited.append(url)
        visit(url)
    return visited


def open_rating(page) -> None:
    """The 好差评 form of a concluded case of the signed-in citizen, from the personal centre."""
    page.goto("/my/")
    page.get_by_role("link", name=re.compile("^评价“")).first.click()
    page.wait_for_load_state()
    assert page.locator("input[name=overall]").count() == 5


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_page_fits_a_phone_and_shows_no_codes(new_page, pages, username):
    """At 375 px: nothing scrolls sideways, no page refreshes itself, no code or field key is shown, and
    every radio and checkbox sits beside its label."""
    page = new_page(viewport=WIDTHS["phone-375"])
    if username:
        login(page, username)
    codes = raw_codes()
    report: list[str] = []
    fields_seen: set[str] = set()
    texts: dict[str, str] = {}

    def visit(url: str) -> None:
        facts = page.evaluate(PAGE_FACTS)
        name = shape(urlparse(page.url).path).strip("/").replace("/", "_") or "home"
        if facts["scroll"] > facts["client"] + 1:
            pages.shot(page, f"wide-{name}", axe=False)
            report.append(f"{url}: {facts['scroll']}px wide on a {facts['client']}px screen")
        if facts["refresh"]:
            report.append(f"{url}: refreshes itself (meta refresh)")
        controls = page.evaluate(CONTROLS_BESIDE_LABELS)
        report.extend(f"{url}: {b}" for b in controls["bad"])
        fields_seen.update(f for f in facts["fields"] if f)
        texts[url] = facts["text"]

    visited = crawl(page, visit)
    assert len(visited) >= 3, visited
    pattern = code_pattern(codes | {f for f in fields_seen if len(f) >= 3} - GENERIC)
    for url, text in texts.items():
        found = sorted(set(pattern.findall(text)))
        if found:
            report.append(f"{url}: shows raw codes {found}")
    pages.shot(page, "last", axe=False)
    assert not report, f"problems for {username or 'anonymous'} at 375px:\n" + "\n".join(report)


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_radios_and_checkboxes_sit_beside_their_labels(new_page, pages, screen):
    """The forms with choices, as the people who fill them see them: the handling mode and the 告知承诺
    checkbox, the 好差评 rating, registration, the worklist and alert filters, the settings."""
    report: list[str] = []

    def check(page, name: str) -> None:
        page.wait_for_load_state()
        pages.shot(page, name, axe=False)
        result = page.evaluate(CONTROLS_BESIDE_LABELS)
        assert result["checked"], f"{name}: no radio or checkbox found"
        report.extend(f"{name}: {b}" for b in result["bad"])

    visitor = new_page(viewport=WIDTHS[screen])
    visitor.goto("/accounts/register/")
    check(visitor, "register")

    citizen = new_page(viewport=WIDTHS[screen])
    login(citizen, "citizen")
    citizen.goto("/items/SCJG-001/apply/")
    check(citizen, "apply-modes")
    citizen.locator("main form button[type=submit]").click()
    check(citizen, "apply-form-commitment")
    citizen.goto("/accounts/preferences/")
    check(citizen, "preferences")
    open_rating(citizen)
    check(citizen, "rating")

    clerk = new_page(viewport=WIDTHS[screen])
    login(clerk, "clerk")
    clerk.goto("/cases/queue/intake/")
    check(clerk, "worklist-filters")
    clerk.goto("/window/register/")
    check(clerk, "walk-in")

    office = new_page(viewport=WIDTHS[screen])
    login(office, "inspector")
    office.goto("/supervision/alerts/")
    check(office, "alert-filters")

    assert not report, f"controls away from their labels at {screen}:\n" + "\n".join(report)


def test_invalid_form_shows_a_focused_error_summary_linking_to_each_field(new_page, pages):
    from playwright.sync_api import expect

    page = new_page()
    page.goto("/accounts/register/")
    page.locator("#id_username").fill("ab")  # too short: kept and named
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state()
    pages.shot(page, "register-errors")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    # GOV.UK's script moves the focus to the summary, so a screen reader reads it first
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    links = summary.locator("a")
    assert links.count() >= 4, summary.inner_text()
    text = summary.inner_text()
    assert "请填写真实姓名" in text and "请填写手机号码" in text, text
    assert not re.search(r"\b(real_name|phone|password1|id_number)\b", page.locator("main").inner_text())
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        assert target and target.startswith("#") and page.locator(target).count() == 1, target
    # each message is also beside its field
    assert page.locator(".govuk-form-group--error .govuk-error-message").count() >= 4
    assert page.locator("#id_username").input_value() == "ab"  # the input is kept
    phone = summary.get_by_role("link", name="请填写手机号码")
    phone.click()
    assert page.evaluate("document.activeElement.id") == "id_phone"

    # a radio group's message leads to its first radio: the rating form sent without a score
    login(page, "citizen")
    open_rating(page)
    page.locator("#comment").fill("一般")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    pages.shot(page, "rating-errors")
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    first = page.locator(".govuk-error-summary a").first
    assert first.get_attribute("href") == "#overall-5"
    assert page.locator("#comment").input_value() == "一般"
    first.click()
    assert page.evaluate("document.activeElement.id") == "overall-5"
    pages.assert_accessible()


def test_check_answers_lists_what_is_missing_and_the_receipt_is_safe_to_refresh(new_page, pages):
    from playwright.sync_api import expect

    from approvals.models import Case
    from intake.models import Application

    page = new_page()
    login(page, "citizen")
    page.goto("/items/SCJG-006/")
    pages.shot(page, "item-guide")
    for section in ("基本信息", "申请材料", "办理流程", "收费", "设定依据", "常见问题"):
        expect(page.locator(".govuk-tabs__list")).to_contain_text(section)
    page.get_by_role("button", name="在线办理").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="开始填写").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="下一步：核对信息").click()  # nothing filled in
    page.wait_for_load_state()
    pages.shot(page, "check-answers-missing")
    missing = page.locator(".govuk-error-summary")
    expect(missing).to_contain_text("住所（经营场所）")
    expect(missing).to_contain_text("缺少必要材料")
    assert page.get_by_role("button", name="确认提交").count() == 0  # nothing to submit yet

    page.get_by_role("link", name="返回补充").click()
    page.wait_for_load_state()
    page.get_by_label("住所（经营场所）").fill("幸福路 8 号")
    files = page.locator("input[type=file]")
    for i in range(files.count()):
        files.nth(i).set_input_files(
            {"name": f"材料{i}.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
        )
    page.get_by_role("button", name="下一步：核对信息").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    page.get_by_role("button", name="确认提交").click()
    page.wait_for_load_state()
    pages.shot(page, "receipt")
    expect(page.locator(".answer-by")).to_contain_text("5个工作日")
    counts = Application.objects.count(), Case.objects.count()
    page.reload()
    page.wait_for_load_state()
    assert (Application.objects.count(), Case.objects.count()) == counts
    expect(page.locator("h1")).to_have_text("申请已提交")

    # an item that cannot be done online has no 在线办理 button
    page.goto("/items/ZJ-001/")
    pages.shot(page, "item-not-online")
    assert page.get_by_role("button", name="在线办理").count() == 0
    expect(page.locator("main")).to_contain_text("本事项不能在线申请")
    pages.assert_accessible()


ELDER_FACTS = """() => {
  const p = document.querySelector('main p');
  const s = getComputedStyle(p);
  const small = [...document.querySelectorAll(
      'header a, header button, header select, .govuk-service-navigation__link, main .govuk-button, footer a')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map(el => ({text: (el.innerText || el.value || '').trim().slice(0, 20), h: el.getBoundingClientRect().height}))
    .filter(t => t.h < 44);
  return {font: parseFloat(s.fontSize), ratio: parseFloat(s.lineHeight) / parseFloat(s.fontSize),
          elder: document.documentElement.classList.contains('portal-elder'), small};
}"""


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_elder_mode_is_one_click_away_larger_and_remembered(new_page, pages, screen):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page(viewport=WIDTHS[screen])
    page.goto("/items/SCJG-006/")
    normal = page.evaluate(ELDER_FACTS)
    assert not normal["elder"]
    page.locator("#elder-toggle").click()
    page.wait_for_load_state()
    pages.shot(page, "elder-item")
    elder = page.evaluate(ELDER_FACTS)
    assert elder["elder"] and elder["font"] >= 20 and elder["font"] > normal["font"], (normal, elder)
    assert elder["ratio"] >= 1.5, elder
    assert not elder["small"], f"touch targets under 44px: {elder['small']}"
    assert "/items/SCJG-006/" in page.url  # back on the page the click came from

    enhanced = {"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}}
    problems = []
    for path in ("/", "/items/", "/accounts/login/", "/cases/progress/", "/complaints/"):
        page.goto(path)  # remembered from page to page
        assert page.evaluate(ELDER_FACTS)["elder"], path
        pages.shot(page, "elder" + path.replace("/", "-").rstrip("-"))  # axe, as on every page
        for v in Axe().run(page, options=enhanced).response["violations"]:
            problems.append(f"{path}: {v['id']} {[n['target'] for n in v['nodes'][:5]]}")
    assert not problems, "text under 7:1 contrast in elder mode:\n" + "\n".join(problems)

    # a signed-in user's choice is kept with the account: a new browser shows elder mode after sign-in
    login(page, "citizen")
    page.goto("/accounts/preferences/")
    pages.shot(page, "elder-preferences")
    assert page.locator("#id_elder_mode").is_checked() is False  # chosen before signing in: the cookie
    page.locator("#elder-toggle").click()  # off
    page.wait_for_load_state()
    page.locator("#elder-toggle").click()  # on again, now signed in: saved to the account
    page.wait_for_load_state()
    other = new_page(viewport=WIDTHS[screen])
    login(other, "citizen")
    other.goto("/my/")
    pages.shot(other, "elder-centre")
    assert other.evaluate(ELDER_FACTS)["elder"]
    pages.assert_accessible()


def test_staff_see_every_material_in_the_page_beside_the_case(new_page, pages):
    """The clerk opens a material inline: the file comes through the permission-checked view, shown in the
    page (not downloaded), framed by our own page only; the CSP blocks nothing (the fixture checks)."""
    page = new_page()
    login(page, "clerk")
    page.goto("/cases/queue/intake/")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    viewers = page.locator("details.material-view")
    assert viewers.count() >= 1
    with page.expect_response(lambda r: "/materials/" in r.url and "inline=1" in r.url) as answer:
        viewers.first.locator("summary").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["content-disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    page.wait_for_timeout(500)
    pages.shot(page, "material-inline", axe=False)
    # nobody else gets the file: an applicant who does not own the case is refused
    url = response.url
    owner = page.locator("dt", has_text="申请人").locator("xpath=following-sibling::dd[1]").inner_text()
    other = new_page()
    login(other, "citizen" if "公司" in owner else "enterprise")
    assert other.request.get(url).status == 404
