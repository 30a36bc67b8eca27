"""Keyboard alone, a phone and 200 % zoom (WCAG 2.1 AA 2.1.1, 2.4.7, 1.4.10; GB/T 37668; the elder-friendly
rules): forms can be filled and submitted without a mouse, the focus is always visible, and the main pages
fit the screen without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .conftest import login
from .test_journey import _pdf, _png

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  // GOV.UK radios and checkboxes draw their control (and its focus ring) on the label's ::before
  const drawn = el.matches('.govuk-radios__input, .govuk-checkboxes__input') && el.labels && el.labels[0]
    ? getComputedStyle(el.labels[0], '::before').boxShadow : 'none';
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  return {tag: el.tagName, id: el.id, name: el.getAttribute('name'), type: el.getAttribute('type'),
          text: (el.innerText || el.value || '').trim().slice(0, 40),
          visible: outline || s.boxShadow !== 'none' || drawn !== 'none'};
}"""


def tab_to(page, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab until the element matching ``selector`` has the focus (it may have it already: autofocus);
    every stop on the way shows its focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_VISIBLE)["visible"], f"no visible focus indicator on {selector}"
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUS_VISIBLE)
        if focused is not None:  # None: past the end of the page, in the browser's own controls
            assert focused["visible"], f"no visible focus indicator on {focused}"
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_login_and_application_by_keyboard_alone(new_page, pages):
    page = new_page()
    page.goto("/accounts/login/")
    pages.shot(page, "login", axe=False)
    tab_to(page, "#id_username")
    page.keyboard.type("citizen")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type("demo12345")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.shot(page, "signed-in", axe=False)
    assert "/accounts/login/" not in page.url
    assert page.locator("header .user-name").is_visible()

    page.goto("/items/SCJG-006/apply/")
    pages.shot(page, "apply-start", axe=False)
    tab_to(page, "main input[name=mode]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.shot(page, "apply-form", axe=False)
    assert "/edit/" in page.url

    tab_to(page, "#f_applicant_address")
    page.keyboard.type("幸福路 8 号")
    tab_to(page, "#contact_phone")
    page.keyboard.type("13900001111")
    uploads = [("申请书.pdf", "application/pdf", _pdf()), ("样机照片.png", "image/png", _png())]
    for n, (name, mime, data) in enumerate(uploads):
        field = f"#{page.locator('main input[type=file]').nth(n).get_attribute('id')}"
        tab_to(page, field)
        # Space on the focused file field opens the chooser. On CI's loaded machine Chromium once missed a
        # press (no chooser in 15 s): like a person, press it once more; a field that never opens fails.
        for attempt in (1, 2):
            try:
                with page.expect_file_chooser(timeout=10_000) as chooser:
                    page.keyboard.press("Space")
                break
            except PlaywrightTimeoutError:
                if attempt == 2:
                    raise
                tab_to(page, field)
        chooser.value.set_files({"name": name, "mimeType": mime, "buffer": data})
    tab_to(page, "main button[value=review]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.shot(page, "apply-review", axe=False)
    assert "/review/" in page.url, page.locator("main").inner_text()[:1000]
    assert "申请书.pdf" in page.locator("main").inner_text()

    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.shot(page, "receipt", axe=False)
    assert page.locator("h1").inner_text() == "申请已提交"


NO_SIDEWAYS_SCROLL = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"

SCREENS = {
    "phone-375": {
        "viewport": {"width": 375, "height": 800},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    # 1280 CSS pixels at 200 % zoom lay out like 640 CSS pixels drawn at twice the density
    "zoom-200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_pages_fit_narrow_screens(new_page, pages, screen):
    width = SCREENS[screen]["viewport"]["width"]
    citizen = new_page(**SCREENS[screen])
    visited = []

    def check(page, name: str) -> None:
        page.wait_for_load_state()
        pages.shot(page, name, axe=False)
        scroll, client = page.evaluate(NO_SIDEWAYS_SCROLL)
        visited.append((name, page.url, scroll))
        assert client <= width

    citizen.goto("/")
    check(citizen, "home")
    citizen.goto("/items/")
    check(citizen, "catalogue")
    citizen.goto("/items/SCJG-001/")
    check(citizen, "item-detail")
    login(citizen, "citizen")
    citizen.goto("/items/SCJG-001/apply/")
    citizen.locator("main form button[type=submit]").click()
    check(citizen, "apply-form")
    citizen.goto("/cases/mine/")
    check(citizen, "my-cases")
    citizen.locator("main table a").first.click()
    check(citizen, "case-detail")

    office = new_page(**SCREENS[screen])
    login(office, "inspector")
    office.goto("/supervision/")
    check(office, "dashboard")

    too_wide = [f"{name} ({url}): {scroll}px wide" for name, url, scroll in visited if scroll > width + 1]
    assert not too_wide, f"pages scroll sideways on a {width}px-wide screen:\n" + "\n".join(too_wide)
