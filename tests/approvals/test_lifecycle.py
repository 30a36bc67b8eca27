"""Every path of DESIGN §3 through the API, with due dates hand-computed from the 2026 official calendar.

2026: Mid-Autumn Sep 25–27 off; National Day Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked;
Spring Festival Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked.
"""

import datetime

import pytest

from approvals.constants import CaseState
from approvals.models import Case, CaseTransition, SubApproval
from tests.files import PDF  # a real PDF: uploads are parsed since issue 17

from .conftest import at

D = datetime.date


def _reload(case):
    return Case.objects.get(pk=case.pk)


def test_full_path_accept_review_decide_deliver_with_national_day(world):
    with at(2026, 9, 24):
        case = world.case()
        r = world.fire(world.clerk, case, "accept", note="材料齐全")
        assert r.status_code == 200, r.json()
        assert r.json()["state"] == "accepted"
        case = _reload(case)
        # Accepted Thu 09-24 (Mid-Autumn 09-25..27 off): 09-28, 09-29, 09-30, (National Day) 10-08, 10-09.
        assert case.promised_due == D(2026, 10, 9)
        assert case.statutory_due == D(2026, 10, 29)
        assert not case.due_provisional
        assert case.current_step == "审查" and case.step_due == D(2026, 9, 29)
        assert case.clerk == world.clerk and case.window == world.window
    with at(2026, 9, 25):
        assert world.fire(world.reviewer, case, "start_review").status_code == 200
        assert world.fire(world.reviewer, case, "send_to_decision", opinion="符合条件").status_code == 200
        # The reviewer can't also decide (两岗): the decider is someone else.
        assert world.fire(world.reviewer, case, "approve").status_code == 403
    with at(2026, 10, 8):
        r = world.fire(world.decider, case, "approve", opinion="准予")
        assert r.status_code == 200 and r.json()["state"] == "approved"
        case = _reload(case)
        assert case.concluded_on == D(2026, 10, 8) and case.elapsed_days == 4
        r = world.fire(world.clerk, case, "deliver", method="post")
        assert r.status_code == 400 and "tracking_number" in r.json()
        r = world.fire(world.clerk, case, "deliver", method="post", tracking_number="SF1234567890")
        assert r.status_code == 200 and r.json()["state"] == "delivered"
    names = list(CaseTransition.objects.filter(case=case).values_list("name", flat=True))
    assert names == ["submit", "accept", "start_review", "send_to_decision", "approve", "deliver"]
    detail = world.api(world.citizen).get(f"/api/v1/cases/{case.reference}/").json()
    assert [t["name"] for t in detail["timeline"]] == names
    assert detail["tracking_number"] == "SF1234567890"


def test_correction_then_supply_then_accept(world):
    with at(2026, 3, 2):
        case = world.case()
        r = world.fire(world.clerk, case, "request_correction", materials=[])
        assert r.status_code == 400 and "materials" in r.json()
        r = world.fire(
            world.clerk,
            case,
            "request_correction",
            materials=[
                {"name": "营业执照", "problem": "复印件不清晰"},
                {"name": "场地证明", "problem": "缺少"},
            ],
        )
        assert r.json()["state"] == "correction_requested"
        log = CaseTransition.objects.filter(case=case, name="request_correction").get()
        assert [m["name"] for m in log.data["materials"]] == ["营业执照", "场地证明"]
        # Only the applicant supplies, only their own case.
        assert world.fire(world.other_citizen, case, "supply").status_code == 404
        assert world.fire(world.clerk, case, "supply").status_code == 403
        assert world.fire(world.citizen, case, "supply", note="已补").json()["state"] == "submitted"
        assert world.fire(world.clerk, case, "accept").json()["state"] == "accepted"


