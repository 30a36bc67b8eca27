"""The legal clock where the window and the department meet (行政许可法 Arts. 32, 42, 44; DESIGN §3, §4).

Dates are checked against the State Council's published schedules (国办发明电〔2025〕7号 for 2026):
March 2026 has no holiday; 中秋节 25 Sep 2026 (Fri) off; 国庆节 1–7 Oct 2026 off with Sun 20 Sep and
Sat 10 Oct 2026 working days.
"""

import datetime
from unittest import mock

from django.urls import reverse

from approvals.constants import CaseState
from approvals.models import Case, CaseTransition
from approvals.services.scans import deem_accepted_scan
from portal.notifications.models import Notification
from supervision.constants import AlertLevel
from supervision.models import Alert
from supervision.services import alert_scan

from .conftest import TZ, at

D = datetime.date


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _alerts(case: Case) -> list[str]:
    return sorted(Alert.objects.filter(case=case).values_list("level", flat=True))


def _scan(y: int, m: int, d: int) -> None:
    with mock.patch("supervision.services.notify"):
        alert_scan(now=datetime.datetime(y, m, d, 0, 20, tzinfo=TZ))


# --- Art. 32: the window has the whole of the 5th working day ------------------------------------------


def test_art32_deemed_acceptance_waits_for_the_whole_fifth_working_day(world):
    """行政许可法 Art. 32: received Mon 2 Mar 2026; the 5th working day after it is Mon 9 Mar, which the
    window has in full. The scan at 00:15 on Mon 9 Mar accepts nothing and the clerk may still answer
    that day; the scan at 00:15 on Tue 10 Mar deems it accepted as of the day received."""
    with at(2026, 3, 2):
        case = world.case()
        early = world.case()
    with at(2026, 3, 9, 0):
        assert deem_accepted_scan() == 0
    assert _reload(case).state == CaseState.SUBMITTED
    _scan(2026, 3, 9)
    assert _alerts(case) == []  # the conduct alert agrees: not late yet
    with at(2026, 3, 9, 16):
        assert world.fire(world.clerk, early, "accept").status_code == 200  # answered on the last day
        listed = world.api(world.clerk).get(f"/api/v1/cases/{case.reference}/").json()
        assert listed["answer_by"] == "2026-03-09"
    with at(2026, 3, 10, 0):
        assert deem_accepted_scan() == 1
    case = _reload(case)
    assert case.state == CaseState.ACCEPTED and case.accepted_on == D(2026, 3, 2)
    assert _reload(early).accepted_on == D(2026, 3, 9)


def test_art32_conduct_alert_and_deemed_acceptance_use_the_same_day_across_a_holiday(world):
    """行政许可法 Art. 32 over 中秋 and 国庆 2026: received Thu 24 Sep; Fri 25 Sep and 1–7 Oct are off and
    Sat 10 Oct is a working day, so the 5th working day is Fri 9 Oct (28, 29, 30 Sep, 8, 9 Oct). Neither
    the deemed acceptance nor the supervision alert (超期未受理) fires on 9 Oct; both fire on Sat 10 Oct."""
    with at(2026, 9, 24):
        case = world.case()
    with at(2026, 10, 9, 0):
        assert deem_accepted_scan() == 0
    _scan(2026, 10, 9)
    assert _alerts(case) == []
    _scan(2026, 10, 10)
    assert _alerts(case) == [AlertLevel.INTAKE_OVERDUE]
    with at(2026, 10, 10, 0):
        assert deem_accepted_scan() == 1
    assert _reload(case).accepted_on == D(2026, 9, 24)


# --- Art. 32 after a correction: the 5 days start again, acceptance is never backdated ------------------


