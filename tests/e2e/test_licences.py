"""电子证照 in a real browser: the demo's approvals issued licences; the citizen finds them in the personal
centre, downloads one, and anyone who scans its QR code lands on the public verification page, which says
it is valid — at 1366 px and 375 px, normal and elder mode. Screenshots in var/e2e-artifacts/."""

from __future__ import annotations

import io

import pytest

from .conftest import login

WIDTHS = {"desktop-1366": {"width": 1366, "height": 900}, "phone-375": {"width": 375, "height": 800}}


@pytest.fixture
def qr_base(settings, live_server):
    """The QR codes point to the live server (the portal's public address)."""
    settings.PORTAL_BASE_URL = live_server.url
    return live_server.url


def _qr_url(pdf: bytes) -> str:
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.images[0].data)))
    return found.text


@pytest.mark.parametrize("width", list(WIDTHS))
def test_citizen_downloads_a_licence_and_its_qr_code_verifies_it(qr_base, new_page, pages, width):
    from playwright.sync_api import expect

    from licences.models import Licence

    page = new_page(viewport=WIDTHS[width])
    login(page, "citizen")
    page.goto("/my/")
    card = page.locator("#my-licences")
    expect(card).to_contain_text("我的证照")
    pages.shot(page, f"{width}-centre")
    page.locator("#my-licences").get_by_role("link", name="全部证照").click()
    page.wait_for_load_state()
    pages.shot(page, f"{width}-my-licences")
    licence = Licence.objects.filter(owner__username="citizen").order_by("pk").first()
    assert licence is not None
    with page.expect_download() as info:
        page.locator(f"a[href$='/licences/{licence.number}/pdf/']").first.click()
    pdf = open(info.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    url = _qr_url(pdf)
    assert url.startswith(qr_base + "/licences/verify/?number=" + licence.number)

    # anyone who scans it: no sign-in
    visitor = new_page(viewport=WIDTHS[width])
    visitor.goto(url)
    expect(visitor.locator("#verify-answer")).to_contain_text("有效")
    expect(visitor.locator("main")).to_contain_text(licence.holder_name)
    pages.shot(visitor, f"{width}-verify-valid")
    assert visitor.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # elder mode (长辈版)
    visitor.locator("#elder-toggle").click()
    visitor.wait_for_load_state()
    visitor.goto(url)
    expect(visitor.locator("#verify-answer")).to_contain_text("有效")
    pages.shot(visitor, f"{width}-verify-elder")
    # a wrong holder name: the same "not found" as an unknown number, with what to check
    visitor.goto("/licences/verify/")
    visitor.locator("input[name=number]").fill(licence.number)
    visitor.locator("input[name=holder]").fill("某某某")
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_load_state()
    expect(visitor.locator("#verify-answer")).to_contain_text("未查到")
    expect(visitor.locator("main")).to_contain_text("12345")
    pages.shot(visitor, f"{width}-verify-not-found")

    # lost: the department re-issues it; the old number now says 已换发, and the citizen's list (elder mode)
    # shows the new one in force and what to do with the old one
    from licences.services import licence_reissue
    from portal.accounts.models import User

    decider = User.objects.filter(department=licence.issuing_department, groups__name="decider").first()
    assert decider is not None
    new = licence_reissue(licence=licence, actor=decider, reason="遗失补领")
    visitor.goto(url)
    expect(visitor.locator("#verify-answer")).to_contain_text("已换发")
    expect(visitor.locator(".verify-explain")).to_contain_text("请以持证人手中的新证为准")
    pages.shot(visitor, f"{width}-verify-replaced-elder")
    page.locator("#elder-toggle").click()
    page.wait_for_load_state()
    page.goto("/licences/mine/")
    expect(page.locator("main")).to_contain_text(new.number)
    expect(page.locator(".licence-note").first).to_contain_text("已换发新证，请使用新证。")
    expect(page.locator("main")).not_to_contain_text("PDF")
    pages.shot(page, f"{width}-my-licences-elder")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    pages.assert_accessible()


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_window_sees_each_licence_due_date_in_the_results_queue(new_page, pages, width, elder):
    """Art. 44 at the window: the results queue (统一出件) shows the licence due date and the working days
    left for each approved case, and says why; it fits the screen in both modes."""
    from playwright.sync_api import expect

    page = new_page(viewport=WIDTHS[width])
    login(page, "clerk")
    page.goto("/cases/queue/results/")
    if elder:
        page.locator("#elder-toggle").click()
        page.wait_for_load_state()
        page.goto("/cases/queue/results/")
    expect(page.locator("main")).to_contain_text("行政许可法第四十四条")
    expect(page.locator("main thead")).to_contain_text("证照送达期限")
    expect(page.locator("td.licence-due").first).to_contain_text("剩余")
    pages.shot(page, f"{width}-{'elder' if elder else 'normal'}-results-queue")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    pages.assert_accessible()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_applicant_changes_delivery_and_the_clerk_sees_who_changed_it_from_what(new_page, pages, width):
    """送达 (DESIGN §11): the citizen switches an approved, undelivered case to free post on the case page; the
    window clerk's case page says so beside the choice and in the timeline, in words (no codes)."""
    from playwright.sync_api import expect

    from approvals.models import Case

    case = Case.objects.filter(applicant__username="citizen", state="approved").order_by("pk").first()
    assert case is not None
    page = new_page(viewport=WIDTHS[width])
    login(page, "citizen")
    page.goto(f"/cases/{case.reference}/")
    page.locator("#delivery-change summary").click()
    page.locator("#delivery_method-post").check()
    page.locator("#delivery_address").fill("示范市鼓楼区五四路100号 张伟 收")
    pages.shot(page, f"{width}-citizen-delivery-change")
    page.locator("#delivery-change button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#delivery-choice")).to_contain_text("邮寄送达")

    clerk = new_page(viewport=WIDTHS[width])
    login(clerk, "clerk")
    clerk.goto(f"/cases/{case.reference}/")
    expect(clerk.locator("#delivery-choice")).to_contain_text("原为：")
    expect(clerk.locator(".timeline")).to_contain_text("申请人修改送达方式")
    expect(clerk.locator(".timeline")).to_contain_text("→ 邮寄送达（示范市鼓楼区五四路100号 张伟 收）")
    assert "change_delivery" not in clerk.locator("main").inner_text()
    pages.shot(clerk, f"{width}-clerk-case-page")
    assert clerk.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    pages.assert_accessible()
