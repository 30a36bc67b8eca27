"""The whole journey in a real browser, as the people at each step see it: a citizen finds an item, applies
with two uploads, gets a correction notice, uploads a retaken photo and is accepted; a reviewer and a
decider approve; the citizen sees the decision and rates it; the efficiency office sees the dashboard
figures move.

Once in Chinese (the default) and once with the citizen switching the site to English. Every page is
screenshotted to var/e2e-artifacts/ and checked with axe-core."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from .conftest import login

ITEM_CODE = "SCJG-006"
ITEM_NAME = "计量器具型式批准"


def _png(grey: int = 0x80) -> bytes:
    """A real 8×8 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes([grey]) * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _pdf() -> bytes:
    """A real one-page PDF with a cross-reference table."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


# what the citizen sees, in each language
TEXT = {
    "zh-hans": {
        "search": "查询",
        "apply": "在线办理",
        "start": "开始填写",
        "next": "下一步：核对信息",
        "submit": "确认提交",
        "submitted": "申请已提交",
        "my_cases": "我的办件",
        "awaiting": "待补正",
        "notice": "一次性补正告知",
        "supply": "提交补正材料",
        "accepted": "已受理",
        "approved": "准予许可",
        "rate": "评价本次服务",
        "send_rating": "提交评价",
        "thanks": "感谢您的评价！",
        "address": "住所（经营场所）",
        "very_satisfied": "非常满意",
    },
    "en": {
        "search": "Search",
        "apply": "Apply online",
        "start": "Start",
        "next": "Next: check your answers",
        "submit": "Submit",
        "submitted": "Application submitted",
        "my_cases": "My cases",
        "awaiting": "Awaiting correction",
        "notice": "Correction notice (everything at once)",
        "supply": "Submit corrections",
        "accepted": "Accepted",
        "approved": "Approved",
        "rate": "Rate this service",
        "send_rating": "Submit rating",
        "thanks": "Thank you for your rating!",
        "address": "住所（经营场所）",
        "very_satisfied": "Very satisfied",
    },
}


def headline(page, label: str) -> int:
    """A figure of the dashboard's headline list, by its label."""
    term = page.locator("dt", has_text=re.compile(f"^{label}$"))
    return int(page.locator(".headline-figures div").filter(has=term).locator("dd").inner_text())