def test_art32_after_a_correction_the_window_count_restarts_and_acceptance_is_not_backdated(world):
    """行政许可法 Art. 32: received Mon 2 Mar 2026, correction asked Wed 4 Mar, the complete correction
    arrives Thu 12 Mar. The window has again 5 working days from 12 Mar (13, 16, 17, 18, 19 Mar): the
    clerk is told of the corrected files, the answer-by date shown is Thu 19 Mar, nothing is deemed
    accepted before Fri 20 Mar, and then it is accepted as of 12 Mar — not of 2 Mar."""
    with at(2026, 3, 2):
        case = world.case()
    with at(2026, 3, 4):
        r = world.fire(world.clerk, case, "request_correction", materials=["营业执照：复印件不清晰"])
        assert r.status_code == 200, r.content
    with at(2026, 3, 12, 15):
        r = world.fire(world.citizen, case, "supply", note="已重新上传清晰的营业执照")
        assert r.status_code == 200, r.content
    assert Notification.objects.filter(recipient=world.clerk, event="staff.new_work").exists()
    with at(2026, 3, 13):
        detail = world.api(world.clerk).get(f"/api/v1/cases/{case.reference}/").json()
        assert detail["state"] == "submitted" and detail["answer_by"] == "2026-03-19"
    with at(2026, 3, 19, 0):
        assert deem_accepted_scan() == 0  # the original count (ended 9 Mar) no longer applies
    _scan(2026, 3, 19)
    assert _alerts(case) == []
    with at(2026, 3, 20, 0):
        assert deem_accepted_scan() == 1
    case = _reload(case)
    assert case.state == CaseState.ACCEPTED
    assert case.accepted_on == D(2026, 3, 12)  # as of the complete correction, never the receipt day
    assert case.promised_due == D(2026, 3, 19)  # 5 working days after 12 Mar, not after 2 Mar (9 Mar)
    entry = CaseTransition.objects.get(case=case, name="deem_accept")
    assert entry.data["accepted_as_of"] == "2026-03-12"
    assert "补正材料" in entry.reason


def test_art32_window_page_shows_the_restarted_answer_by_date(world, client):
    """行政许可法 Art. 32: the clerk's intake queue shows the corrected application with its new answer-by
    date (Thu 19 Mar 2026 for a correction completed Thu 12 Mar), not the lapsed one (Mon 9 Mar)."""
    with at(2026, 3, 2):
        case = world.case()
    with at(2026, 3, 4):
        world.fire(world.clerk, case, "request_correction", materials=["营业执照：复印件不清晰"])
    with at(2026, 3, 12):
        world.fire(world.citizen, case, "supply", note="已重新上传")
    client.force_login(world.clerk)
    with at(2026, 3, 13):
        page = client.get(reverse("approvals:clerk_queue")).content.decode()
        detail = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert case.reference in page and "2026-03-19" in page and "2026-03-09" not in page
    assert "2026-03-19" in detail


# --- one-time correction: a later notice may only name what is still faulty ----------------------------


def test_second_correction_notice_naming_new_materials_raises_a_conduct_alert(world):
    """一次性告知补正 (行政许可法 Art. 32(4), DESIGN §3): a later notice naming only materials of the first
    notice is a follow-up; one naming anything else is recorded as a second notice and the efficiency
    office gets a conduct alert."""
    with at(2026, 3, 2):
        follow_up = world.case()
        second = world.case()
    for case in (follow_up, second):
        with at(2026, 3, 3):
            r = world.fire(world.clerk, case, "request_correction", materials=["营业执照：复印件不清晰"])
            assert r.status_code == 200
        with at(2026, 3, 4):
            world.fire(world.citizen, case, "supply", note="已补正")
    with at(2026, 3, 5):
        r = world.fire(world.clerk, follow_up, "request_correction", materials=["营业执照：仍不清晰"])
        assert r.status_code == 200
        r = world.fire(
            world.clerk, second, "request_correction", materials=["营业执照：仍不清晰", "租赁合同：缺少"]
        )
        assert r.status_code == 200  # the notice still reaches the applicant
    assert not CaseTransition.objects.filter(case=follow_up, name="second_correction_notice").exists()
    entry = CaseTransition.objects.get(case=second, name="second_correction_notice")
    assert entry.data["materials"] == [{"name": "租赁合同", "problem": "缺少"}]
    assert entry.actor == world.clerk
    with mock.patch("supervision.services.notify") as notify:
        alert_scan(now=datetime.datetime(2026, 3, 5, 12, tzinfo=TZ))
    assert _alerts(follow_up) == []
    assert _alerts(second) == [AlertLevel.SECOND_CORRECTION]
    told = {c.kwargs["recipient"] for c in notify.call_args_list if c.kwargs["event"] == "alert.raised"}
    assert world.inspector in told  # the efficiency office sees it
    # once only, and it stays until reviewed even after the case ends
    with at(2026, 3, 6):
        world.fire(world.citizen, second, "withdraw", reason="不办了")
    with mock.patch("supervision.services.notify"):
        alert_scan(now=datetime.datetime(2026, 3, 6, 12, tzinfo=TZ))
    alert = Alert.objects.get(case=second)
    assert alert.closed_at is None and Alert.objects.filter(case=second).count() == 1


