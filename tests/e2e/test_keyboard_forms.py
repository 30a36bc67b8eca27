"""Every form, for every role, can be used with the keyboard alone (WCAG 2.1.1, 2.4.3, 2.4.7): following the
links of the site as each demo user, on every page that holds a form, Tab reaches every visible control
of every form (one radio button per group: arrow keys move inside a group), in an order that never traps
the focus, and each stop shows a visible focus indicator.

The walk follows links from the home page (like tests/ops/test_crawl.py), one page per URL shape (a case
page is checked once, not once per case), and leaves out the Django admin (its own accessibility is
Django's) and the API documentation."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from .conftest import login

SKIP = (
    "/accounts/logout",
    "/accounts/my-data",
    "/admin/",
    "/api/",
    "/i18n/",
    "/static/",
    "/materials/",
    "/supervision/export",
)
MAX_PAGES = 40

# Marks each control the test must reach and returns their keys: one per control, one per radio group.
MARK_CONTROLS = """() => {
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const wanted = [];
  const groups = new Set();
  document.querySelectorAll('form').forEach((form, f) => {
    form.querySelectorAll('input, select, textarea, button').forEach((el, i) => {
      if (el.type === 'hidden' || el.disabled || !shown(el)) return;
      // inside a closed disclosure: reached by opening it from its summary (itself a Tab stop); Chromium
      // keeps boxes for a closed <details>' content (content-visibility), so shown() alone cannot tell
      if (el.closest('details:not([open])') && !el.closest('summary')) return;
      if (el.closest('[aria-hidden="true"]') && el.tabIndex < 0) return;  // a honeypot for bots
      let key = `f${f}-${i}`;
      if (el.type === 'radio') {
        key = `f${f}-radio-${el.name}`;
        if (groups.has(key)) { el.dataset.kb = key; return; }
        groups.add(key);
      }
      el.dataset.kb = key;
      wanted.push({key, tag: el.tagName.toLowerCase(), name: el.name || el.id || (el.innerText || '').trim()});
    });
  });
  return wanted;
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  // GOV.UK radios and checkboxes draw their control (and its focus ring) on the label's ::before
  const drawn = el.matches('.govuk-radios__input, .govuk-checkboxes__input') && el.labels && el.labels[0]
    ? getComputedStyle(el.labels[0], '::before').boxShadow : 'none';
  const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none' || drawn !== 'none';
  return {key: el.dataset.kb || null, desc: `${el.tagName.toLowerCase()}#${el.id}[name=${el.name || ''}]`,
          visible, path: [...document.querySelectorAll('*')].indexOf(el)};
}"""

# Tab starts from the top of the page, whatever field the page focused on load (autofocus).
START_AT_TOP = """() => {
  const start = document.createElement('span');
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
  window.scrollTo(0, 0);
}"""

ROLES = [None, "citizen", "enterprise", "clerk", "reviewer", "decider", "head", "inspector"]


def shape(path: str) -> str:
    """One page per URL shape: numbers and case references stand for any."""
    path = re.sub(r"/[A-Z]{2}-\d{8}-\d{6}/", "/<ref>/", path)
    path = re.sub(r"/[A-Z]+-\d{3}/", "/<code>/", path)
    return re.sub(r"/\d+/", "/<n>/", path)


def keyboard_problems(page) -> list[str]:
    """Tab from the top of the page to its end; the controls never reached and the stops without a
    visible focus indicator."""
    wanted = page.evaluate(MARK_CONTROLS)
    if not wanted:
        return []
    page.evaluate(START_AT_TOP)
    reached: set[str] = set()
    problems: list[str] = []
    seen_paths: list[str] = []
    repeats = 0
    limit = 4 * len(wanted) + 60
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:  # past the last stop: the browser's own controls
            break
        if seen_paths and focused["path"] == seen_paths[0]:
            break  # wrapped around to the first stop
        if seen_paths and focused["path"] == seen_paths[-1]:
            repeats += 1  # a date field's year, month, day (hour, minute) take a Tab each
            if repeats > 6:
                problems.append(f"the focus is stuck on {focused['desc']}")
                break
            continue
        repeats = 0
        seen_paths.append(focused["path"])
        if not focused["visible"]:
            problems.append(f"no visible focus indicator on {focused['desc']}")
        if focused["key"]:
            reached.add(focused["key"])
    missing = [f"{w['tag']} {w['name']!r}" for w in wanted if w["key"] not in reached]
    if missing:
        problems.append("not reachable with Tab: " + ", ".join(missing))
    return sorted(set(problems))


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_form_is_usable_by_keyboard(new_page, pages, username):
    page = new_page()
    if username:
        login(page, username)
    queue, seen_shapes, checked, report = ["/"], set(), [], []
    while queue and len(seen_shapes) < MAX_PAGES:
        url = queue.pop(0)
        if url.startswith(SKIP) or shape(url) in seen_shapes:
            continue
        seen_shapes.add(shape(url))
        try:
            response = page.goto(url)
        except Exception as exc:  # a link to a file (an export): nothing to fill in
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status >= 400 or urlparse(page.url).path.startswith(SKIP):
            continue
        for href in page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))"):
            path = href.split("#")[0].split("?")[0]
            if path and shape(path) not in seen_shapes and not path.startswith(SKIP):
                queue.append(path)
        if page.locator("main form").count() == 0:
            continue
        checked.append(url)
        problems = keyboard_problems(page)
        if problems:
            pages.shot(page, shape(url).strip("/").replace("/", "_") or "home", axe=False)
            report.extend(f"{url}: {p}" for p in problems)
    assert checked, "no page with a form was found"
    assert not report, f"keyboard problems for {username or 'anonymous'}:\n" + "\n".join(report)
