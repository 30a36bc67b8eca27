"""How a case reads to a person (issue 16): the step bar, every due date as a date and as days left (working
or natural days, said which), the window's answer-by date (Art. 32), a suspension in words."""

import datetime

import pytest
from django.urls import reverse

from approvals import presentation
from approvals.constants import CaseState
from approvals.models import Case, Suspension
from tests.approvals.factories import CaseFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def statuses(state: str, **kw) -> list[str]:
    return [s.status for s in presentation.step_bar(Case(state=state, **kw))]


def test_the_step_bar_follows_the_case_and_marks_where_it_stopped(world):
    labels = [str(s.label) for s in presentation.step_bar(Case(state=CaseState.SUBMITTED))]
    assert labels == ["申请", "受理", "审查", "决定", "办结"]
    assert statuses(CaseState.SUBMITTED) == ["done", "current", "todo", "todo", "todo"]
    assert statuses(CaseState.AWAITING_DECISION) == ["done", "done", "done", "current", "todo"]
    assert statuses(CaseState.DELIVERED) == ["done"] * 5
    assert statuses(CaseState.NOT_ACCEPTED) == ["done", "stopped", "todo", "todo", "todo"]
    withdrawn = statuses(CaseState.WITHDRAWN, accepted_on=datetime.date(2026, 3, 2))
    assert withdrawn == ["done", "done", "stopped", "todo", "todo"]


def test_the_window_answers_within_5_working_days_of_receipt_art_32(world):
    """Received on Friday 2026-03-06: the receipt day does not count, the weekend is off, the window has the
    whole of the 5th working day — Friday 2026-03-13."""
    assert presentation.answer_by(datetime.date(2026, 3, 6)).date == datetime.date(2026, 3, 13)
    case = CaseFactory(received_on=datetime.date(2026, 3, 6))
    rows = presentation.due_rows(case, datetime.date(2026, 3, 10))
    assert str(rows[0].label) == "窗口答复期限" and rows[0].date == datetime.date(2026, 3, 13)
    assert rows[0].left == "剩余3个工作日"


def test_due_dates_say_working_or_natural_days_and_overdue(world):
    case = CaseFactory(accepted=True)  # promised 2026-03-09, statutory 2026-03-30, working days
    rows = {str(r.label): r for r in presentation.due_rows(case, datetime.date(2026, 3, 5))}
    assert rows["承诺办结日期"].left == "剩余2个工作日"
    assert rows["法定办结日期"].date == datetime.date(2026, 3, 30)
    rows = {str(r.label): r for r in presentation.due_rows(case, datetime.date(2026, 3, 9))}
    assert rows["承诺办结日期"].left == "今天到期"
    rows = {str(r.label): r for r in presentation.due_rows(case, datetime.date(2026, 3, 11))}
    assert rows["承诺办结日期"].left == "已超期2个工作日" and rows["承诺办结日期"].colour == "red"
    natural = CaseFactory(accepted=True, limit_unit="natural")
    rows = {str(r.label): r for r in presentation.due_rows(natural, datetime.date(2026, 3, 5))}
    assert rows["承诺办结日期"].left == "剩余4个自然日"
    concluded = CaseFactory(concluded=True)
    rows = {str(r.label): r for r in presentation.due_rows(concluded, datetime.date(2026, 3, 11))}
    assert rows["承诺办结日期"].left == ""  # concluded: no countdown


def test_the_case_page_says_the_clock_is_stopped_why_and_until_when(world, client):
    case = CaseFactory(accepted=True, state=CaseState.SUSPENDED, applicant=world.citizen)
    Suspension.objects.create(
        case=case, kind="testing", reason="样机送检", expected_days=10, started_on=datetime.date(2026, 3, 3)
    )
    client.force_login(case.applicant)
    with at(2026, 3, 4):
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert "计时已中止" in page and "样机送检" in page
    assert "预计 2026-03-17 恢复计时" in page  # 10 working days after 03-03
    assert 'class="portal-steps"' in page and 'aria-current="step"' in page
    assert "剩余" in page and "个工作日" in page