# --- cases that end without a decision stop their clock; natural days say so ---------------------------


def test_withdrawn_case_stops_its_clock_and_is_never_shown_overdue(world, client):
    """DESIGN §3 (Art. 42 time limits): a case withdrawn on Wed 4 Mar 2026, two working days after its
    acceptance on Mon 2 Mar, shows 2 days used and nothing overdue a month later (its promised due date
    was Mon 9 Mar)."""
    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
    with at(2026, 3, 4):
        world.fire(world.citizen, case, "withdraw", reason="不再需要")
    assert _reload(case).ended_on == D(2026, 3, 4)
    client.force_login(world.citizen)
    with at(2026, 4, 10):
        row = world.api(world.citizen).get("/api/v1/cases/").json()["results"][0]
        page = client.get(reverse("approvals:my_cases")).content.decode()
        detail = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert row["remaining_days"] is None and row["due_colour"] == "" and row["elapsed_days_now"] == 2
    assert row["ended_on"] == "2026-03-04"
    assert "已超期" not in page and "已超期" not in detail
    assert "2个工作日" in detail  # time used, counted to the day it ended


def test_natural_day_item_is_labelled_in_natural_days(world, client):
    """DESIGN §4: an item counted in natural days shows its days left and used in 自然日, never 工作日:
    accepted Mon 2 Mar 2026 with a promised limit of 20 natural days, due Sun 22 Mar; on Tue 10 Mar
    8 natural days are used and 12 are left."""
    from tests.factories import ItemFactory

    item = ItemFactory.create(
        department=world.dept, statutory_limit=30, promised_limit=20, limit_unit="natural"
    )
    with at(2026, 3, 2):
        case = world.case(item=item)
        world.fire(world.clerk, case, "accept")
    assert _reload(case).promised_due == D(2026, 3, 22)
    client.force_login(world.reviewer)
    with at(2026, 3, 10):
        queue = client.get(reverse("approvals:review_queue")).content.decode()
        detail = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert "剩余12个自然日" in queue and "8个自然日" in queue
    assert "个工作日" not in queue.split(case.reference, 1)[1].split("</tr>", 1)[0]
    assert "剩余12个自然日" in detail and "8个自然日" in detail


# --- Art. 42: extension asked by the handler, approved by the head --------------------------------------


def _in_review(world, item, when=(2026, 3, 2)):
    with at(*when):
        case = world.case(item=item)
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
    return case


def test_art42_joint_handling_may_reach_15_working_days_only_with_the_government_heads_approval(world):
    """行政许可法 Art. 42(2): a jointly handled item (统一/联合/集中办理, 45 working days) may be extended by
    15 working days; beyond the head's 10 the approval of the people's government head is recorded.
    Accepted Mon 2 Mar 2026: 45 working days end Fri 8 May (清明 6 Apr, 劳动节 1–5 May off, Sat 9 May worked
    only after), +15 working days → Thu 28 May."""
    from tests.factories import ItemFactory

    item = ItemFactory(department=world.dept, statutory_limit=45, promised_limit=20, joint_handling=True)
    case = _in_review(world, item)
    assert _reload(case).statutory_due == D(2026, 5, 8)
    with at(2026, 3, 10):
        r = world.fire(world.reviewer, case, "request_extension", days=16, reason="多部门联合核查")
        assert r.status_code == 400 and "days" in r.json()
        r = world.fire(world.reviewer, case, "request_extension", days=15, reason="多部门联合核查")
        assert r.status_code == 200
        assert world.fire(world.reviewer, case, "request_extension", days=1, reason="x").status_code == 409
        r = world.fire(world.head, case, "extend", reason="同意")
        assert r.status_code == 400 and "government_approval" in r.json()
        r = world.fire(
            world.head, case, "extend", reason="同意", government_approval="某市政府批〔2026〕12号"
        )
        assert r.status_code == 200, r.content
    case = _reload(case)
    assert case.extension_days == 15 and case.statutory_due == D(2026, 5, 28)
    entry = CaseTransition.objects.get(case=case, name="extend")
    assert entry.actor == world.head and entry.data["government_approval"] == "某市政府批〔2026〕12号"
    assert (
        entry.data["request_reason"] == "多部门联合核查" and entry.data["requested_by"] == world.reviewer.pk
    )
    assert CaseTransition.objects.get(case=case, name="request_extension").actor == world.reviewer
    told = Notification.objects.get(recipient=world.citizen, event="case.extended")
    assert "2026-05-28" in told.body and "多部门联合核查" in told.body