def test_refusal_is_a_proposal_the_department_head_signs_off_in_the_portal(world):
    """DESIGN §3 (行政许可法 Art. 32, the window may say yes alone, never no alone): the clerk proposes a
    refusal with reasons and legal basis; only the head of the case's own department approves it — in the
    portal, not by a typed name. Another department's head, an inspector, a window lead or the clerk cannot
    sign; both steps are in the case's log and notified."""
    from portal.notifications.models import Notification
    from tests.factories import staff

    other_head = staff("head", world.other_dept, username="head_b")
    with at(2026, 3, 2):
        case = world.case()
        # the old way, a typed username, signs nothing off any more
        r = world.fire(
            world.clerk, case, "refuse", reason="不属于本行政机关职权范围", approved_by="inspector"
        )
        assert r.status_code == 409 and _reload(case).state == CaseState.SUBMITTED
        r = world.fire(world.clerk, case, "propose_refusal", reasons="不属于本行政机关职权范围")
        assert r.status_code == 400 and "legal_basis" in r.json()
        r = world.fire(
            world.clerk,
            case,
            "propose_refusal",
            reasons="不属于本行政机关职权范围",
            legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        )
        assert r.status_code == 200 and r.json()["state"] == "submitted"
        assert Notification.objects.filter(recipient=world.head, event="staff.refusal_proposed").exists()
        note = Notification.objects.get(recipient=world.head, event="staff.refusal_proposed")
        assert case.reference in note.subject and world.item.name in note.subject
        # nobody but the owning department's head may sign: not the clerk, the window lead, an inspector,
        # another department's head; and the clerk may not accept meanwhile
        for who in (world.clerk, world.clerk_lead, world.inspector, other_head, world.decider):
            r = world.fire(who, case, "refuse")
            assert r.status_code in (403, 404), (who.username, r.status_code)
        assert world.fire(world.clerk, case, "accept").status_code == 409
        assert (
            world.fire(world.clerk, case, "propose_refusal", reasons="x", legal_basis="y").status_code == 409
        )
        names = [
            t["name"]
            for t in world.api(world.head).get(f"/api/v1/cases/{case.reference}/transitions/").json()
        ]
        assert names == ["refuse", "reject_refusal"]
        r = world.fire(world.head, case, "refuse", note="同意不予受理")
        assert r.status_code == 200 and r.json()["state"] == "not_accepted"
    log = {t.name: t for t in CaseTransition.objects.filter(case=case)}
    assert log["propose_refusal"].actor == world.clerk
    assert log["propose_refusal"].data["legal_basis"].startswith("《中华人民共和国行政许可法》")
    assert log["refuse"].actor == world.head and log["refuse"].from_state == "submitted"
    assert log["refuse"].to_state == "not_accepted" and log["refuse"].reason == "不属于本行政机关职权范围"
    told = Notification.objects.get(recipient=world.citizen, event="case.not_accepted")
    assert "不属于本行政机关职权范围" in told.body and "第三十二条" in told.body and "行政复议" in told.body
    assert Notification.objects.filter(recipient=world.clerk, event="staff.refusal_decided").exists()


def test_a_head_sends_a_refusal_back_and_the_window_goes_on(world):
    """DESIGN §3: the supervisor rejects the proposal (with a reason, recorded and notified); the case stays
    with the window, which then accepts."""
    from portal.notifications.models import Notification

    with at(2026, 3, 2):
        case = world.case()
        world.fire(
            world.clerk, case, "propose_refusal", reasons="材料不全", legal_basis="行政许可法第三十二条"
        )
        assert world.fire(world.head, case, "reject_refusal").status_code == 400
        r = world.fire(world.head, case, "reject_refusal", reason="可以一次性告知补正")
        assert r.status_code == 200 and r.json()["state"] == "submitted"
        assert world.fire(world.head, case, "refuse").status_code == 409  # nothing left to sign
        assert world.fire(world.clerk, case, "accept").json()["state"] == "accepted"
    entry = CaseTransition.objects.get(case=case, name="reject_refusal")
    assert entry.actor == world.head and entry.reason == "可以一次性告知补正"
    assert entry.data["proposal_reasons"] == "材料不全"
    decided = Notification.objects.get(recipient=world.clerk, event="staff.refusal_decided")
    assert "退回" in decided.subject and case.reference in decided.subject


def test_denial_carries_reasons_and_remedies(world):
    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        world.fire(world.reviewer, case, "send_to_decision", opinion="不符合")
        r = world.fire(world.decider, case, "deny")
        assert r.status_code == 400 and "reasons" in r.json()
        r = world.fire(world.decider, case, "deny", reasons="经营场所不符合食品安全要求")
        assert r.json()["state"] == "denied"
        case = _reload(case)
        assert "行政复议" in case.remedies and "行政诉讼" in case.remedies
        assert case.concluded_on == D(2026, 3, 2) and case.elapsed_days == 0


