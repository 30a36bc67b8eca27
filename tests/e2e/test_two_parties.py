"""Where two parties meet (issue 15), in a real browser at 1366 px and 375 px, normal and elder mode: the head
signs off the window's refusal proposal from their queue, the co-department answers its part of a parallel
case from its own queue, the lead records how a disagreement was resolved, and the applicant reads the
refusal notice. Every page is screenshotted and checked with axe-core; none scrolls sideways on a phone."""

from __future__ import annotations

import pytest

from .conftest import login

WIDTHS = {"desktop-1366": {"width": 1366, "height": 900}, "phone-375": {"width": 375, "height": 800}}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"


def _cases():
    from approvals.models import Case

    refusal = Case.objects.get(refusal_proposed_by__isnull=False)
    parallel = Case.objects.get(mode="parallel", sub_approvals__isnull=False)
    return refusal, parallel


def _visit(page, pages, url: str, name: str) -> str:
    page.goto(url)
    page.wait_for_load_state()
    assert page.evaluate(NO_SIDEWAYS), f"{url} scrolls sideways"
    pages.shot(page, name)
    return page.locator("main").inner_text()


@pytest.mark.parametrize("screen", list(WIDTHS))
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_refusal_sign_off_and_parallel_answers_in_the_browser(new_page, pages, screen, elder):
    from approvals.services.parallel import subapproval_answer
    from approvals.services.refusal import case_refuse
    from portal.accounts.constants import Role
    from portal.accounts.models import Department, User
    from tests.factories import staff

    refusal, parallel = _cases()

    def open_as(username: str):
        page = new_page(viewport=WIDTHS[screen])
        login(page, username)
        if elder:
            page.locator("#elder-toggle").click()
            page.wait_for_load_state()
        return page

    # the head: the queue of refusals to sign off, the proposal on the case page with its two buttons
    page = open_as("head")
    text = _visit(page, pages, "/cases/queue/refusals/", "head-refusal-queue")
    assert refusal.reference in text
    text = _visit(page, pages, f"/cases/{refusal.reference}/", "head-refusal-case")
    assert "待负责人签批" in text and "第三十二条" in text
    assert page.locator("form[action$='/do/refuse/']").count() == 1
    assert page.locator("form[action$='/do/reject_refusal/']").count() == 1

    # the co-department (住房和城乡建设局): its queue, and the answer form on the case page
    page = open_as("reviewer2")
    text = _visit(page, pages, "/cases/queue/co-approvals/", "co-queue")
    assert parallel.reference in text and "待答复" in text
    text = _visit(page, pages, f"/cases/{parallel.reference}/", "co-answer-form")
    assert page.locator("input[name=answer]").count() == 3
    page.locator("input[name=answer][value=object]").check()
    page.locator(".co-approval-form button[type=submit]").click()  # no reasons: refused beside the field
    page.wait_for_load_state()
    pages.shot(page, "co-answer-refused")
    assert "不同意时须说明理由" in page.locator("main").inner_text()

    # the lead's decider, after a disagreement: the resolution form, no approval
    lead = Department.objects.get(pk=parallel.department_id)
    decider = User.objects.filter(username="lead_decider").first() or staff(
        Role.DECIDER, lead, username="lead_decider", password="demo12345"
    )
    sub = parallel.sub_approvals.get()
    if not sub.answer:
        subapproval_answer(
            sub=sub, actor=User.objects.get(username="reviewer2"), answer="object", opinion="退让距离不足"
        )
    page = open_as(decider.username)
    text = _visit(page, pages, f"/cases/{parallel.reference}/", "lead-resolve-form")
    assert "退让距离不足" in text and "存在分歧" in text
    assert page.locator("textarea[name=resolution]").count() == 1

    # the applicant: the refusal notice once the head has signed it
    if refusal.refusal_proposed_by_id is not None:
        case_refuse(case=refusal, actor=User.objects.get(username="head"))
    page = open_as("enterprise")
    text = _visit(page, pages, f"/cases/{refusal.reference}/notice/refusal/", "refusal-notice")
    for part in ("不予受理决定书", refusal.reference, "第三十二条", "行政复议", "六个月内"):
        assert part in text, part
    pages.assert_accessible()


@pytest.mark.parametrize("screen", list(WIDTHS))
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_window_rating_device_rates_on_the_tablet_never_in_the_clerks_session(
    new_page, pages, screen, elder
):
    """Issue 15: the clerk's page hands a decided case to the counter tablet by its address; in the clerk's
    own session the rating is refused, on the tablet (nobody signed in) the applicant rates it once."""
    from approvals.constants import DECIDED_STATES
    from approvals.models import Case

    case = Case.objects.filter(state__in=list(DECIDED_STATES), rating__isnull=True).order_by("pk").first()
    assert case is not None
    clerk = new_page(viewport=WIDTHS[screen])
    login(clerk, "clerk")
    if elder:
        clerk.locator("#elder-toggle").click()
        clerk.wait_for_load_state()
    text = _visit(clerk, pages, f"/complaints/rate/window/?reference={case.reference}", "window-rate-handoff")
    assert case.reference in text and "工作人员登录时不能评价" in text
    device_url = clerk.locator("#window-device-link").get_attribute("href")

    # the clerk opens the address in their own session: the page shows, the rating is refused
    clerk.goto(device_url)
    clerk.locator("#overall-5").check()
    clerk.get_by_role("button", name="提交评价").click()
    clerk.wait_for_load_state()
    pages.shot(clerk, "window-rate-refused-for-the-clerk")
    assert "工作人员登录时不能评价" in clerk.locator("main").inner_text()

    # the counter tablet, nobody signed in: the applicant rates, the thanks page comes by redirect
    tablet = new_page(viewport={"width": 800, "height": 1280} if screen == "desktop-1366" else WIDTHS[screen])
    if elder:  # the tablet in 长辈版 (a cookie: nobody is signed in there)
        tablet.goto(device_url)
        tablet.locator("#elder-toggle").click()
        tablet.wait_for_load_state()
    text = _visit(tablet, pages, device_url, "window-rate-device")
    assert case.reference in text
    tablet.locator("#overall-4").check()
    tablet.get_by_role("button", name="提交评价").click()
    tablet.wait_for_load_state()
    assert tablet.url == device_url  # Post/Redirect/Get: back on its own address, the thanks shown there
    pages.shot(tablet, "window-rate-device-thanks")
    assert "感谢您的评价" in tablet.locator("main").inner_text()
    pages.assert_accessible()