def test_art42_head_alone_approves_10_working_days_of_a_joint_case(world):
    """行政许可法 Art. 42: the department head may approve 10 of the 15 days asked for without the
    government head (45 working days end Fri 8 May 2026; +10 → Thu 21 May)."""
    from tests.factories import ItemFactory

    item = ItemFactory(department=world.dept, statutory_limit=45, promised_limit=20, joint_handling=True)
    case = _in_review(world, item)
    with at(2026, 3, 10):
        world.fire(world.reviewer, case, "request_extension", days=15, reason="联合核查")
        assert world.fire(world.head, case, "extend", days=16).status_code == 400  # more than asked
        assert world.fire(world.head, case, "extend", days=10, reason="先延10日").status_code == 200
    assert _reload(case).statutory_due == D(2026, 5, 21)


def test_art42_extension_of_a_natural_day_item_counts_working_days(world):
    """行政许可法 Arts. 42 and 82: the law's 10 days are working days, also for an item counted in natural
    days. Accepted Mon 2 Mar 2026 with 30 natural days → Wed 1 Apr; +10 working days (清明 4–6 Apr off)
    → Thu 16 Apr, not 11 Apr."""
    from tests.factories import ItemFactory

    item = ItemFactory(department=world.dept, statutory_limit=30, promised_limit=20, limit_unit="natural")
    case = _in_review(world, item)
    assert _reload(case).statutory_due == D(2026, 4, 1)
    with at(2026, 3, 10):
        world.fire(world.reviewer, case, "request_extension", days=10, reason="需现场核查")
        assert world.fire(world.head, case, "extend").status_code == 200
    case = _reload(case)
    assert case.statutory_due == D(2026, 4, 16) and case.extension_unit == "working"


def test_art42_item_with_its_own_legal_extension_limit_uses_it_with_its_basis(world):
    """行政许可法 Art. 42 ("法律、法规另有规定的，依照其规定"): an item whose catalogue row carries another
    law's limit (30 natural days here, with its basis) is extended by that, in its own unit: 60 natural
    days from Mon 2 Mar 2026 → Fri 1 May, +30 natural days → Sun 31 May."""
    from tests.factories import ItemFactory

    item = ItemFactory(
        department=world.dept,
        statutory_limit=60,
        promised_limit=40,
        limit_unit="natural",
        extension_limit=30,
        extension_basis="《某某条例》第二十条",
    )
    case = _in_review(world, item)
    with at(2026, 3, 10):
        r = world.fire(world.reviewer, case, "request_extension", days=31, reason="需专家论证")
        assert r.status_code == 400 and "《某某条例》第二十条" in r.json()["detail"]
        world.fire(world.reviewer, case, "request_extension", days=30, reason="需专家论证")
        assert world.fire(world.head, case, "extend").status_code == 200
    case = _reload(case)
    assert case.statutory_due == D(2026, 5, 31) and case.extension_unit == "natural"


def test_art42_head_may_refuse_the_request_and_the_handler_is_told(world, client):
    """行政许可法 Art. 42: the head decides; a refused request extends nothing and may be asked again. The
    head's page shows the request (days and reasons) with the approve and refuse forms."""
    case = _in_review(world, world.item)
    with at(2026, 3, 10):
        world.fire(world.reviewer, case, "request_extension", days=5, reason="需补充核查")
        client.force_login(world.head)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "承办人申请延长5天，理由：需补充核查" in page and "不批准延期" in page
        r = world.fire(world.head, case, "reject_extension", reason="尚未穷尽正常审查手段")
        assert r.status_code == 200
    case = _reload(case)
    assert case.extension_days == 0 and case.extension_requested_days == 0
    assert case.statutory_due == D(2026, 3, 30)
    assert Notification.objects.filter(recipient=world.reviewer, event="staff.new_work").exists()
    assert not Notification.objects.filter(recipient=world.citizen, event="case.extended").exists()
    with at(2026, 3, 11):
        assert (
            world.fire(world.reviewer, case, "request_extension", days=5, reason="再申请").status_code == 200
        )