def test_suspension_across_national_day_pushes_both_due_dates(world):
    with at(2026, 9, 24):
        case = world.case()
        world.fire(world.clerk, case, "accept")
    with at(2026, 9, 28):
        world.fire(world.reviewer, case, "start_review")
    with at(2026, 9, 29):
        r = world.fire(
            world.reviewer, case, "suspend", kind="expert_review", reason="组织专家评审", expected_days=5
        )
        assert r.json()["state"] == "suspended"
        # The citizen can't see the reviewer's buttons; the reviewer can resume.
        names = [
            t["name"]
            for t in world.api(world.reviewer).get(f"/api/v1/cases/{case.reference}/transitions/").json()
        ]
        assert "resume" in names and "approve" not in names
    with at(2026, 10, 9):
        r = world.fire(world.reviewer, case, "resume")
        assert r.json()["state"] == "in_review"
    case = _reload(case)
    # Suspended 09-29 → 10-09 takes out 09-30, 10-08, 10-09 (3 working days).
    assert case.suspended_days == 3
    # Counted: 09-28, 09-29, then 10-10 (Sat, worked), 10-12, 10-13 → promised 10-13.
    assert case.promised_due == D(2026, 10, 13)
    # Statutory 10-29 + 3 working days: 10-30, 11-02, 11-03.
    assert case.statutory_due == D(2026, 11, 3)


def test_extension_by_the_head_within_the_legal_maximum(world):
    """行政许可法 Art. 42: the handler asks with reasons, the head approves, 10 working days at most."""
    with at(2026, 9, 24):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        assert world.fire(world.head, case, "extend", days=5).status_code == 409  # nothing asked for yet
        r = world.fire(world.reviewer, case, "request_extension", days=11, reason="情况复杂")
        assert r.status_code == 400 and "days" in r.json()
        r = world.fire(world.reviewer, case, "request_extension", days=5, reason="情况复杂，需现场核查")
        assert r.status_code == 200 and r.json()["state"] == "in_review"
        assert world.fire(world.reviewer, case, "extend", days=5, reason="情况复杂").status_code == 403
        assert _reload(case).statutory_due == D(2026, 10, 29)  # not extended until the head approves
        r = world.fire(world.head, case, "extend", reason="同意")
        assert r.status_code == 200 and r.json()["state"] == "in_review"
        case = _reload(case)
        assert case.statutory_due == D(2026, 11, 5)  # 10-29 + 10-30, 11-02, 11-03, 11-04, 11-05
        assert case.promised_due == D(2026, 10, 9)  # the promise is not extended
        r = world.fire(world.reviewer, case, "request_extension", days=6, reason="再延")
        assert r.status_code == 400  # 5 + 6 > 10


def test_instant_item_is_accepted_and_decided_in_one_visit(world):
    from tests.factories import ItemFactory

    item = ItemFactory(department=world.dept, statutory_limit=0, promised_limit=0, mode_instant=True)
    with at(2026, 10, 9, 15):
        case = world.case(item=item, mode="instant")
        world.fire(world.clerk, case, "accept")
        case = _reload(case)
        assert case.promised_due == D(2026, 10, 9) == case.statutory_due
        r = world.fire(world.clerk, case, "approve_on_the_spot", note="当场办结")
        assert r.json()["state"] == "approved"
        case = _reload(case)
        assert case.elapsed_days == 0 and case.concluded_on <= case.promised_due


def test_natural_day_item(world):
    from tests.factories import ItemFactory

    item = ItemFactory(department=world.dept, statutory_limit=30, promised_limit=10, limit_unit="natural")
    with at(2026, 9, 30):
        case = world.case(item=item)
        world.fire(world.clerk, case, "accept")
    case = _reload(case)
    assert case.promised_due == D(2026, 10, 10) and case.statutory_due == D(2026, 10, 30)


def test_spring_festival_promised_due(world):
    with at(2026, 2, 13):
        case = world.case()
        world.fire(world.clerk, case, "accept")
    # 02-14 (Sat, worked), then 02-24, 02-25, 02-26, 02-27.
    assert _reload(case).promised_due == D(2026, 2, 27)


