"""The set-based alert scan: once-only alerts, closing on conclusion, constant query counts."""

import datetime
from unittest import mock

import pytest
import time_machine

from approvals.constants import CaseState
from approvals.models import CaseTransition
from portal.accounts.constants import Role
from portal.exceptions import ConflictError, PermissionDeniedError
from supervision.constants import AlertLevel, AlertState
from supervision.models import Alert, AlertRule
from supervision.services import alert_explain, alert_review, alert_scan, finding_record, received_cutoff
from tests.factories import DepartmentFactory, ItemFactory, staff

from .factories import at, make_case

D = datetime.date
TODAY = D(2026, 3, 16)  # a Monday
NOW = at(TODAY, 9)


@pytest.fixture
def setup(calendar):
    dept = DepartmentFactory(code="ALR", name="交通局")
    item = ItemFactory(department=dept)
    holder = staff(Role.REVIEWER, dept)
    head = staff(Role.HEAD, dept)
    inspector = staff(Role.INSPECTOR)
    return {"dept": dept, "item": item, "holder": holder, "head": head, "inspector": inspector}


def _levels(case):
    return sorted(case.alerts.values_list("level", flat=True))


def test_levels_once_and_closing(setup):
    item, holder = setup["item"], setup["holder"]
    far = make_case(
        item,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 30),
        statutory_due=D(2026, 4, 30),
        holder=holder,
    )
    # due tomorrow (Tuesday): 1 working day left → yellow
    yellow = make_case(
        item,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 17),
        statutory_due=D(2026, 4, 30),
        holder=holder,
    )
    # due Wednesday: 2 working days left → nothing with the default rule
    two = make_case(
        item, accepted_on=D(2026, 3, 2), promised_due=D(2026, 3, 18), statutory_due=D(2026, 4, 30)
    )
    red = make_case(
        item,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 13),
        statutory_due=D(2026, 4, 30),
        holder=holder,
    )
    stat = make_case(
        item,
        state=CaseState.AWAITING_DECISION,
        accepted_on=D(2026, 2, 2),
        promised_due=D(2026, 2, 9),
        statutory_due=D(2026, 3, 13),
        holder=holder,
    )
    step = make_case(
        item,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 9),
        promised_due=D(2026, 3, 20),
        statutory_due=D(2026, 4, 30),
        current_step="审查",
        step_due=D(2026, 3, 13),
        holder=holder,
    )
    suspended = make_case(
        item,
        state=CaseState.SUSPENDED,
        accepted_on=D(2026, 2, 2),
        promised_due=D(2026, 2, 9),
        statutory_due=D(2026, 3, 2),
    )
    # submitted on Friday 6 March: 6 working days unanswered by Monday 16 March → conduct alert
    waiting = make_case(item, state=CaseState.SUBMITTED, accepted_on=None, received_on=D(2026, 3, 6))
    fresh = make_case(item, state=CaseState.SUBMITTED, accepted_on=None, received_on=D(2026, 3, 9))
    refused = make_case(item, state=CaseState.NOT_ACCEPTED, accepted_on=None, received_on=D(2026, 3, 9))
    CaseTransition.objects.create(
        case=refused, name="refuse", from_state="submitted", to_state="not_accepted", reason="  "
    )
    refused_ok = make_case(item, state=CaseState.NOT_ACCEPTED, accepted_on=None, received_on=D(2026, 3, 9))
    CaseTransition.objects.create(
        case=refused_ok,
        name="refuse",
        from_state="submitted",
        to_state="not_accepted",
        reason="不属于本部门职权范围",
    )

    with mock.patch("supervision.services.notify") as notify:
        result = alert_scan(now=NOW)
    assert _levels(far) == [] and _levels(two) == [] and _levels(suspended) == [] and _levels(fresh) == []
    assert _levels(yellow) == ["yellow"]
    assert _levels(red) == ["red"]
    assert _levels(stat) == ["red", "statutory"]
    assert _levels(step) == ["step"]
    assert _levels(waiting) == ["intake_overdue"]
    assert _levels(refused) == ["refusal_no_reason"] and _levels(refused_ok) == []
    assert result.raised == 7
    assert Alert.history.filter(history_type="+").count() == 7
    events = [(c.kwargs["recipient"], c.kwargs["event"]) for c in notify.call_args_list]
    # red: holder, head and the efficiency office; yellow and step: holder and head
    red_recipients = {u for u, e in events if e == "alert.raised"}
    assert {setup["holder"], setup["head"], setup["inspector"]} <= red_recipients
    step_recipients = [u for u, e in events if e == "staff.step_warning"]
    assert sorted(u.pk for u in step_recipients) == sorted([setup["holder"].pk, setup["head"].pk])
    red_ctx = [
        c.kwargs["context"] for c in notify.call_args_list if c.kwargs["context"].get("level") == "red"
    ]
    assert {
        "reference": red.reference,
        "item_name": item.name,
        "level": "red",
        "due": "2026-03-13",
        "level_label": "红牌",
    } in red_ctx

    # repeated scans raise nothing new and notify nobody
    with mock.patch("supervision.services.notify") as notify:
        again = alert_scan(now=NOW)
        assert again.raised == 0 and notify.call_count == 0
    assert Alert.objects.count() == 7

    # the red case concludes: its alert closes, and stays closed
    red.concluded_at = at(D(2026, 3, 16), 11)
    red.concluded_on = D(2026, 3, 16)
    type(red).objects.filter(pk=red.pk).update(state=CaseState.APPROVED, concluded_at=red.concluded_at)
    result = alert_scan(now=at(TODAY, 12))
    assert result.closed == 1 and result.raised == 0
    alert = red.alerts.get()
    assert alert.closed_at is not None
    assert alert.history.filter(history_type="~").count() == 1
    # moving on to another step closes the step alert
    type(step).objects.filter(pk=step.pk).update(current_step="决定", step_due=D(2026, 3, 20))
    assert alert_scan(now=at(TODAY, 13)).closed == 1


