"""Concluded complaints are published without personal data, in wording the efficiency office reviewed
(DESIGN §6); complaint attachments are shown to the office and the complainant only; a rating voided on
appeal cancels its rectification ticket."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from complaints.models import Complaint, RectificationTicket
from portal.exceptions import PermissionDeniedError
from portal.notifications.models import Notification
from portal.workcalendar.seed import seed_years
from tests.approvals.factories import CaseFactory
from tests.factories import DepartmentFactory, citizen, staff

pytestmark = pytest.mark.django_db
from tests.files import pdf_variant  # noqa: E402


@pytest.fixture(autouse=True)
def calendar(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_years([2025, 2026])
    cache.clear()


@pytest.fixture
def people():
    dept = DepartmentFactory(code="SCJGJ", name="市场监督管理局")
    return {
        "dept": dept,
        "head": staff("head", dept, username="head"),
        "inspector": staff("inspector", username="inspector"),
        "inspector2": staff("inspector", username="inspector2"),
        "clerk": staff("clerk", username="clerk", real_name="赵小窗"),
    }


def _concluded_complaint(people, **kwargs):
    complainant = citizen(username="wxy", real_name="王秀英", phone="13912345678")
    complaint = services.complaint_file(
        actor=complainant,
        channel="online",
        name="王秀英",
        phone="13912345678",
        subject="赵小窗态度差，回电13812345678",
        content="身份证110105194912310037，请联系我 139-1234-5678 或 wxy@example.com",
        department_id=people["dept"].pk,
        person_id=people["clerk"].pk,
        **kwargs,
    )
    services.complaint_investigate(complaint=complaint, actor=people["inspector"])
    return services.complaint_conclude(
        complaint=complaint,
        actor=people["inspector"],
        finding="substantiated",
        action="已向王秀英（13912345678，身份证110105194912310037）电话反馈，并约谈赵小窗。",
    )


PERSONAL = ["王秀英", "13912345678", "13812345678", "110105194912310037", "赵小窗"]


def test_a_concluded_complaint_is_public_only_after_the_office_publishes_its_masked_wording(people, client):
    """DESIGN §6 "concluded complaints are published without personal data": the public page shows a
    concluded complaint only once the efficiency office reviewed and published its public wording; phone
    numbers, ID numbers and the names the complaint knows are masked, also in what the reviewer types."""
    complaint = _concluded_complaint(people)
    public = client.get(reverse("complaints:public")).content.decode()
    assert complaint.number not in public  # concluded, not yet reviewed

    client.force_login(people["inspector2"])
    page = client.get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    assert "确认并公示" in page and "110105194912310037" not in page  # staff read ID numbers masked
    assert "王**" in page and "138****5678" in page and "赵**态度差" in page  # the draft wording, masked

    response = client.post(
        reverse("complaints:detail", args=[complaint.number]),
        {
            "action": "publish",
            "public_subject": "窗口人员态度差",
            "public_action": "已向投诉人（13912345678）反馈，并约谈窗口人员赵小窗，电话010-62751234。",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.published and complaint.published_by == people["inspector2"]
    assert complaint.published_at is not None
    assert complaint.history.filter(
        history_change_reason="publish", history_user=people["inspector2"]
    ).exists()

    client.logout()
    public = client.get(reverse("complaints:public")).content.decode()
    assert complaint.number in public and "窗口人员态度差" in public
    assert "139****5678" in public and "赵**" in public and "010-****1234" in public
    for text in PERSONAL + ["62751234"]:
        assert text not in public


def test_only_the_office_publishes_and_a_reopened_complaint_leaves_the_public_page(people, client):
    """DESIGN §6: the efficiency office confirms the public wording; a complaint reopened by its
    complainant is no longer concluded, so it is taken off the public page until published again."""
    complaint = _concluded_complaint(people)
    with pytest.raises(PermissionDeniedError):
        services.complaint_publish(complaint=complaint, actor=people["head"], subject="x", action="y")
    client.force_login(people["head"])
    client.post(
        reverse("complaints:detail", args=[complaint.number]),
        {"action": "publish", "public_subject": "x", "public_action": "y"},
    )
    assert not Complaint.objects.get(pk=complaint.pk).published

    complaint = services.complaint_publish(
        complaint=complaint, actor=people["inspector"], subject="态度差", action="已约谈"
    )
    assert complaint.number in client.get(reverse("complaints:public")).content.decode()
    services.complaint_reopen(complaint=complaint, actor=complaint.complainant, reason="问题没解决")
    assert complaint.number not in client.get(reverse("complaints:public")).content.decode()
    assert not Complaint.objects.get(pk=complaint.pk).published


def test_the_office_can_take_a_complaint_off_the_public_page_with_a_reason(people, client):
    complaint = _concluded_complaint(people)
    services.complaint_publish(
        complaint=complaint, actor=people["inspector"], subject="态度差", action="已约谈"
    )
    client.force_login(people["inspector"])
    response = client.post(
        reverse("complaints:detail", args=[complaint.number]), {"action": "unpublish", "reason": "含敏感信息"}
    )
    assert response.status_code == 302
    assert complaint.number not in client.get(reverse("complaints:public")).content.decode()
    assert (
        Complaint.objects.get(pk=complaint.pk)
        .history.filter(history_change_reason="unpublish: 含敏感信息")
        .exists()
    )


def test_attachments_are_shown_to_the_office_and_the_complainant_only(people, client):
    """DESIGN §6: a complaint's attachments are read by the efficiency office that handles it and by the
    complainant; the department complained about, other applicants and the public get no link and 404."""
    complaint = _concluded_complaint(
        people,
        attachments=[
            SimpleUploadedFile("现场照片.pdf", pdf_variant(b"photo"), content_type="application/pdf")
        ],
    )
    row = complaint.attachments.get()
    detail = reverse("complaints:detail", args=[complaint.number])
    download = reverse("complaints:attachment", args=[complaint.number, row.pk])
    for user in (people["inspector2"], complaint.complainant):
        client.force_login(user)
        assert download in client.get(detail).content.decode()
        response = client.get(download)
        assert response.status_code == 200 and b"".join(response.streaming_content).find(b"%photo") > 0
        assert "attachment" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(people["head"])  # sees the complaint about their department, not its attachments
    page = client.get(detail)
    assert page.status_code == 200 and download not in page.content.decode()
    assert client.get(download).status_code == 404
    client.force_login(citizen(username="other", id_number="110101199003070011"))
    assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the sign-in page
    client.force_login(people["inspector"])
    assert (
        client.get(reverse("complaints:attachment", args=[complaint.number, row.pk + 999])).status_code == 404
    )


def test_a_rating_voided_on_appeal_cancels_its_ticket_with_the_reason(people, client):
    """DESIGN §6 申诉复核: when the efficiency office voids a rating on the department's appeal, its
    rectification ticket is cancelled (not left open), with the reason on the ticket and in its history."""
    case = CaseFactory(concluded=True, application__item__department=people["dept"])
    rating = services.rating_submit(
        case=case, actor=case.applicant, data={"overall": 1, "comment": "乱评"}, channel="online"
    )
    ticket = rating.ticket
    services.ticket_act(ticket=ticket, actor=people["head"], action="callback", note="已回访")
    services.rating_appeal(rating=rating, actor=people["head"], reason="申请人误评，办件已按时办结")
    client.force_login(people["inspector"])
    response = client.post(
        reverse("complaints:tickets"), {"rating": rating.pk, "action": "void", "note": "经核实系误评"}
    )
    assert response.status_code == 302
    ticket = RectificationTicket.objects.get(pk=ticket.pk)
    assert ticket.state == "cancelled" and ticket.closed_at is not None
    assert "经核实系误评" in ticket.resolution
    assert "评价经申诉复核作废" in ticket.history.latest().history_change_reason
    assert ticket.history.latest().history_user == people["inspector"]
    assert Notification.objects.filter(recipient=people["head"], event="ticket.cancelled").exists()
    page = client.get(reverse("complaints:tickets")).content.decode()
    assert "已撤销（评价作废）" in page


def test_an_upheld_rating_keeps_its_ticket_open(people):
    case = CaseFactory(concluded=True, application__item__department=people["dept"])
    rating = services.rating_submit(
        case=case, actor=case.applicant, data={"overall": 2, "comment": "慢"}, channel="online"
    )
    services.rating_appeal(rating=rating, actor=people["head"], reason="不服")
    services.rating_appeal_decide(rating=rating, actor=people["inspector"], void=False, decision="维持")
    assert RectificationTicket.objects.get(rating=rating).state == "opened"


@pytest.mark.parametrize(
    ("typed", "published"),
    [
        ("电话+8613912345678", "电话+86139****5678"),
        ("电话１３９１２３４５６７８", "电话139****5678"),  # full-width digits from a Chinese input method
        ("座机（０１０）６２３４５６７８", "座机(010)-****5678"),
        ("座机(021)62345678", "座机(021)-****5678"),
        ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证1101**********002X"),
        ("电话139-1234-5678。", "电话139****5678。"),
    ],
)
def test_published_complaint_text_masks_phone_and_id_numbers_however_typed(typed, published):
    """Issue 15 (personal data on the public page of concluded complaints; 个人信息保护法 Art. 25: no
    publication of personal data without consent): ID and phone numbers are masked in the published
    wording whatever their shape — with +86, full-width digits, a bracketed area code."""
    from portal.pii import mask_public_text

    assert mask_public_text(typed) == published
