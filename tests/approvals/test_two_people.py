"""Two people where the law wants two (DESIGN §3, issue 15): a refusal is signed off by the head of the case's
department in the portal, the decider is never the author of the review opinion; plus the refusal notice
(行政许可法 Art. 32, 38) and the window told of new online submissions (DESIGN §7)."""

from django.contrib.auth.models import Group
from django.urls import reverse

from approvals.models import Case, CaseTransition
from portal.notifications.models import Notification
from tests.factories import staff

from .conftest import at


def _reload(case):
    return Case.objects.get(pk=case.pk)


def test_two_posts_the_decider_is_never_who_wrote_the_review_opinion(world):
    """DESIGN §3 两岗审核 (行政许可法 Art. 34, two posts, two people): reviewer A takes the case, B — who holds
    both the reviewer and the decider role — writes the review opinion; B may not then approve or deny it
    (409 with a clear Chinese message), whoever started the review. Another decider may."""
    both = staff("reviewer", world.dept, username="both")
    both.groups.add(Group.objects.get_or_create(name="decider")[0])
    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        assert world.fire(world.reviewer, case, "start_review").status_code == 200
        assert world.fire(both, case, "send_to_decision", opinion="符合条件").status_code == 200
        assert _reload(case).opinion_by == both
        for name, data in (("approve", {"opinion": "准予"}), ("deny", {"reasons": "不符合"})):
            r = world.fire(both, case, name, **data)
            assert r.status_code == 409, (name, r.json())
            assert "两岗审核" in r.json()["detail"]
        names = [
            t["name"] for t in world.api(both).get(f"/api/v1/cases/{case.reference}/transitions/").json()
        ]
        assert "approve" not in names and "deny" not in names
        assert _reload(case).state == "awaiting_decision"
        assert world.fire(world.decider, case, "approve", opinion="准予").json()["state"] == "approved"
    assert _reload(case).decider == world.decider


def test_two_posts_on_the_page_the_author_gets_the_message_not_a_decision(world, client):
    """DESIGN §3 两岗审核 through the case page: the author's POST is refused with the message on the page."""
    both = staff("reviewer", world.dept, username="both")
    both.groups.add(Group.objects.get_or_create(name="decider")[0])
    with at(2026, 3, 2):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(both, case, "start_review")
        world.fire(both, case, "send_to_decision", opinion="符合条件")
        client.force_login(both)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "/do/approve/" not in page
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "approve"]), {}, follow=True
        )
        assert "两岗审核" in r.content.decode()
    assert _reload(case).state == "awaiting_decision"


def test_refusal_sign_off_through_the_pages_and_the_heads_queue(world, client):
    """DESIGN §3 (行政许可法 Art. 32): the clerk proposes on the case page; the head finds it in the refusal
    queue, sees reasons and legal basis on the case page and signs off there; the other department's head
    cannot even open it."""
    other_head = staff("head", world.other_dept, username="head_b")
    with at(2026, 3, 2):
        case = world.case()
        client.force_login(world.clerk)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "approved_by" not in page  # no typed name any more
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "propose_refusal"]),
            {"reasons": "申请事项依法不需要取得行政许可", "legal_basis": ""},
            follow=True,
        )
        assert "法律依据" in r.content.decode() and _reload(case).refusal_proposed_by is None
        client.post(
            reverse("approvals:case_transition", args=[case.reference, "propose_refusal"]),
            {
                "reasons": "申请事项依法不需要取得行政许可",
                "legal_basis": "行政许可法第三十二条第一款第（一）项",
            },
        )
        assert _reload(case).refusal_proposed_by == world.clerk
        client.force_login(world.head)
        queue = client.get(reverse("approvals:refusal_queue")).content.decode()
        assert case.reference in queue
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "申请事项依法不需要取得行政许可" in page and "第三十二条第一款" in page
        assert "/do/refuse/" in page and "/do/reject_refusal/" in page
        client.force_login(other_head)
        assert case.reference not in client.get(reverse("approvals:refusal_queue")).content.decode()
        assert client.get(reverse("approvals:case_detail", args=[case.reference])).status_code == 404
        client.force_login(world.head)
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "refuse"]),
            {"note": "同意"},
            follow=True,
        )
        assert "操作成功" in r.content.decode()
    assert _reload(case).state == "not_accepted"
    assert list(CaseTransition.objects.filter(case=case).values_list("name", "actor__username")) == [
        ("submit", "citizen"),
        ("propose_refusal", "clerk"),
        ("refuse", "head"),
    ]


