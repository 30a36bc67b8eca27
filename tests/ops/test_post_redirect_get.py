"""Post/Redirect/Get on every page that takes a POST (DESIGN §12, the GOV.UK pattern "a confirmation
page"): a successful POST answers with a redirect, and reloading the page it leads to sends nothing again
and creates nothing. One test per page; each reloads the confirmation twice and counts what exists."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from approvals.models import CaseTransition
from approvals.services.intake import case_open
from complaints import services as complaint_services
from complaints.models import Complaint, Rating
from intake.models import Application, ApplicationMaterial, FormField
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.workcalendar.seed import seed_years
from supervision.models import Alert
from tests.approvals.factories import CaseFactory
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    ItemFactory,
    MaterialFactory,
    WindowFactory,
    citizen,
    item_snapshot,
    staff,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def setting(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    settings.SMS_FILE_DIR = tmp_path / "sms"
    seed_years([2025, 2026])
    with time_machine.travel(MONDAY, tick=False):
        yield


def reload_creates_nothing(client, response, count: Callable[[], Any], *, expect: str = "") -> str:
    """The POST redirected; its target reloaded twice answers 200 and ``count()`` does not move."""
    assert response.status_code == 302, getattr(response, "content", b"")[:500]
    before = count()
    pages = [client.get(response["Location"]) for _ in range(2)]
    assert [p.status_code for p in pages] == [200, 200]
    assert count() == before
    html = pages[0].content.decode()
    if expect:
        assert expect in html
    return html


def _item(**kwargs):
    item = ItemFactory(**kwargs)
    FormField.objects.create(item=item, key="shop", label="店铺名称", kind="text", required=True)
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    return item


# --- complaints and ratings -----------------------------------------------------------------------


def test_filing_a_complaint_anonymously(client):
    """Reloading the confirmation page files the complaint again no more (issue 15)."""
    staff("inspector")
    response = client.post(
        reverse("complaints:file"),
        {"name": "王秀英", "phone": "13912345678", "subject": "审批超时", "content": "超过承诺期限仍未办结"},
    )
    number = Complaint.objects.get().number
    reload_creates_nothing(client, response, Complaint.objects.count, expect=number)


def test_filing_a_complaint_signed_in_with_an_attachment(client):
    complainant = citizen()
    client.force_login(complainant)
    response = client.post(
        reverse("complaints:file"),
        {
            "phone": "13912345678",
            "subject": "推诿",
            "content": "窗口让我去部门，部门让我回窗口。",
            "attachments": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    reload_creates_nothing(
        client,
        response,
        lambda: (Complaint.objects.count(), Notification.objects.count()),
        expect=Complaint.objects.get().number,
    )


def test_rating_a_case_online(client):
    case = CaseFactory(concluded=True)
    client.force_login(case.applicant)
    response = client.post(reverse("complaints:rate", args=[case.reference]), {"overall": "5"})
    reload_creates_nothing(client, response, Rating.objects.count, expect="感谢您的评价")


def test_rating_a_case_by_the_invitation_link(client):
    case = CaseFactory(concluded=True)
    url = reverse("complaints:rate_link", args=[complaint_services.rating_link_token(case)])
    response = client.post(url, {"overall": "2", "comment": "多跑了一次"})
    reload_creates_nothing(client, response, lambda: (Rating.objects.count(), Notification.objects.count()))


def test_the_complainant_rates_the_handling(client):
    inspector = staff("inspector")
    complainant = citizen()
    complaint = complaint_services.complaint_file(
        actor=complainant, channel="online", name="", phone="13912345678", subject="慢", content="办理太慢了"
    )
    complaint_services.complaint_investigate(complaint=complaint, actor=inspector)
    complaint_services.complaint_conclude(
        complaint=complaint, actor=inspector, finding="partly", action="已督办"
    )
    client.force_login(complainant)
    url = reverse("complaints:detail", args=[complaint.number])
    response = client.post(url, {"action": "rate", "score": "4"})
    reload_creates_nothing(client, response, lambda: list(Complaint.history.values_list("history_id")))


def test_the_office_acts_on_a_rating_appeal(client):
    dept = DepartmentFactory()
    head = staff("head", dept)
    case = CaseFactory(concluded=True, application__item__department=dept)
    rating = complaint_services.rating_submit(
        case=case, actor=case.applicant, data={"overall": 1, "comment": "差"}, channel="online"
    )
    client.force_login(head)
    response = client.post(
        reverse("complaints:tickets"), {"rating": rating.pk, "action": "appeal", "note": "误评"}
    )
    reload_creates_nothing(client, response, lambda: list(Rating.history.values_list("history_id")))


# --- cases ----------------------------------------------------------------------------------------


def test_the_progress_query(client):
    case = CaseFactory()
    response = client.post(
        reverse("approvals:progress"), {"reference": case.reference, "phone": case.application.contact_phone}
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert case.reference in shown  # the result, once; the phone number never in a URL
    assert "13912345678" not in response["Location"]
    reload_creates_nothing(
        client,
        client.post(reverse("approvals:progress"), {"reference": case.reference, "phone": "13912345678"}),
        lambda: None,
    )


def test_a_case_transition_by_the_clerk(client):
    clerk = staff("clerk", window=WindowFactory(number=1))
    item = ItemFactory()
    app = ApplicationFactory(item=item, item_snapshot=item_snapshot(item))
    case = case_open(application=app, actor=app.applicant)
    client.force_login(clerk)
    response = client.post(reverse("approvals:case_transition", args=[case.reference, "accept"]))
    reload_creates_nothing(client, response, CaseTransition.objects.count, expect="已受理")


def test_the_clerks_material_check(client):
    clerk = staff("clerk", window=WindowFactory(number=1))
    item = ItemFactory()
    app = ApplicationFactory(item=item, item_snapshot=item_snapshot(item))
    case = case_open(application=app, actor=app.applicant)
    row = ApplicationMaterial.objects.create(
        application=app,
        material_name="营业执照",
        token="prg".ljust(32, "0"),
        extension=".pdf",
        file=SimpleUploadedFile("x.pdf", PDF),
        original_name="x.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    client.force_login(clerk)
    response = client.post(
        reverse("approvals:check_materials", args=[case.reference]), {f"result_{row.pk}": "received"}
    )
    reload_creates_nothing(
        client, response, lambda: list(ApplicationMaterial.objects.values_list("check_result"))
    )


def test_an_alert_explanation(client):
    dept = DepartmentFactory()
    head = staff("head", dept)
    case = CaseFactory(accepted=True, application__item__department=dept)
    alert = Alert.objects.create(case=case, level="red", department=dept, raised_at=timezone.now())
    client.force_login(head)
    response = client.post(
        reverse("supervision:alert_detail", args=[alert.pk]),
        {"action": "explain", "explain-explanation": "材料补正延误"},
    )
    reload_creates_nothing(client, response, lambda: list(Alert.history.values_list("history_id")))


# --- applying -------------------------------------------------------------------------------------


def test_starting_an_application(client):
    item = _item()
    client.force_login(citizen())
    response = client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
    reload_creates_nothing(client, response, Application.objects.count)


def test_saving_a_draft_with_an_upload(client):
    item = _item()
    applicant = citizen()
    client.force_login(applicant)
    client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
    draft = Application.objects.get()
    response = client.post(
        reverse("intake:draft_edit", args=[draft.pk]),
        {
            "f_shop": "青禾小馆",
            "contact_phone": "13912345678",
            "mode": "promised",
            f"material_{item.m_license.pk}": SimpleUploadedFile("a.pdf", PDF),
            "next": "review",
        },
    )
    reload_creates_nothing(client, response, ApplicationMaterial.objects.count, expect="青禾小馆")


def test_submitting_a_draft(client):
    item = _item()
    applicant = citizen()
    client.force_login(applicant)
    client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
    draft = Application.objects.get()
    client.post(
        reverse("intake:draft_edit", args=[draft.pk]),
        {
            "f_shop": "青禾小馆",
            "contact_phone": "13912345678",
            "mode": "promised",
            f"material_{item.m_license.pk}": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    response = client.post(reverse("intake:draft_review", args=[draft.pk]))
    draft.refresh_from_db()
    reload_creates_nothing(
        client,
        response,
        lambda: (Application.objects.filter(status="submitted").count(), CaseTransition.objects.count()),
        expect=draft.reference,
    )


def test_deleting_a_draft(client):
    item = _item()
    client.force_login(citizen())
    client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
    response = client.post(reverse("intake:draft_delete", args=[Application.objects.get().pk]))
    reload_creates_nothing(client, response, Application.objects.count)


def test_registering_a_walk_in_at_the_window(client):
    item = _item()
    client.force_login(staff("clerk", window=WindowFactory(number=2)))
    response = client.post(
        reverse("intake:window_register"),
        {
            "item_code": item.code,
            "kind": "person",
            "name": "赵六",
            "id_number": "11010519491231002X",
            "phone": "13912345678",
        },
    )
    reload_creates_nothing(client, response, lambda: (Application.objects.count(), User.objects.count()))


# --- accounts and inbox ---------------------------------------------------------------------------


def test_registration(client):
    response = client.post(
        reverse("accounts:register"),
        {
            "username": "newcomer",
            "password1": "Zq8!long-pass",
            "password2": "Zq8!long-pass",
            "kind": "person",
            "real_name": "李新",
            "phone": "13912345670",
            "id_number": "11010519491231002X",
        },
    )
    reload_creates_nothing(client, response, User.objects.count)


def test_notification_preferences(client):
    user = citizen()
    client.force_login(user)
    response = client.post(
        reverse("accounts:preferences"),
        {"notify_sms": "on", "email": "li@example.com", "preferred_language": "zh-hans"},
    )
    reload_creates_nothing(
        client, response, lambda: User.objects.values_list("email", "notify_email").get(pk=user.pk)
    )


def test_asking_for_an_sms_sign_in_code(client, settings):
    """Reloading the page that says "code sent" sends no second text message."""
    citizen(username="zhang", phone="13912345678")

    def texts() -> int:
        folder = settings.SMS_FILE_DIR / "messages"
        return len(list(folder.glob("*.json"))) if folder.exists() else 0

    response = client.post(reverse("accounts:sms_login"), {"step": "send", "send-phone": "13912345678"})
    assert texts() == 1
    html = reload_creates_nothing(client, response, texts)
    assert 'value="13912345678"' in html  # the code form keeps the number


def test_signing_in_and_changing_the_password(client):
    user = citizen(username="li")
    user.set_password("Zq8!long-pass")
    user.save()
    response = client.post(reverse("accounts:login"), {"username": "li", "password": "Zq8!long-pass"})
    reload_creates_nothing(client, response, lambda: None)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Zq8!long-pass",
            "new_password1": "Yp7!other-pass",
            "new_password2": "Yp7!other-pass",
        },
    )
    reload_creates_nothing(client, response, lambda: User.objects.get(pk=user.pk).password)


def test_marking_the_inbox_read(client):
    user = citizen()
    Notification.objects.create(recipient=user, event="test", subject="测试", body="正文")
    client.force_login(user)
    response = client.post(reverse("notifications:mark_all_read"))
    reload_creates_nothing(client, response, lambda: list(Notification.objects.values_list("read_at")))