def test_yellow_rule_overrides(setup):
    item, dept = setup["item"], setup["dept"]
    other = ItemFactory(department=dept)
    c1 = make_case(item, accepted_on=D(2026, 3, 2), promised_due=D(2026, 3, 19), statutory_due=D(2026, 4, 30))
    c2 = make_case(
        other, accepted_on=D(2026, 3, 2), promised_due=D(2026, 3, 19), statutory_due=D(2026, 4, 30)
    )
    AlertRule.objects.create(level=AlertLevel.YELLOW, department=dept, days=3)
    AlertRule.objects.create(level=AlertLevel.YELLOW, item=other, days=2)
    AlertRule.objects.create(level=AlertLevel.STEP, days=0, active=False)
    with mock.patch("supervision.services.notify"):
        alert_scan(now=NOW)
    assert _levels(c1) == ["yellow"]  # department rule: 3 days → up to Thursday 19th
    assert _levels(c2) == []  # item rule: 2 days → up to Wednesday 18th


def test_received_cutoff_uses_the_calendar(calendar):
    # 16 March 2026 (Mon): 9–13 and 16 March are 6 working days → received on or before Sunday 8 March
    assert received_cutoff(D(2026, 3, 16), 5) == D(2026, 3, 8)
    # after the May Day holiday (1–5 May 2026, 9 May a make-up working day)
    assert received_cutoff(D(2026, 5, 11), 5) == D(2026, 4, 29)


def _open_cases(item, n):
    for i in range(n):
        make_case(
            item,
            state=CaseState.IN_REVIEW,
            accepted_on=D(2026, 3, 2),
            promised_due=D(2026, 3, 13 + i % 3),
            statutory_due=D(2026, 3, 13),
            current_step="审查",
            step_due=D(2026, 3, 12),
        )


