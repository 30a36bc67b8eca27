"""Parallel approval (并联审批, DESIGN §2–3): co-departments' own queue, notification on acceptance, answers
by page and API, a limit of their own inside the promised one, silence as consent, and a disagreement that
blocks the approval until the lead records its resolution.

Dates from the 2026 official calendar: Mid-Autumn Sep 25–27 off; National Day Oct 1–7 off (Sat Oct 10 worked).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals.models import Case, CaseTransition, SubApproval
from approvals.services.parallel import subapproval_deemed_consent_scan
from intake.models import Item
from intake.services.catalogue import item_snapshot
from portal.notifications.models import Notification
from tests.factories import DepartmentFactory, ItemFactory, staff

from .conftest import at

D = datetime.date


@pytest.fixture
def par(world):
    """A parallel item of the lead (SCJGJ, promised 5) with two co-departments: ZJJ with its own limit of
    2 working days, XFJ with the item's 3."""
    world.third_dept = DepartmentFactory.create(code="XFJ", name="消防救援支队")
    world.reviewer_c = staff("reviewer", world.third_dept, username="reviewer_c")
    world.item_p = ItemFactory.create(
        department=world.dept,
        statutory_limit=20,
        promised_limit=5,
        mode_parallel=True,
        co_department_limit=3,
        co_department_limits={"ZJJ": 2},
    )
    world.item_p.co_departments.set([world.other_dept, world.third_dept])
    return world


def _parallel_case(w):
    return w.case(item=w.item_p, mode="parallel", snapshot_extra=item_snapshot(w.item_p))


def _to_decision(w, case):
    w.fire(w.reviewer, case, "start_review")
    w.fire(w.reviewer, case, "send_to_decision", opinion="牵头部门审查意见：符合")


def test_each_co_department_gets_its_own_due_date_and_is_told_on_acceptance(par, client):
    """DESIGN §3 并联: on acceptance each co-department gets its part with its own limit (ZJJ 2, XFJ 3
    working days after Thu 09-24: 09-29 and 09-30) and its staff are told, naming the reference, the item and
    the date; the part is in that department's own queue (page and API), nobody else's."""
    w = par
    with at(2026, 9, 24):
        case = _parallel_case(w)
        assert w.fire(w.clerk, case, "accept").status_code == 200
    subs = {s.department.code: s for s in SubApproval.objects.filter(case=case).select_related("department")}
    assert subs["ZJJ"].due_on == D(2026, 9, 29) and subs["XFJ"].due_on == D(2026, 9, 30)
    for user, due in (
        (w.reviewer_b, "2026-09-29"),
        (w.decider_b, "2026-09-29"),
        (w.reviewer_c, "2026-09-30"),
    ):
        note = Notification.objects.get(recipient=user, event="staff.co_approval_new")
        assert case.reference in note.subject and w.item_p.name in note.subject and due in note.body
    api = w.api(w.reviewer_b).get("/api/v1/co-approvals/?pending=1").json()
    assert [(r["reference"], r["department"], r["due_on"]) for r in api["results"]] == [
        (case.reference, "住房和城乡建设局", "2026-09-29")
    ]
    assert w.api(w.reviewer).get("/api/v1/co-approvals/").json()["results"] == []  # the lead has no part
    client.force_login(w.reviewer_c)
    page = client.get(reverse("approvals:co_approval_queue")).content.decode()
    assert case.reference in page and "2026-09-30" in page


def test_co_department_limits_must_fit_inside_the_promised_limit():
    """DESIGN §2 并联: each co-department's limit fits inside the promised limit, checked by the catalogue."""
    item = Item(
        code="P-1",
        name="x",
        statutory_limit=20,
        promised_limit=3,
        mode_parallel=True,
        co_department_limit=5,
    )
    with pytest.raises(ValidationError) as exc:
        item.clean()
    assert "co_department_limit" in exc.value.message_dict
    item.co_department_limit, item.co_department_limits = 3, {"ZJJ": 4}
    with pytest.raises(ValidationError) as exc:
        item.clean()
    assert "ZJJ" in exc.value.message_dict["co_department_limits"][0]
    item.co_department_limits = {"ZJJ": 2}
    item.clean()


def test_the_demo_catalogue_keeps_every_co_department_inside_the_promise(db):
    """DESIGN §2 并联: the sample catalogue's parallel items (their full_clean runs on loading) have every
    co-department's limit inside the promised limit."""
    from intake.demo import load_catalogue

    load_catalogue()
    parallel = list(Item.objects.filter(mode_parallel=True).prefetch_related("co_departments"))
    assert parallel
    for item in parallel:
        for dept in item.co_departments.all():
            assert item.co_department_limit_of(dept) <= item.promised_limit, (item.code, dept.code)


