"""一件事一次办 in a real browser: the citizen applies for 开办餐饮店 as one package (one form, one set of
uploads, check your answers, confirmation with the package reference); the window checks and accepts it
once; the two departments approve their items; the citizen follows the package page and 我的办件 —
screenshots at 1366 px and 375 px, normal and elder mode (var/e2e-artifacts/)."""

from __future__ import annotations

import re

from tests.files import pdf_variant

from .conftest import login

WIDTHS = {"desktop-1366": {"width": 1366, "height": 900}, "phone-375": {"width": 375, "height": 800}}


def _fire(page, pages, name: str, shot: str, **fields: str) -> None:
    form = page.locator(f"form[action$='/do/{name}/']")
    for field, value in fields.items():
        form.locator(f"[name={field}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    pages.shot(page, shot)
    assert page.locator(".messages .msg-success").count() == 1, page.locator("main").inner_text()[:1500]


def elder(page, *, on: bool) -> None:
    """Switch elder mode (长辈版) on or off, whichever it is now."""
    if (page.locator("#elder-toggle").inner_text().strip() == "长辈版") == on:
        page.locator("#elder-toggle").click()
        page.wait_for_load_state()


def test_apply_for_a_package_once_the_window_accepts_once_departments_approve(new_page, pages):
    from playwright.sync_api import expect

    citizen = new_page(viewport=WIDTHS["desktop-1366"])
    login(citizen, "citizen")
    citizen.goto("/packages/")
    pages.shot(citizen, "packages")
    citizen.get_by_role("link", name="开办餐饮店").click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "package-guide")
    expect(citizen.locator("main")).to_contain_text("公共场所卫生许可")
    citizen.get_by_role("link", name="在线办理").click()
    citizen.wait_for_load_state()
    # submitted empty: the error summary at the top links to each field, each message beside its field
    citizen.get_by_role("button", name="下一步：核对信息").click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "package-apply-errors")
    expect(citizen.locator(".govuk-error-summary")).to_contain_text("“店铺名称”为必填项。")
    citizen.get_by_label("店铺名称").fill("青禾小馆")
    citizen.get_by_label("住所（经营场所）").fill("幸福路 8 号")
    citizen.get_by_label("经营面积（平方米）").fill("80")
    citizen.get_by_label("经营项目").select_option("热食类食品制售")
    citizen.locator("#contact_phone").fill("13900001111")
    files = citizen.locator("input[type=file]")
    for n in range(files.count()):
        files.nth(n).set_input_files(
            {"name": f"材料{n + 1}.pdf", "mimeType": "application/pdf", "buffer": pdf_variant(b"m%d" % n)}
        )
    pages.shot(citizen, "package-apply-filled")
    citizen.get_by_role("button", name="下一步：核对信息").click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "package-review")
    expect(citizen.locator("main")).to_contain_text("青禾小馆")
    expect(citizen.locator("main")).to_contain_text("材料1.pdf")
    citizen.get_by_role("button", name="确认提交").click()
    citizen.wait_for_load_state()
    pages.shot(citizen, "package-receipt")
    reference = citizen.locator(".reference strong").inner_text().strip()
    assert re.fullmatch(r"YJ-\d{8}-\d{6}", reference), reference
    expect(citizen.locator(".answer-by")).to_contain_text("剩余")

    # the window: a case of the package leads to the package page; one check, one acceptance
    clerk = new_page(viewport=WIDTHS["desktop-1366"])
    login(clerk, "clerk")
    from approvals.models import Case

    codes = ["SCJG-003", "SCJG-001", "WJ-002"]  # 市场监管局 twice, then 卫健委
    cases = Case.objects.filter(application__package_application__reference=reference)
    refs = [cases.get(item__code=code).reference for code in codes]
    assert len(refs) == 3
    clerk.goto("/cases/queue/intake/")
    pages.shot(clerk, "clerk-queue")
    clerk.get_by_role("link", name=refs[1]).click()
    clerk.wait_for_load_state()
    pages.shot(clerk, "clerk-case-of-package")
    expect(clerk.locator(".package-notice")).to_contain_text("开办餐饮店")
    expect(clerk.locator("form[action$='/do/accept/']")).to_have_count(0)
    clerk.locator(".package-notice a").click()
    clerk.wait_for_load_state()
    pages.shot(clerk, "clerk-package")
    clerk.get_by_role("button", name="一并受理").click()
    clerk.wait_for_load_state()
    pages.shot(clerk, "clerk-package-accepted")
    assert clerk.locator(".messages .msg-success").count() == 1, clerk.locator("main").inner_text()[:1500]
    expect(clerk.locator(".package-items")).not_to_contain_text("待受理")

    # the departments approve in parallel, each its own items
    for username_pair, dept_refs in (
        (("reviewer", "decider"), refs[:2]),
        (("reviewer3", "decider3"), refs[2:]),
    ):
        reviewer = new_page(viewport=WIDTHS["desktop-1366"])
        login(reviewer, username_pair[0])
        decider = new_page(viewport=WIDTHS["desktop-1366"])
        login(decider, username_pair[1])
        for n, ref in enumerate(dept_refs):
            reviewer.goto(f"/cases/{ref}/")
            _fire(reviewer, pages, "start_review", f"{username_pair[0]}-{n}-started")
            _fire(
                reviewer,
                pages,
                "send_to_decision",
                f"{username_pair[0]}-{n}-sent",
                opinion="材料齐全，符合条件",
            )
            decider.goto(f"/cases/{ref}/")
            _fire(decider, pages, "approve", f"{username_pair[1]}-{n}-approved", opinion="准予许可")

    # the citizen follows one thing: the package page and 我的办件, at 1366 and 375, normal and elder
    for width, viewport in WIDTHS.items():
        page = new_page(viewport=viewport)
        login(page, "citizen")
        page.goto(f"/cases/packages/{reference}/")
        elder(page, on=False)  # the choice is kept on the account: start from the standard pages
        expect(page.locator(".package-state")).to_have_text("全部办结")
        expect(page.locator(".package-items")).to_contain_text("准予许可")
        pages.shot(page, f"{width}-package")
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.goto("/cases/mine/")
        expect(page.locator("main")).to_contain_text("开办餐饮店")
        pages.shot(page, f"{width}-my-cases")
        elder(page, on=True)
        page.goto(f"/cases/packages/{reference}/")
        expect(page.locator(".package-state")).to_have_text("全部办结")
        pages.shot(page, f"{width}-package-elder")
        page.goto("/packages/YJS-001/apply/")
        pages.shot(page, f"{width}-apply-elder")
    pages.assert_accessible()