def _count_scan(django_assert_num_queries, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with mock.patch("supervision.services.notify"), CaptureQueriesContext(connection) as ctx:
        result = alert_scan(now=NOW)
    return len(ctx.captured_queries), result


def test_constant_queries(setup, django_assert_num_queries):
    alert_scan(now=NOW)  # warm the calendar
    _open_cases(setup["item"], 10)
    q10, r10 = _count_scan(django_assert_num_queries, 10)
    assert r10.raised > 0
    Alert.objects.all().delete()
    _open_cases(setup["item"], 90)
    q100, r100 = _count_scan(django_assert_num_queries, 100)
    assert r100.raised > r10.raised
    assert q10 == q100
    # a scan with nothing new
    q_again, r_again = _count_scan(django_assert_num_queries, 100)
    assert r_again.raised == 0 and q_again <= q100


def test_alert_life(setup):
    item, holder, inspector = setup["item"], setup["holder"], setup["inspector"]
    case = make_case(
        item,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 13),
        statutory_due=D(2026, 4, 30),
        holder=holder,
    )
    alert_scan(now=NOW)
    alert = case.alerts.get(level="red")
    with pytest.raises(ConflictError):
        alert_review(alert=alert, actor=inspector)  # red needs an explanation first
    with pytest.raises(PermissionDeniedError):
        alert_explain(
            alert=alert, actor=staff(Role.REVIEWER, DepartmentFactory(code="OTHER")), explanation="x"
        )
    alert = alert_explain(alert=alert, actor=holder, explanation="专家评审意见晚到两日")
    assert alert.state == AlertState.EXPLAINED
    with pytest.raises(PermissionDeniedError):
        alert_review(alert=alert, actor=holder)
    alert = alert_review(alert=alert, actor=inspector, note="情况属实")
    assert alert.state == AlertState.REVIEWED
    finding = finding_record(
        actor=inspector, kind="criticism", finding="超承诺时限办结", person=holder, alert=alert
    )
    assert finding.department == setup["dept"] and finding.case == case
    assert alert.history.count() == 3  # raised, explained, reviewed
    assert finding.history.count() == 1


@pytest.mark.postgres
def test_scan_on_postgres(setup):
    _open_cases(setup["item"], 5)
    assert alert_scan(now=NOW).raised > 0
    assert alert_scan(now=NOW).raised == 0


def test_task_runs_the_scan(setup):
    from supervision.tasks import alert_scan as task

    make_case(
        setup["item"],
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 13),
        statutory_due=D(2026, 4, 30),
    )
    with time_machine.travel(NOW, tick=False):
        assert task()["raised"] == 1
        assert task()["raised"] == 0


def test_a_case_saved_from_a_stale_copy_keeps_its_alert_bookkeeping(setup):
    """The scan remembers on the case which alerts it raised (``alert_levels`` / ``alert_step``). A
    service that loaded the case before the scan and saves it afterwards must not erase that: the
    alert would not be raised twice (the unique constraint), but it would never be closed."""
    from approvals.models import Case

    item, holder = setup["item"], setup["holder"]
    red = make_case(
        item,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 13),
        statutory_due=D(2026, 4, 30),
        holder=holder,
        current_step="审查",
        step_due=D(2026, 3, 12),
    )
    stale = Case.objects.get(pk=red.pk)
    with mock.patch("supervision.services.notify"):
        assert alert_scan(now=NOW).raised == 2  # red and step
    stale.holder = setup["head"]
    stale.save()
    assert Case.objects.filter(pk=red.pk).values_list("alert_levels", "alert_step").get() == (2, "审查")
    # concluded: both alerts close; the bookkeeping is cleared
    Case.objects.filter(pk=red.pk).update(
        state=CaseState.APPROVED, concluded_at=at(TODAY, 11), concluded_on=TODAY
    )
    assert alert_scan(now=at(TODAY, 12)).closed == 2
    assert red.alerts.filter(closed_at__isnull=True).count() == 0
    assert Case.objects.filter(pk=red.pk).values_list("alert_levels", "alert_step").get() == (0, "")