def test_answers_by_api_agree_with_conditions_disagree_and_the_lead_resolves(par):
    """DESIGN §3 并联: a co-department answers in the portal (agree with conditions needs the conditions,
    disagree needs reasons); only its own staff; once. A disagreement blocks the approval (409, no button)
    until the lead's decider records the resolution; the conditions go into the approval's record."""
    w = par
    with at(2026, 9, 24):
        case = _parallel_case(w)
        w.fire(w.clerk, case, "accept")
        _to_decision(w, case)
        zjj = SubApproval.objects.get(case=case, department=w.other_dept)
        xfj = SubApproval.objects.get(case=case, department=w.third_dept)
        url = f"/api/v1/co-approvals/{zjj.pk}/answer/"
        assert w.api(w.reviewer).post(url, {"answer": "consent"}, format="json").status_code == 403
        assert w.api(w.reviewer_c).post(url, {"answer": "consent"}, format="json").status_code == 403
        r = w.api(w.reviewer_b).post(url, {"answer": "conditional"}, format="json")
        assert r.status_code == 400 and "opinion" in r.json()
        r = w.api(w.reviewer_b).post(
            url, {"answer": "conditional", "opinion": "须取得消防验收"}, format="json"
        )
        assert r.status_code == 200 and r.json()["answer"] == "conditional"
        assert w.api(w.reviewer_b).post(url, {"answer": "consent"}, format="json").status_code == 409
        url_c = f"/api/v1/co-approvals/{xfj.pk}/answer/"
        assert w.api(w.reviewer_c).post(url_c, {"answer": "object"}, format="json").status_code == 400
        r = w.api(w.reviewer_c).post(url_c, {"answer": "object", "opinion": "消防通道不达标"}, format="json")
        assert r.status_code == 200 and r.json()["blocks_approval"] is True
        told = Notification.objects.filter(recipient=w.decider, event="staff.co_approval_answered")
        assert told.count() == 2 and any("消防通道不达标" in n.body for n in told)
        # blocked: no approve button, and the service refuses with the reason
        names = [
            t["name"] for t in w.api(w.decider).get(f"/api/v1/cases/{case.reference}/transitions/").json()
        ]
        assert "approve" not in names and "deny" in names
        r = w.fire(w.decider, case, "approve")
        assert r.status_code == 409 and "消防救援支队" in r.json()["detail"]
        # the lead resolves: not a co-department, not the lead's reviewer; the resolution is required
        resolve = f"/api/v1/co-approvals/{xfj.pk}/resolve/"
        assert w.api(w.reviewer_c).post(resolve, {"resolution": "x"}, format="json").status_code == 403
        assert w.api(w.reviewer).post(resolve, {"resolution": "x"}, format="json").status_code == 403
        assert w.api(w.decider).post(resolve, {}, format="json").status_code == 400
        r = w.api(w.decider).post(resolve, {"resolution": "经协调，申请人已整改消防通道"}, format="json")
        assert r.status_code == 200 and r.json()["blocks_approval"] is False
        assert Notification.objects.filter(
            recipient=w.reviewer_c, event="staff.co_approval_resolved"
        ).exists()
        assert w.fire(w.decider, case, "approve", opinion="准予").status_code == 200
    approve = CaseTransition.objects.get(case=case, name="approve")
    assert approve.data["co_conditions"] == [
        {"department": "住房和城乡建设局", "conditions": "须取得消防验收"}
    ]
    names = list(CaseTransition.objects.filter(case=case).values_list("name", flat=True))
    assert names.count("sub_approval") == 2 and "sub_approval_resolved" in names