def fire(page, pages, name: str, shot: str, **fields: str) -> None:
    """Fill and submit the case page's form for one transition; the page says it worked."""
    form = page.locator(f"form[action$='/do/{name}/']")
    for field, value in fields.items():
        form.locator(f"[name={field}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    pages.shot(page, shot)
    assert page.locator(".messages .msg-success").count() == 1, page.locator("main").inner_text()[:1500]


def check(page, material: str, verdict: str, problem: str = "") -> None:
    """The clerk's check of one material on the case page; the page saves it at once (no button)."""
    from playwright.sync_api import expect

    row = page.locator(".material-row", has_text=material)
    if problem:
        row.locator("input[type=text]").fill(problem)
    with page.expect_response(lambda r: r.url.endswith("/check/") and r.request.method == "POST") as saved:
        row.locator(f"input[value={verdict}]").check()
    assert saved.value.status == 200, saved.value.text()
    expect(row.locator(".check-status")).to_contain_text("已自动保存")


def open_from_queue(page, pages, queue: str, reference: str, shot: str) -> None:
    page.goto(f"/cases/queue/{queue}/")
    pages.shot(page, f"{shot}-queue")
    page.get_by_role("link", name=reference).click()
    page.wait_for_load_state()
    pages.shot(page, shot)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_journey(new_page, pages, lang):
    t = TEXT[lang]
    from playwright.sync_api import expect

    def staff(username: str):
        page = new_page()
        if lang != "zh-hans":  # staff pages stay Chinese: the same pages as the Chinese run, checked there
            pages.unchecked.append(page)
        login(page, username, pages=pages)
        return page

    # the efficiency office notes the figures before
    office = staff("inspector")
    office.goto("/supervision/")
    pages.shot(office, "dashboard-before")
    accepted_before, concluded_before = headline(office, "受理量"), headline(office, "办结量")

    # a citizen opens the portal; in the English run they switch the language first
    citizen = new_page()
    citizen.goto("/")
    pages.shot(citizen, "home")
    if lang == "en":
        citizen.locator("#lang-select").select_option("en")
        citizen.locator("form.lang-switch button[type=submit]").click()
        citizen.wait_for_load_state()
        expect(citizen.locator("html")).to_have_attribute("lang", "en")
        expect(citizen.locator("header")).to_contain_text("Service guide")
        expect(citizen.locator("header")).to_contain_text("Sign in")
        pages.shot(citizen, "home-en")
    login(citizen, "citizen", pages=pages)
    pages.shot(citizen, "citizen-home")

    # finds the item in the catalogue
    citizen.goto("/items/")
    pages.shot(citizen, "catalogue")
    citizen.locator("#q").fill("计量器具")
    citizen.get_by_role("button", name=t["search"]).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "catalogue-search")
    citizen.get_by_role("link", name=ITEM_NAME).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "item-detail")
    expect(citizen.locator("h1")).to_contain_text(ITEM_NAME)

    # applies, with a PDF and a PNG
    citizen.get_by_role("button", name=t["apply"], exact=True).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "apply-start")
    citizen.get_by_role("button", name=t["start"]).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "apply-form")
    citizen.get_by_label(t["address"]).fill("幸福路 8 号")
    citizen.locator("#contact_phone").fill("13900001111")
    files = citizen.locator("input[type=file]")
    assert files.count() == 2
    files.nth(0).set_input_files({"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": _pdf()})
    files.nth(1).set_input_files({"name": "样机照片.png", "mimeType": "image/png", "buffer": _png()})
    citizen.get_by_role("button", name=t["next"]).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "apply-review")
    expect(citizen.locator("main")).to_contain_text("申请书.pdf")
    expect(citizen.locator("main")).to_contain_text("样机照片.png")
    citizen.get_by_role("button", name=t["submit"], exact=True).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "receipt")
    expect(citizen.locator("h1")).to_have_text(t["submitted"])
    reference = citizen.locator(".reference strong").inner_text().strip()
    assert re.fullmatch(r"SP-\d{8}-\d{6}", reference), reference

    # the front-desk clerk checks each material (saved as it goes) and asks for a correction, all at once,
    # by ticking the faulty material: the problem comes from the check
    clerk = staff("clerk")
    open_from_queue(clerk, pages, "intake", reference, "clerk-case")
    expect(clerk.locator("main")).to_contain_text("申请书.pdf")
    check(clerk, "计量器具型式批准申请书", "ok")
    check(clerk, "样机照片及说明书", "fix", "缺少说明书，照片不清晰")
    correction = clerk.locator("form[action$='/do/request_correction/']")
    expect(correction.get_by_label(re.compile("缺少说明书，照片不清晰"))).to_be_checked()  # at once
    clerk.reload()  # kept on the server: the choices are still there, and the notice is ticked for it
    pages.shot(clerk, "clerk-checked")
    row = clerk.locator(".material-row", has_text="样机照片及说明书")
    expect(row.locator("input[value=fix]")).to_be_checked()
    expect(row.locator("input[type=text]")).to_have_value("缺少说明书，照片不清晰")
    correction = clerk.locator("form[action$='/do/request_correction/']")
    expect(correction.get_by_label(re.compile("样机照片及说明书"))).to_be_checked()
    expect(correction.get_by_label(re.compile("计量器具型式批准申请书"))).not_to_be_checked()
    fire(clerk, pages, "request_correction", "clerk-correction")

    # the citizen reads the notice on the case page and supplies
    citizen.goto("/cases/mine/")
    pages.shot(citizen, "my-cases")
    expect(citizen.locator("h1")).to_have_text(t["my_cases"])
    row = citizen.locator("tr", has=citizen.get_by_role("link", name=reference))
    expect(row).to_contain_text(t["awaiting"])
    row.get_by_role("link", name=reference).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "case-correction")
    expect(citizen.locator(".notice-box")).to_contain_text(t["notice"])
    expect(citizen.locator(".notice-box")).to_contain_text("缺少说明书，照片不清晰")
    supply = citizen.locator("form[action$='/do/supply/']")
    supply.locator("input[type=file]").nth(1).set_input_files(
        {"name": "样机照片-重拍.png", "mimeType": "image/png", "buffer": _png(grey=0xC0)}
    )
    fire(citizen, pages, "supply", "case-supplied", note="已补充说明书并重新拍摄")
    expect(citizen.get_by_role("button", name=t["supply"])).to_have_count(0)
    expect(citizen.locator("main")).to_contain_text("样机照片-重拍.png")

    # the clerk cannot accept before checking the new file (or saying why), checks it and accepts
    clerk.goto(f"/cases/{reference}/")
    expect(clerk.locator("main")).to_contain_text("样机照片-重拍.png")
    expect(
        clerk.locator(".material-row", has_text="样机照片及说明书").locator(".govuk-tag--yellow")
    ).to_have_count(1)
    clerk.locator("form[action$='/do/accept/'] button[type=submit]").click()
    clerk.wait_for_load_state()
    pages.shot(clerk, "clerk-accept-refused")
    expect(clerk.locator(".govuk-error-summary a[href='#accept-override_reason']")).to_have_count(1)
    check(clerk, "样机照片及说明书", "ok")
    clerk.reload()
    fire(clerk, pages, "accept", "clerk-accepted")
    citizen.reload()
    pages.shot(citizen, "case-accepted")
    expect(citizen.locator(".state").first).to_have_text(t["accepted"])

    # the department's reviewer and decider
    reviewer = staff("reviewer")
    open_from_queue(reviewer, pages, "review", reference, "reviewer-case")
    fire(reviewer, pages, "start_review", "reviewer-started")
    fire(reviewer, pages, "send_to_decision", "reviewer-sent", opinion="材料齐全，符合型式批准条件")
    decider = staff("decider")
    open_from_queue(decider, pages, "decision", reference, "decider-case")
    fire(decider, pages, "approve", "decider-approved", opinion="准予型式批准")

    # the citizen sees the decision and rates the service
    citizen.goto(f"/cases/{reference}/")
    pages.shot(citizen, "case-approved")
    expect(citizen.locator(".state").first).to_have_text(t["approved"])
    citizen.get_by_role("link", name=t["rate"]).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "rate")
    citizen.get_by_label(t["very_satisfied"]).first.check()
    citizen.locator("#comment").fill("窗口服务热情，一次办好")
    citizen.get_by_role("button", name=t["send_rating"]).click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "rated")
    expect(citizen.locator("h1")).to_have_text(t["thanks"])

    # the efficiency office sees the case counted as accepted and concluded
    office.reload()
    pages.shot(office, "dashboard-after")
    assert (headline(office, "受理量"), headline(office, "办结量")) == (
        accepted_before + 1,
        concluded_before + 1,
    )

    pages.assert_accessible()
