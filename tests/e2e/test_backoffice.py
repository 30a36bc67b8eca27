"""The back office as its people see it (issue 16), in a real browser, at 1366 px and at 375 px:

- the efficiency office's pages (dashboard, alerts, an alert, the complaints queue and tickets), in normal and
  in elder mode, and the admin's pages (index, the catalogue, an item, the workbook import with its errors,
  cases, alerts, complaints, users);
- the page never scrolls sideways (a wide table scrolls inside its own box, which is visibly scrollable);
- no raw code reaches the text (every TextChoices value of the apps, the supervision codes, the field keys of
  the catalogue);
- axe-core finds no serious or critical violation.

Every page is saved as a screenshot (var/e2e-artifacts/<test>/)."""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import urlparse

import pytest

from .conftest import login
from .test_design import GENERIC, WIDTHS, code_pattern, raw_codes

FACTS = """() => ({
  scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  text: document.body.innerText,
})"""

# catalogue field keys and supervision codes, beside the choices' values
BACKOFFICE_CODES = {
    "statutory_limit",
    "promised_limit",
    "limit_unit",
    "co_departments",
    "form_fields",
    "materials",
    "alert_scan",
    "redblue_window",
    "redblue_department",
    "item_days",
    "ConversionSyntax",
    "Traceback",
}


def _check(page, pages, name: str, codes: re.Pattern[str], report: list[str]) -> None:
    page.wait_for_load_state()
    pages.shot(page, name)
    facts = page.evaluate(FACTS)
    if facts["scroll"] > facts["client"] + 1:
        report.append(f"{name} ({page.url}): {facts['scroll']}px wide on a {facts['client']}px screen")
    found = sorted(set(codes.findall(facts["text"])))
    if found:
        report.append(f"{name} ({page.url}): shows raw codes {found}")


def _pattern():
    # the demo users are named after their roles ("clerk", "admin"…): the users list shows those names
    from portal.accounts.models import User

    usernames = set(User.objects.values_list("username", flat=True))
    return code_pattern((raw_codes() | BACKOFFICE_CODES) - GENERIC - usernames)


def _overdue_case():
    """A demo case running past its promised date (the demo has none), with its red card: the dashboard's
    overdue and alert tables then show a date with its working days overdue. Returns the case's reference."""
    import datetime

    from django.utils import timezone

    from approvals.constants import CaseState
    from intake.models import Item
    from portal.workcalendar import services as calendar
    from supervision.constants import AlertLevel
    from tests.supervision.factories import AlertFactory, make_case

    today = timezone.localdate()
    promised = today - datetime.timedelta(days=9)
    item = Item.objects.filter(limit_unit="working").order_by("-pk").first()
    case = make_case(
        item,
        state=CaseState.IN_REVIEW,
        accepted_on=today - datetime.timedelta(days=20),
        promised_due=promised,
        statutory_due=calendar.add_days(today, 12).date,
        limit_unit="working",
    )
    AlertFactory(case=case, level=AlertLevel.RED, due=promised)
    return case.reference


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_efficiency_office_pages_fit_and_speak_plainly(new_page, pages, screen, elder):
    reference = _overdue_case()
    page = new_page(viewport=WIDTHS[screen])
    login(page, "inspector")
    page.goto("/supervision/")
    # every due date with its days overdue or left (DESIGN §12), in the case's unit
    overdue = page.locator("section[aria-labelledby=sup-overdue] tr", has_text=reference)
    assert "已超期" in overdue.inner_text() and "剩余12个工作日" in overdue.inner_text()
    alert = page.locator("section[aria-labelledby=sup-alerts] tr", has_text=reference)
    assert "已超期" in alert.inner_text()
    if elder:
        page.locator("#elder-toggle").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.classList.contains('portal-elder')")
    codes, report = _pattern(), []
    _check(page, pages, "dashboard", codes, report)
    page.goto("/supervision/alerts/")
    _check(page, pages, "alerts", codes, report)
    detail = page.locator("main a[href^='/supervision/alerts/']").first
    if detail.count():
        detail.click()
        _check(page, pages, "alert", codes, report)
    for path in ("/complaints/queue/", "/complaints/tickets/"):
        page.goto(path)
        _check(page, pages, path.strip("/").replace("/", "-"), codes, report)
    assert not report, "\n".join(report)
    pages.assert_accessible()


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_admin_pages_fit_and_speak_plainly(new_page, pages, screen):
    from openpyxl import load_workbook

    from intake.models import Item
    from intake.resources import catalogue_export

    page = new_page(viewport=WIDTHS[screen])
    login(page, "admin")
    codes, report = _pattern(), []
    from approvals.models import Case, OpinionPhrase
    from intake.models import Application
    from supervision.models import Alert

    item = Item.objects.get(code="SCJG-001")
    application = Application.objects.exclude(item_snapshot={}).order_by("pk").first()
    case = Case.objects.order_by("pk").first()
    alert = Alert.objects.order_by("pk").first()
    phrase = OpinionPhrase.objects.order_by("pk").first()
    for path in (
        "/admin/",
        "/admin/intake/item/",
        f"/admin/intake/item/{item.pk}/change/",
        f"/admin/intake/item/{item.pk}/history/",
        f"/admin/intake/application/{application.pk}/change/",  # the answers and the item's terms as tables
        "/admin/approvals/case/",
        f"/admin/approvals/case/{case.pk}/change/",
        f"/admin/approvals/case/{case.pk}/history/",  # reasons and values in words
        "/admin/approvals/opinionphrase/",
        f"/admin/approvals/opinionphrase/{phrase.pk}/history/",
        "/admin/supervision/alert/",
        f"/admin/supervision/alert/{alert.pk}/history/",
        "/admin/complaints/complaint/",
        "/admin/notifications/notification/",  # events by name
        "/admin/notifications/messagetemplate/?language__exact=zh-hans",
        "/admin/accounts/user/",
        "/admin/accounts/rolegroup/",
        "/admin/accounts/apitoken/",
        "/admin/intake/item/import/",
    ):
        page.goto(path)
        name = urlparse(path).path.strip("/").replace("/", "-") or "admin"
        name = re.sub(r"-\d+$", "-n", name)
        _check(page, pages, re.sub(r"-\d+-", "-n-", name), codes, report)

    # the workbook with a mistake: the errors in words, on the same page
    book = load_workbook(BytesIO(catalogue_export()))
    sheet = book["事项"]
    column = next(c.column for c in sheet[1] if c.value == "法定时限")
    sheet.cell(row=2, column=column, value="二十")
    out = BytesIO()
    book.save(out)
    page.set_input_files("input[name=import_file]", files=[{
        "name": "catalogue.xlsx", "buffer": out.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])  # fmt: skip
    page.locator("input[type=submit]").click()
    _check(page, pages, "import-errors", codes, report)
    assert (
        "「事项」表第 2 行「法定时限」列：应填写整数（如 5），现为“二十”"
        in page.locator("#content").inner_text()
    )
    assert not report, "\n".join(report)
    pages.assert_accessible()