def test_deferred_materials_block_the_result_until_supplied(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import MaterialFactory

    settings.MEDIA_ROOT = tmp_path
    licence = MaterialFactory(item=world.item, name="卫生许可证复印件", deferrable=True)
    with at(2026, 9, 24):
        case = world.case(mode="deferred")
        r = world.fire(
            world.clerk, case, "accept", deferred_materials=["卫生许可证复印件"], supply_by="2026-10-12"
        )
        assert r.status_code == 400 and "supply_by" in r.json()  # later than the promised 10-09
        assert _reload(case).state == CaseState.SUBMITTED
        r = world.fire(
            world.clerk, case, "accept", deferred_materials=["卫生许可证复印件"], supply_by="2026-09-30"
        )
        assert r.status_code == 200
        world.fire(world.reviewer, case, "start_review")
        world.fire(world.reviewer, case, "send_to_decision", opinion="符合")
        r = world.fire(world.decider, case, "approve")
        assert r.status_code == 409  # the deferred material has not arrived
        pdf = SimpleUploadedFile("许可证.pdf", PDF, content_type="application/pdf")
        r = world.api(world.citizen).post(
            f"/api/v1/cases/{case.reference}/transitions/supply_deferred/", {f"files_{licence.pk}": pdf}
        )
        assert r.status_code == 200, r.json()
        assert world.fire(world.decider, case, "approve").status_code == 409  # not yet checked
        assert world.fire(world.clerk, case, "check_deferred", result="received").status_code == 200
        assert world.fire(world.decider, case, "approve").json()["state"] == "approved"


def test_deferred_materials_not_supplied_in_time_terminate_the_case(world):
    from approvals.services.scans import deferred_overdue_scan
    from tests.factories import MaterialFactory

    MaterialFactory(item=world.item, name="场地证明", deferrable=True)

    with at(2026, 9, 24):
        case = world.case(mode="deferred")
        world.fire(world.clerk, case, "accept", deferred_materials=["场地证明"], supply_by="2026-09-29")
    with at(2026, 9, 30):
        assert deferred_overdue_scan() == 1
        assert deferred_overdue_scan() == 0
    case = _reload(case)
    assert case.state == CaseState.TERMINATED
    assert CaseTransition.objects.get(case=case, name="terminate").actor is None


def test_commitment_case_is_approved_on_the_commitment_and_can_be_revoked(world):
    with at(2026, 9, 24):
        unsigned = world.case(mode="commitment")
        world.fire(world.clerk, unsigned, "accept")
        assert world.fire(world.decider, unsigned, "approve_on_the_spot").status_code == 409
        case = world.case(mode="commitment", commitment=True)
        world.fire(world.clerk, case, "accept")
        r = world.fire(world.decider, case, "approve_on_the_spot", note="告知承诺")
        assert r.json()["state"] == "approved"
        case = _reload(case)
        assert case.after_check_due == D(2026, 10, 29)  # 20 working days after 09-24
        r = world.fire(world.head, case, "revoke", reason="事后核查发现承诺不实")
        assert r.json()["state"] == "revoked"


def test_parallel_case_waits_for_co_departments_and_records_deemed_consent(world):
    snap = {
        "co_departments": [{"id": world.other_dept.pk, "name": world.other_dept.name}],
        "co_department_limit": 3,
    }
    with at(2026, 9, 24):
        case = world.case(mode="parallel", snapshot_extra=snap)
        world.fire(world.clerk, case, "accept")
        sub = SubApproval.objects.get(case=case)
        assert sub.due_on == D(2026, 9, 30)
        world.fire(world.reviewer, case, "start_review")
        world.fire(world.reviewer, case, "send_to_decision", opinion="牵头部门意见：同意")
        # The co-department's reviewer sees the case.
        assert world.api(world.reviewer_b).get(f"/api/v1/cases/{case.reference}/").status_code == 200
        assert world.fire(world.decider, case, "approve").status_code == 409
    with at(2026, 9, 30):
        assert world.fire(world.decider, case, "approve").status_code == 409  # still within its limit today
    with at(2026, 10, 8):
        r = world.fire(world.decider, case, "approve")
        assert r.status_code == 200, r.json()
    sub.refresh_from_db()
    assert sub.answer == "deemed"
    assert CaseTransition.objects.get(case=case, name="approve").data["deemed_consent"] == [
        world.other_dept.name
    ]


def test_parallel_case_co_department_answer(world):
    from approvals.services.parallel import subapproval_answer

    snap = {
        "co_departments": [{"id": world.other_dept.pk, "name": world.other_dept.name}],
        "co_department_limit": 3,
    }
    with at(2026, 9, 24):
        case = world.case(mode="parallel", snapshot_extra=snap)
        world.fire(world.clerk, case, "accept")
        sub = SubApproval.objects.get(case=case)
        from portal.exceptions import PermissionDeniedError

        with pytest.raises(PermissionDeniedError):
            subapproval_answer(sub=sub, actor=world.reviewer, answer="consent")
        subapproval_answer(sub=sub, actor=world.reviewer_b, answer="consent", opinion="同意")
        world.fire(world.reviewer, case, "start_review")
        world.fire(world.reviewer, case, "send_to_decision", opinion="同意")
        assert world.fire(world.decider, case, "approve").status_code == 200


def test_withdraw_by_the_applicant_only(world):
    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        assert world.fire(world.clerk, case, "withdraw").status_code == 403
        assert world.fire(world.citizen, case, "withdraw", reason="不再需要").json()["state"] == "withdrawn"
        assert world.fire(world.citizen, case, "withdraw").status_code == 409


def test_deemed_acceptance_after_five_working_days(world):
    from approvals.services.scans import deem_accepted_scan

    with at(2026, 9, 24):
        case = world.case()
    with at(2026, 10, 9):
        assert deem_accepted_scan() == 0  # 09-28, 29, 30, 10-08, 10-09: the window has all of the 5th day
    with at(2026, 10, 10):
        assert deem_accepted_scan() == 1
        assert deem_accepted_scan() == 0
    case = _reload(case)
    assert case.state == CaseState.ACCEPTED
    assert case.accepted_on == D(2026, 9, 24)  # accepted as of the day received
    assert case.promised_due == D(2026, 10, 9)


def test_other_departments_staff_cannot_touch_the_case(world):
    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        assert world.fire(world.reviewer_b, case, "start_review").status_code == 404  # not even visible
        assert world.api(world.other_citizen).get(f"/api/v1/cases/{case.reference}/").status_code == 404
        assert world.fire(world.decider, case, "start_review").status_code == 403
        assert world.fire(world.reviewer, case, "approve").status_code == 409  # wrong state
        assert _reload(case).state == CaseState.ACCEPTED


def test_every_forbidden_transition_changes_nothing(world):
    """Fire every transition as every user on a submitted case: each answers 200/400/403/409, and only
    those the user may fire change anything."""
    from approvals.transitions import TRANSITIONS

    users = [
        world.citizen,
        world.other_citizen,
        world.reviewer,
        world.decider,
        world.head,
        world.reviewer_b,
        world.inspector,
    ]
    with at(2026, 3, 2):
        case = world.case()
        for user in users:
            allowed = (
                {
                    t["name"]
                    for t in world.api(user).get(f"/api/v1/cases/{case.reference}/transitions/").json()
                }
                if user != world.other_citizen and user != world.reviewer_b
                else set()
            )
            assert allowed == ({"withdraw"} if user == world.citizen else set())
            for name in TRANSITIONS:
                if name in allowed:
                    continue
                before = Case.objects.filter(pk=case.pk).values().get()
                n_log = CaseTransition.objects.count()
                r = world.fire(user, case, name)
                assert r.status_code in (400, 403, 404, 409), (user.username, name, r.status_code)
                assert Case.objects.filter(pk=case.pk).values().get() == before
                assert CaseTransition.objects.count() == n_log
        assert world.fire(world.clerk, case, "no_such_step").status_code == 400


def test_transition_log_is_append_only(world):
    with at(2026, 3, 2):
        case = world.case()
    row = CaseTransition.objects.get(case=case)
    row.reason = "改写"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_case_list_is_scoped_and_has_remaining_days_without_a_query_per_row(
    world, django_assert_max_num_queries
):
    with at(2026, 9, 24):
        for _ in range(3):
            world.fire(world.clerk, world.case(), "accept")
        world.case(applicant=world.other_citizen)
    with at(2026, 9, 28):
        api = world.api(world.reviewer)
        with django_assert_max_num_queries(8):
            rows = api.get("/api/v1/cases/").json()["results"]
        assert len(rows) == 4
        accepted = [r for r in rows if r["state"] == "accepted"]
        assert accepted[0]["remaining_days"] == 4 and accepted[0]["due_colour"] == "green"
        assert accepted[0]["elapsed_days_now"] == 1
        assert len(world.api(world.citizen).get("/api/v1/cases/").json()["results"]) == 3
        assert len(world.api(world.reviewer_b).get("/api/v1/cases/").json()["results"]) == 0
        for _ in range(10):
            world.fire(world.clerk, world.case(), "accept")
        with django_assert_max_num_queries(8):
            rows = api.get("/api/v1/cases/").json()["results"]
        assert len(rows) == 14


def test_transition_body_that_is_not_an_object_is_400(world):
    with at(2026, 3, 2):
        case = world.case()
        r = world.api(world.clerk).post(
            f"/api/v1/cases/{case.reference}/transitions/accept/", [1], format="json"
        )
        assert r.status_code == 400 and _reload(case).state == CaseState.SUBMITTED
