import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from complaints import services
from complaints.models import Complaint, Rating, RatingInvitation, RectificationTicket
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.models import Notification
from portal.workcalendar.seed import seed_years
from tests.approvals.factories import CaseFactory
from tests.factories import DepartmentFactory, citizen, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_years([2025, 2026])
    cache.clear()


@pytest.fixture
def people():
    dept = DepartmentFactory(code="SCJGJ", name="市场监督管理局")
    return {
        "dept": dept,
        "head": staff("head", dept, username="head"),
        "reviewer": staff("reviewer", dept, username="reviewer"),
        "inspector": staff("inspector", username="inspector"),
        "clerk": staff("clerk", username="clerk"),
        "other_head": staff("head", DepartmentFactory(code="ZJJ"), username="head2"),
    }


def _concluded(people):
    return CaseFactory(concluded=True, application__item__department=people["dept"])


def test_one_rating_per_case_by_the_applicant_only(people):
    case = _concluded(people)
    other = citizen(username="other", id_number="110101199003070011")
    with pytest.raises(PermissionDeniedError):
        services.rating_submit(case=case, actor=other, data={"overall": 5}, channel="online")
    rating = services.rating_submit(
        case=case, actor=case.applicant, data={"overall": 4, "comment": "好"}, channel="online"
    )
    assert (rating.department, rating.item, rating.efficiency) == (case.department, case.item, 4)
    with pytest.raises(ConflictError):
        services.rating_submit(case=case, actor=case.applicant, data={"overall": 5}, channel="online")
    assert Rating.objects.count() == 1


def test_open_cases_cannot_be_rated(people):
    case = CaseFactory(accepted=True, application__item__department=people["dept"])
    with pytest.raises(ConflictError):
        services.rating_submit(case=case, actor=case.applicant, data={"overall": 5}, channel="online")


def test_a_bad_rating_opens_exactly_one_ticket_and_it_is_followed_through(people):
    case = _concluded(people)
    with pytest.raises(ApplicationError):  # a bad rating needs its reason
        services.rating_submit(case=case, actor=case.applicant, data={"overall": 2}, channel="online")
    rating = services.rating_submit(
        case=case, actor=case.applicant, data={"overall": 2, "comment": "多跑了两次"}, channel="online"
    )
    assert RectificationTicket.objects.count() == 1
    ticket = rating.ticket
    assert Notification.objects.filter(recipient=people["head"], event="ticket.opened").count() == 1
    with pytest.raises(PermissionDeniedError):
        services.ticket_act(ticket=ticket, actor=people["other_head"], action="callback", note="x")
    with pytest.raises(ConflictError):
        services.ticket_act(ticket=ticket, actor=people["head"], action="verify")
    ticket = services.ticket_act(
        ticket=ticket, actor=people["head"], action="callback", note="已电话回访，申请人反映材料清单不清楚"
    )
    ticket = services.ticket_act(
        ticket=ticket, actor=people["head"], action="put_on_ledger", note="修订一次性告知单"
    )
    assert ticket.state == "on_ledger" and ticket.due_on is not None
    ticket = services.ticket_act(ticket=ticket, actor=people["reviewer"], action="fix", note="已修订并公布")
    with pytest.raises(PermissionDeniedError):
        services.ticket_act(ticket=ticket, actor=people["head"], action="verify")
    ticket = services.ticket_act(ticket=ticket, actor=people["inspector"], action="verify")
    ticket = services.ticket_act(ticket=ticket, actor=people["inspector"], action="close")
    assert ticket.state == "closed" and ticket.history.count() >= 6


