"""The case page's forms as the clerk, the reviewer and the decider use them (issue 16), in a real browser:

- every radio button and checkbox of the transition forms and of the material check sits beside its label,
  at 1366 px and at 375 px, in normal and in elder mode; nothing scrolls sideways on a phone; no code or
  field key shows; axe finds nothing serious;
- the reviewer picks a common opinion phrase with one click and it lands in the opinion;
- refreshing the rating and the complaint confirmation pages creates nothing."""

from __future__ import annotations

import re

import pytest

from .conftest import login
from .test_design import CONTROLS_BESIDE_LABELS, PAGE_FACTS, WIDTHS, code_pattern, open_rating, raw_codes

# (who, queue, the item of the case opened from the queue, what the page must offer)
CASE_PAGES = [
    ("clerk", "intake", "食品经营许可", "材料核验"),
    ("reviewer", "review", "特种设备使用登记", "常用意见"),
    ("decider", "decision", "企业设立登记", "常用意见"),
]
# the material check's controls and the phrase groups, however they are numbered
CHECK_KEYS = re.compile(r"(?<![\w.@/-])(?:verdict|problem|seen)_\d+|phrases_[a-z_]+(?![\w.@/-])")


def transition_field_names() -> set[str]:
    from approvals import forms

    names: set[str] = set()
    for obj in vars(forms).values():
        if isinstance(obj, type) and issubclass(obj, forms.TransitionForm):
            names |= set(obj.base_fields)
    return {n for n in names if len(n) >= 3}


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_case_page_forms_sit_beside_their_labels_and_fit_a_phone(new_page, pages, screen):
    pattern = code_pattern(raw_codes() | transition_field_names())
    report: list[str] = []
    for who, queue, item, offers in CASE_PAGES:
        for elder in (False, True):
            page = new_page(viewport=WIDTHS[screen])
            login(page, who)
            if elder:
                page.locator("#elder-toggle").click()
                page.wait_for_load_state()
            page.goto(f"/cases/queue/{queue}/")
            page.locator("main tr", has_text=item).locator("a").first.click()
            page.wait_for_load_state()
            name = f"{who}-{'elder' if elder else 'normal'}"
            assert offers in page.locator("main").inner_text(), name
            pages.shot(page, name)
            facts = page.evaluate(PAGE_FACTS)
            if facts["scroll"] > facts["client"] + 1:
                report.append(f"{name}: {facts['scroll']}px wide on a {facts['client']}px screen")
            controls = page.evaluate(CONTROLS_BESIDE_LABELS)
            assert controls["checked"], f"{name}: no radio or checkbox found"
            report.extend(f"{name}: {b}" for b in controls["bad"])
            found = sorted(set(pattern.findall(facts["text"])) | set(CHECK_KEYS.findall(facts["text"])))
            if found:
                report.append(f"{name}: shows raw codes {found}")
    assert not report, f"case page forms at {screen}:\n" + "\n".join(report)
    pages.assert_accessible()


def test_a_phrase_is_one_click_into_the_opinion(new_page, pages):
    from playwright.sync_api import expect

    page = new_page()
    login(page, "reviewer")
    page.goto("/cases/queue/review/")
    page.locator("main tr", has_text="特种设备使用登记").locator("a").first.click()
    page.wait_for_load_state()
    form = page.locator("form[action$='/do/send_to_decision/']")
    expect(page.locator(".review-points")).to_contain_text("安全管理人员")  # the item's review points
    opinion = form.locator("textarea[name=opinion]")
    opinion.fill("附检验报告。")
    opinion.evaluate("el => el.setSelectionRange(0, 0)")  # the cursor at the start
    form.get_by_role("button", name="申请材料齐全，符合法定形式。").click()
    expect(opinion).to_have_value("申请材料齐全，符合法定形式。附检验报告。")
    pages.shot(page, "phrase-picked")
    form.locator("button[type=submit]", has_text="提交决定").click()
    page.wait_for_load_state()
    pages.shot(page, "sent-to-decision")
    expect(page.locator(".timeline")).to_contain_text("申请材料齐全，符合法定形式。附检验报告。")
    pages.assert_accessible()


def test_refreshing_the_rating_and_complaint_confirmations_creates_nothing(new_page, pages):
    from playwright.sync_api import expect

    from complaints.models import Complaint, Rating

    page = new_page()
    login(page, "citizen")
    open_rating(page)
    page.locator("#overall-5").check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    pages.shot(page, "rated")
    expect(page.locator("h1")).to_have_text("感谢您的评价！")
    ratings = Rating.objects.count()
    page.reload()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("感谢您的评价！")
    assert Rating.objects.count() == ratings

    page.goto("/complaints/")
    page.locator("[name=subject]").fill("窗口排队时间过长")
    page.locator("[name=content]").fill("上午九点到窗口，等候两个小时仍未办理。")
    if page.locator("[name=phone]").input_value() == "":
        page.locator("[name=phone]").fill("13900001111")
    if page.locator("[name=name]").input_value() == "":
        page.locator("[name=name]").fill("张三")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    pages.shot(page, "complaint-filed")
    expect(page.locator("h1")).to_have_text("投诉已登记")
    complaints = Complaint.objects.count()
    number = page.locator(".govuk-panel__body strong").inner_text()
    page.reload()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("投诉已登记")
    assert page.locator(".govuk-panel__body strong").inner_text() == number
    assert Complaint.objects.count() == complaints
    pages.assert_accessible()