# --- Art. 44: the licence within 10 working days of the approval ----------------------------------------


def _approved(world, when):
    with at(*when):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        world.fire(world.reviewer, case, "send_to_decision", opinion="符合条件")
        r = world.fire(world.decider, case, "approve", opinion="准予许可")
        assert r.status_code == 200, r.content
    return case


def test_art44_licence_due_within_10_working_days_is_watched_until_delivery(world, client):
    """行政许可法 Art. 44: approved Mon 16 Mar 2026, the licence is due Mon 30 Mar (10 working days). The
    case page shows the date; the scan gives a yellow card on Fri 27 Mar (1 working day left), a red card
    on Tue 31 Mar (the efficiency office told), and closes both once the licence is delivered."""
    case = _approved(world, (2026, 3, 16))
    on_time = _approved(world, (2026, 3, 16))
    assert _reload(case).licence_due == D(2026, 3, 30)
    client.force_login(world.citizen)
    with at(2026, 3, 17):
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        world.fire(world.clerk, on_time, "deliver", method="window", place="1号窗口")
    assert "证照颁发送达期限" in page and "2026-03-30" in page
    _scan(2026, 3, 26)
    assert _alerts(case) == []
    _scan(2026, 3, 27)
    assert _alerts(case) == [AlertLevel.LICENCE_YELLOW]
    with mock.patch("supervision.services.notify") as notify:
        alert_scan(now=datetime.datetime(2026, 3, 31, 0, 20, tzinfo=TZ))
    assert _alerts(case) == [AlertLevel.LICENCE_RED, AlertLevel.LICENCE_YELLOW]
    assert world.inspector in {c.kwargs["recipient"] for c in notify.call_args_list}
    assert _alerts(on_time) == []  # delivered in time: nothing
    _scan(2026, 3, 31)
    assert Alert.objects.filter(case=case).count() == 2  # once each
    with at(2026, 4, 1):
        assert world.fire(world.clerk, case, "deliver", method="window", place="1号窗口").status_code == 200
    _scan(2026, 4, 1)
    assert not Alert.objects.filter(case=case, closed_at__isnull=True).exists()
    _scan(2026, 4, 2)
    assert Alert.objects.filter(case=case).count() == 2


def test_art44_the_window_that_hands_out_results_sees_each_licence_due_date_and_filters_by_it(world, client):
    """行政许可法 Art. 44 at the window (统一出件): the results queue shows each approved case's licence due
    date with the working days left, the nearest first; "即将到期" and "已超期" filter on that date (not on
    the promised date, which no longer runs); a denied case has no licence date."""
    early = _approved(world, (2026, 3, 16))  # due Mon 30 Mar
    late = _approved(world, (2026, 3, 18))  # due Wed 1 Apr
    with at(2026, 3, 18):
        denied = world.case()
        world.fire(world.clerk, denied, "accept")
        world.fire(world.reviewer, denied, "start_review")
        world.fire(world.reviewer, denied, "send_to_decision", opinion="不符合条件")
        assert world.fire(world.decider, denied, "deny", reasons="不符合条件").status_code == 200
    client.force_login(world.clerk)
    url = reverse("approvals:results_queue")
    with at(2026, 3, 27):  # Friday: Monday 30 Mar is one working day away
        page = client.get(url).content.decode()
        assert "证照送达期限" in page and "行政许可法第四十四条" in page
        assert "2026-03-30" in page and "剩余1个工作日" in page
        assert "2026-04-01" in page and "剩余3个工作日" in page
        assert page.index(early.reference) < page.index(late.reference) < page.index(denied.reference)
        assert "不予许可，无证照" in page
        soon = client.get(url, {"due_soon": "1"}).content.decode()
        assert early.reference in soon and late.reference not in soon and denied.reference not in soon
    with at(2026, 3, 31):
        page = client.get(url).content.decode()
        assert "已超期1个工作日" in page
        overdue = client.get(url, {"overdue": "1"}).content.decode()
        assert early.reference in overdue and late.reference not in overdue
    with at(2026, 3, 31):
        world.fire(world.clerk, early, "deliver", method="window", place="1号窗口")
        assert early.reference not in client.get(url).content.decode()