def test_ticket_on_the_ledger_past_its_deadline_raises_one_alert(people, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
    case = _concluded(people)
    rating = services.rating_submit(
        case=case, actor=case.applicant, data={"overall": 1, "comment": "差"}, channel="online"
    )
    t = services.ticket_act(ticket=rating.ticket, actor=people["head"], action="callback", note="回访")
    t = services.ticket_act(ticket=t, actor=people["head"], action="put_on_ledger")
    assert t.due_on == datetime.date(2026, 3, 23)  # 15 working days after 03-02
    assert services.overdue_scan(today=datetime.date(2026, 3, 23)) == 0
    assert services.overdue_scan(today=datetime.date(2026, 3, 24)) == 1
    assert services.overdue_scan(today=datetime.date(2026, 3, 25)) == 0
    assert Notification.objects.filter(event="alert.raised", recipient=people["inspector"]).count() == 1


def test_appeal_voids_a_malicious_rating_and_it_leaves_the_figures(people):
    from complaints.selectors import satisfaction

    case1, case2 = _concluded(people), _concluded(people)
    services.rating_submit(case=case1, actor=case1.applicant, data={"overall": 5}, channel="online")
    bad = services.rating_submit(
        case=case2, actor=case2.applicant, data={"overall": 1, "comment": "恶意"}, channel="online"
    )
    assert satisfaction(Rating.objects.all()) == {"ratings": 2, "good": 1, "satisfaction": 0.5}
    with pytest.raises(PermissionDeniedError):
        services.rating_appeal(rating=bad, actor=people["other_head"], reason="x")
    services.rating_appeal(rating=bad, actor=people["head"], reason="与办件无关的恶意差评")
    with pytest.raises(PermissionDeniedError):
        services.rating_appeal_decide(rating=bad, actor=people["head"], void=True, decision="")
    services.rating_appeal_decide(
        rating=bad, actor=people["inspector"], void=True, decision="经核实属恶意评价"
    )
    assert satisfaction(Rating.objects.all()) == {"ratings": 1, "good": 1, "satisfaction": 1.0}


def test_invitation_once_on_decision_and_one_reminder_after_three_days(time_machine):
    from approvals.services.decision import case_approve
    from approvals.services.delivery import case_deliver
    from approvals.services.intake import case_accept
    from approvals.services.review import case_send_to_decision, case_start_review
    from tests.approvals.conftest import World

    world = World()
    time_machine.move_to(datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC))
    case = world.case()
    case = case_accept(case=case, actor=world.clerk)
    case = case_start_review(case=case, actor=world.reviewer)
    case = case_send_to_decision(case=case, actor=world.reviewer, opinion="ok")
    case = case_approve(case=case, actor=world.decider)
    case = case_deliver(case=case, actor=world.clerk, method="window")
    invitation = Notification.objects.get(recipient=world.citizen, event="rating.invitation")
    assert "/complaints/rate/link/" in invitation.body
    assert RatingInvitation.objects.count() == 1
    assert services.rating_reminder_scan() == 0
    time_machine.move_to(datetime.datetime(2026, 3, 5, 3, tzinfo=datetime.UTC))
    assert services.rating_reminder_scan() == 1
    assert services.rating_reminder_scan() == 0
    assert Notification.objects.filter(event="rating.reminder").count() == 1


def test_rating_through_the_invitation_link_without_login(people, client):
    case = _concluded(people)
    token = services.rating_link_token(case)
    r = client.post(reverse("complaints:rate_link", args=[token]), {"overall": "5", "comment": "很好"})
    assert r.status_code == 302 and Rating.objects.get().channel == "link"
    assert client.get(reverse("complaints:rate_link", args=["forged"])).status_code == 400


def test_window_tablet_rating_is_the_applicants_never_the_clerks_session(people, client):
    """Issue 15 / DESIGN §6: the window's rating device does not run in the clerk's session. The clerk's
    page finds the case and shows the device's address for it; posting a rating there while signed in as
    the clerk (or through the invitation link, or as any staff member) is refused by the service; on the
    tablet, nobody signed in, the applicant's rating is taken once, by Post/Redirect/Get."""
    case = _concluded(people)
    client.force_login(people["clerk"])
    page = client.get(reverse("complaints:window_rate"), {"reference": case.reference}).content.decode()
    assert 'id="window-device"' in page and '<form method="post"' not in page
    device_url = page.split('id="window-device-link">')[1].split("<")[0].removeprefix("http://testserver")
    assert device_url.startswith("/complaints/rate/device/")
    # The tablet scans the address as a QR code (nobody types the signed address), valid for 30 minutes.
    qr = page.split('class="portal-qr-box">')[1].split("</div>")[0]
    assert qr.startswith("<svg") and "<title>评价器地址二维码</title>" in qr
    assert "30分钟内有效" in page
    assert client.post(reverse("complaints:window_rate"), {"overall": "5"}).status_code == 405
    refused = client.post(device_url, {"overall": "5"})
    assert refused.status_code == 403 and "工作人员登录时不能评价" in refused.content.decode()
    link = reverse("complaints:rate_link", args=[services.rating_link_token(case)])
    assert client.post(link, {"overall": "5"}).status_code == 403
    with pytest.raises(PermissionDeniedError):
        services.rating_submit(case=case, actor=people["clerk"], data={"overall": 5}, channel="window")
    assert not Rating.objects.exists()
    tablet = type(client)()
    r = tablet.post(device_url, {"overall": "4"})
    assert r.status_code == 302 and r["Location"] == device_url
    assert "感谢您的评价" in tablet.get(device_url).content.decode()
    assert Rating.objects.get().channel == "window" and Rating.objects.get().overall == 4
    assert client.get("/complaints/rate/device/forged/").status_code == 400