def test_the_refusal_notice_names_applicant_item_reference_date_reasons_basis_and_remedies(world, client):
    """行政许可法 Art. 32, 38: the 不予受理决定书 shows the applicant, the item, the reference, the date, the
    reasons, the legal basis and the remedies (reconsideration within 60 days, litigation within 6 months)."""
    with at(2026, 3, 2):
        case = world.case()
        world.fire(
            world.clerk,
            case,
            "propose_refusal",
            reasons="申请事项不属于本行政机关职权范围",
            legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        )
    with at(2026, 3, 3):
        world.fire(world.head, case, "refuse")
    client.force_login(world.citizen)
    page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert reverse("approvals:notice", args=[case.reference, "refusal"]) in page
    notice = client.get(reverse("approvals:notice", args=[case.reference, "refusal"])).content.decode()
    app = case.application
    for text in (
        "不予受理决定书",
        app.applicant_name,
        world.item.name,
        case.reference,
        "2026-03-03",
        "申请事项不属于本行政机关职权范围",
        "第三十二条第一款第（二）项",
        "六十日内",
        "行政复议",
        "六个月内",
        "行政诉讼",
    ):
        assert text in notice, text


def test_clerks_are_told_of_a_new_online_submission_naming_reference_and_item(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    """DESIGN §7 "new work in their queue": an online submission reaches every window's clerk (无差别受理)
    in the inbox, naming the reference and the item — written by a task once the submission is committed
    (tests/notifications/test_worker.py runs it on a real worker)."""
    with at(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        case = world.case()
        assert not Notification.objects.filter(event="staff.new_submission").exists()  # not before commit
    for clerk in (world.clerk, world.clerk_lead):
        note = Notification.objects.get(recipient=clerk, event="staff.new_submission")
        assert case.reference in note.subject and world.item.name in note.subject
        assert note.link == f"/cases/{case.reference}/"
    assert not Notification.objects.filter(recipient=world.reviewer, event="staff.new_submission").exists()


def test_the_window_supervisor_signs_off_a_refusal_by_api_and_page_but_never_their_own(world, client):
    """DESIGN §3 (行政许可法 Art. 32, the window never says no alone): the window supervisor (窗口负责人) may
    sign off a clerk's refusal proposal, as the owning department's head may: told of it, in the refusal
    queue (every department's proposals), on the case page and through the API. A supervisor's own
    proposal needs someone else; a clerk who is not the supervisor still cannot sign."""
    supervisor = staff("clerk", window=world.window, username="window_head", is_window_supervisor=True)
    with at(2026, 3, 2):
        case = world.case()
        r = world.fire(
            world.clerk, case, "propose_refusal", reasons="不属于本行政机关职权范围", legal_basis="第三十二条"
        )
        assert r.status_code == 200
        assert Notification.objects.filter(recipient=supervisor, event="staff.refusal_proposed").exists()
        assert world.fire(world.clerk_lead, case, "refuse").status_code == 403
        client.force_login(supervisor)
        queue = client.get(reverse("approvals:refusal_queue"))
        assert queue.status_code == 200 and case.reference in queue.content.decode()
        assert "不予受理签批" in client.get("/").content.decode()  # in the supervisor's menu
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "/do/refuse/" in page and "/do/reject_refusal/" in page
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "refuse"]), {"note": "同意"}
        )
        assert r.status_code == 302 and _reload(case).state == "not_accepted"
        signed = CaseTransition.objects.get(case=case, name="refuse")
        assert signed.actor == supervisor and signed.data["proposed_by"] == world.clerk.username
        # the supervisor's own proposal: they may not sign it; the department head may
        other = world.case()
        r = world.fire(supervisor, other, "propose_refusal", reasons="理由", legal_basis="第三十二条")
        assert r.status_code == 200
        assert world.fire(supervisor, other, "refuse").status_code == 403
        assert world.fire(world.head, other, "refuse").status_code == 200
    client.force_login(world.clerk_lead)  # a clerk who is not the supervisor has no refusal queue
    assert client.get(reverse("approvals:refusal_queue")).status_code == 403