# --- the work calendar: one write path, and an admin's edit moves the open cases -----------------------


def test_admin_publishing_a_years_holidays_recomputes_open_cases_and_clears_provisional(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    """DESIGN §4 (行政许可法 Art. 82: working days exclude statutory holidays): a case accepted Mon 21 Dec
    2026 with 20 working days is due Mon 18 Jan 2027, provisional while 2027 has no schedule. An admin adds
    元旦 (Fri 1 Jan 2027, a statutory holiday every year) and marks 2027 published in the admin: once
    committed the case is due Tue 19 Jan 2027, no longer provisional, and its history says why."""
    from approvals import tasks
    from portal.workcalendar.models import CalendarDay, CalendarYear
    from tests.factories import UserFactory

    monkeypatch.setattr(tasks.recompute_open_cases, "delay", lambda *a, **k: tasks.recompute_open_cases())
    with at(2026, 12, 21):
        case = world.case()
        world.fire(world.clerk, case, "accept")
    case = _reload(case)
    assert (case.statutory_due, case.due_provisional) == (D(2027, 1, 18), True)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("admin:workcalendar_calendarday_add"),
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "source": "admin"},
        )
        assert r.status_code == 302
    case = _reload(case)
    assert (case.statutory_due, case.due_provisional) == (D(2027, 1, 19), True)  # 2027 not published yet
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("admin:workcalendar_calendaryear_add"),
            {"year": "2027", "published": "on", "source": "admin", "note": "国务院办公厅通知"},
        )
        assert r.status_code == 302
    case = _reload(case)
    assert (case.statutory_due, case.due_provisional) == (D(2027, 1, 19), False)
    moved = case.history.filter(history_change_reason="calendar_changed")
    assert moved.count() == 2 and all(h.history_user is None for h in moved)
    assert CalendarDay.history.get(date=D(2027, 1, 1)).history_user == admin
    assert CalendarYear.history.get(year=2027).history_user == admin


def _new_years_day_2027_entered():
    """An admin enters 元旦 2027 (Fri 1 Jan, a statutory holiday every year) through the one calendar write
    path; the recompute the commit queues is run here directly."""
    from approvals import tasks
    from portal.workcalendar import writes
    from portal.workcalendar.models import CalendarDay

    writes.day_save(
        day=CalendarDay(date=D(2027, 1, 1), kind="holiday", name="元旦", source="admin"), actor=None
    )
    tasks.recompute_open_cases()


def test_art44_licence_and_after_check_due_dates_move_when_the_calendar_changes(world):
    """行政许可法 Arts. 44 and 82, DESIGN §4: the due dates set at the decision are recomputed like the
    others when the work calendar changes, with a history row. Approved Fri 18 Dec 2026: the licence is
    due the 10th working day after, Fri 1 Jan 2027 while 2027 has weekends off only, Mon 4 Jan once 元旦 is
    entered. A 告知承诺 case approved the same day has its after-check (20 working days) due Fri 15 Jan,
    then Mon 18 Jan; a delivered case's licence date and a recorded after-check stay as they were."""
    case = _approved(world, (2026, 12, 18))
    delivered = _approved(world, (2026, 12, 18))
    with at(2026, 12, 18):
        commitment = world.case(mode="commitment", commitment=True)
        world.fire(world.clerk, commitment, "accept")
        assert (
            world.fire(world.decider, commitment, "approve_on_the_spot", note="告知承诺").status_code == 200
        )
    with at(2026, 12, 21):
        assert (
            world.fire(world.clerk, delivered, "deliver", method="window", place="1号窗口").status_code == 200
        )
    assert _reload(case).licence_due == D(2027, 1, 1)
    assert _reload(commitment).after_check_due == D(2027, 1, 15)
    _new_years_day_2027_entered()
    case, commitment = _reload(case), _reload(commitment)
    assert case.licence_due == D(2027, 1, 4) and commitment.after_check_due == D(2027, 1, 18)
    assert commitment.licence_due == D(2027, 1, 4)
    assert _reload(delivered).licence_due == D(2027, 1, 1)  # delivered: no longer watched
    assert case.history.filter(history_change_reason="calendar_changed").count() == 1