def test_complaint_life_registered_assigned_concluded_reopened_once(people, client):
    complainant = citizen(phone="13912345678")
    complaint = services.complaint_file(
        actor=complainant,
        channel="online",
        name="",
        phone="13912345678",
        subject="推诿扯皮",
        content="窗口让我去部门，部门让我回窗口。",
    )
    assert (
        complaint.number.startswith("TS-")
        and complaint.received_on == complaint.received_at.astimezone().date()
    )
    assert complaint.state == "assigned" and complaint.handler == people["inspector"]
    with pytest.raises(PermissionDeniedError):
        services.complaint_investigate(complaint=complaint, actor=people["head"])
    complaint = services.complaint_investigate(complaint=complaint, actor=people["inspector"])
    with pytest.raises(ApplicationError):
        services.complaint_conclude(complaint=complaint, actor=people["inspector"], finding="", action="")
    complaint = services.complaint_conclude(
        complaint=complaint, actor=people["inspector"], finding="substantiated", action="约谈窗口负责人"
    )
    assert Notification.objects.filter(recipient=complainant, event="complaint.concluded").exists()
    services.complaint_rate_handling(complaint=complaint, actor=complainant, score=3)
    complaint = services.complaint_reopen(complaint=complaint, actor=complainant, reason="没有解决问题")
    assert complaint.state == "investigating" and complaint.concluded_at is None
    complaint = services.complaint_conclude(
        complaint=complaint, actor=people["inspector"], finding="partly", action="再次督办"
    )
    with pytest.raises(ConflictError):
        services.complaint_reopen(complaint=complaint, actor=complainant, reason="还是不满意")


def test_anonymous_complaint_never_exposes_the_phone_and_public_page_has_no_personal_data(people, client):
    r = client.post(
        reverse("complaints:file"),
        {"name": "王秀英", "phone": "13912345678", "subject": "审批超时", "content": "超过承诺期限仍未办结"},
    )
    assert r.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.complainant is None
    services.complaint_investigate(complaint=complaint, actor=people["inspector"])
    complaint = services.complaint_conclude(
        complaint=complaint, actor=people["inspector"], finding="substantiated", action="已督办办结"
    )
    services.complaint_publish(
        complaint=complaint,
        actor=people["inspector"],
        subject=complaint.public_subject,
        action=complaint.public_action,
    )
    html = client.get(reverse("complaints:public")).content.decode()
    assert complaint.number in html and "已督办办结" in html
    assert "王秀英" not in html and "13912345678" not in html and "5678" not in html
    api = APIClient()
    api.force_authenticate(people["inspector"])
    body = api.get(f"/api/v1/complaints/{complaint.number}/").content.decode()
    assert "13912345678" not in body and "139****5678" in body
    client.force_login(people["inspector"])
    page = client.get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    assert "13912345678" not in page
    assert "13912345678" not in str(list(complaint.history.values()))


def test_complaint_past_its_limit_raises_an_alert(people):
    complaint = services.complaint_file(
        actor=None, channel="online", name="李", phone="13912345678", subject="超时", content="迟迟没有答复"
    )
    assert services.overdue_scan(today=complaint.due_on) == 0
    assert services.overdue_scan(today=complaint.due_on + datetime.timedelta(days=1)) == 1
    assert services.overdue_scan(today=complaint.due_on + datetime.timedelta(days=2)) == 0


def test_anonymous_form_is_throttled_and_has_a_honeypot(client):
    for _ in range(5):
        client.post(
            reverse("complaints:file"),
            {"name": "甲", "phone": "13912345678", "subject": "s", "content": "内容内容内容"},
        )
    r = client.post(
        reverse("complaints:file"),
        {"name": "甲", "phone": "13912345678", "subject": "s", "content": "内容内容内容"},
    )
    assert r.status_code == 429
    assert Complaint.objects.count() == 5
    cache.clear()
    client.post(
        reverse("complaints:file"),
        {
            "name": "bot",
            "phone": "13912345678",
            "subject": "s",
            "content": "spam spam",
            "website": "http://spam",
        },
    )
    assert Complaint.objects.count() == 5


def test_api_rules(people):
    api = APIClient()
    r = api.post("/api/v1/complaints/", {"phone": "123", "subject": "慢", "content": "x"}, format="json")
    assert r.status_code == 400 and "phone" in r.json()
    r = api.post(
        "/api/v1/complaints/",
        {"phone": "13912345678", "name": "张", "subject": "慢", "content": "办事太慢了"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["complainant_phone"] == "139****5678"
    r = api.post(
        "/api/v1/complaints/",
        {"channel": "phone", "phone": "13912345678", "name": "张", "subject": "慢", "content": "办事太慢了"},
        format="json",
    )
    assert r.status_code == 400  # phone complaints are entered by staff
    case = _concluded(people)
    api.force_authenticate(case.applicant)
    assert (
        api.post("/api/v1/ratings/", {"reference": case.reference, "overall": 9}, format="json").status_code
        == 400
    )
    assert (
        api.post("/api/v1/ratings/", {"reference": case.reference, "overall": 5}, format="json").status_code
        == 201
    )
    assert (
        api.post("/api/v1/ratings/", {"reference": case.reference, "overall": 5}, format="json").status_code
        == 409
    )
    other = citizen(username="x2", id_number="110101199003070011")
    api.force_authenticate(other)
    assert (
        api.post("/api/v1/ratings/", {"reference": case.reference, "overall": 5}, format="json").status_code
        == 404
    )