def test_silence_past_a_co_departments_own_date_is_recorded_as_consent_by_the_scan(par):
    """DESIGN §2–3 缺席默认: a co-department silent past its own due date has consented — the scan records it
    on its part and in the case's log, tells the lead; a late answer is refused (409)."""
    w = par
    with at(2026, 9, 24):
        case = _parallel_case(w)
        w.fire(w.clerk, case, "accept")
        _to_decision(w, case)
        zjj = SubApproval.objects.get(case=case, department=w.other_dept)
    with at(2026, 9, 29, 23):
        assert subapproval_deemed_consent_scan() == 0  # ZJJ's last day (09-29) is not over
    with at(2026, 9, 30):
        assert subapproval_deemed_consent_scan() == 1  # ZJJ only; XFJ's day is today
        assert subapproval_deemed_consent_scan() == 0  # once
        r = w.api(w.reviewer_b).post(
            f"/api/v1/co-approvals/{zjj.pk}/answer/", {"answer": "object", "opinion": "x"}, format="json"
        )
        assert r.status_code == 409
        assert w.fire(w.decider, case, "approve").status_code == 409  # XFJ may still answer today
    zjj.refresh_from_db()
    assert zjj.answer == "deemed" and "2026-09-29" in zjj.opinion
    entry = CaseTransition.objects.get(case=case, name="sub_approval")
    assert entry.actor is None and entry.data == {"department": "住房和城乡建设局", "answer": "deemed"}
    assert Notification.objects.filter(recipient=w.decider, event="staff.co_approval_answered").count() == 1
    with at(2026, 10, 8):
        assert w.fire(w.decider, case, "approve").status_code == 200
    approve = CaseTransition.objects.get(case=case, name="approve")
    assert sorted(approve.data["deemed_consent"]) == ["住房和城乡建设局", "消防救援支队"]


def test_a_co_department_answers_on_the_case_page_and_the_lead_resolves_there(par, client):
    """DESIGN §3 并联 through the pages: the co-department's answer form on the case page (its input kept and
    the message beside the field when refused), the lead's resolution form after a disagreement."""
    w = par
    with at(2026, 9, 24):
        case = _parallel_case(w)
        w.fire(w.clerk, case, "accept")
        _to_decision(w, case)
        zjj = SubApproval.objects.get(case=case, department=w.other_dept)
        client.force_login(w.reviewer_b)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        act = reverse("approvals:co_approval_act", args=[case.reference, zjj.pk, "answer"])
        assert act in page
        r = client.post(act, {"answer": "object", "opinion": ""}, follow=True)
        assert "不同意时须说明理由" in r.content.decode()
        r = client.post(act, {"answer": "object", "opinion": "规划条件不符"}, follow=True)
        assert "协办意见已提交" in r.content.decode()
        client.force_login(w.decider)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "规划条件不符" in page and "/do/approve/" not in page
        resolve = reverse("approvals:co_approval_act", args=[case.reference, zjj.pk, "resolve"])
        assert resolve in page
        r = client.post(resolve, {"resolution": "经协调，调整规划条件"}, follow=True)
        assert "分歧处理结果已记录" in r.content.decode()
    zjj.refresh_from_db()
    assert zjj.answer == "object" and zjj.resolved_by == w.decider
    assert not Case.objects.get(pk=case.pk).sub_approvals.filter(resolved_at__isnull=True, answer="object")


def test_a_co_departments_own_due_date_moves_when_the_calendar_changes(par):
    """DESIGN §3–4 (行政许可法 Art. 82): an unanswered co-department's own date is recomputed with the
    case's when the calendar changes. Accepted Wed 30 Dec 2026: ZJJ (2 working days) is due Fri 1 Jan 2027
    and XFJ (3) Mon 4 Jan while 2027 has weekends off only; once 元旦 (1 Jan) is entered, Mon 4 Jan and
    Tue 5 Jan. An answered part keeps its date."""
    from approvals import tasks
    from portal.workcalendar import writes
    from portal.workcalendar.models import CalendarDay

    w = par
    with at(2026, 12, 30):
        case = _parallel_case(w)
        assert w.fire(w.clerk, case, "accept").status_code == 200
    subs = {s.department.code: s for s in SubApproval.objects.filter(case=case).select_related("department")}
    assert (subs["ZJJ"].due_on, subs["XFJ"].due_on) == (D(2027, 1, 1), D(2027, 1, 4))
    with at(2026, 12, 31):
        r = w.api(w.reviewer_c).post(
            f"/api/v1/co-approvals/{subs['XFJ'].pk}/answer/", {"answer": "consent"}, format="json"
        )
        assert r.status_code == 200, r.content
    writes.day_save(
        day=CalendarDay(date=D(2027, 1, 1), kind="holiday", name="元旦", source="admin"), actor=None
    )
    tasks.recompute_open_cases()
    subs = {s.department.code: s for s in SubApproval.objects.filter(case=case).select_related("department")}
    assert (subs["ZJJ"].due_on, subs["XFJ"].due_on) == (D(2027, 1, 4), D(2027, 1, 4))
    assert subs["ZJJ"].history.filter(history_change_reason="calendar_changed").exists()
