"""An item that cannot be done online (可全程网办 off) takes no online draft or submission, by page or API;
its guide says how to apply at the window, and the window still registers it (DESIGN §2: "whether it can be
done fully online"; §1 the window takes in every department's items)."""

import datetime
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from approvals.models import Case
from intake.models import Application
from intake.services.applications import application_add_material, application_create_draft
from tests.factories import ItemFactory, MaterialFactory, WindowFactory, citizen, staff

pytestmark = pytest.mark.django_db
from tests.files import PDF  # noqa: E402

MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
MESSAGE = "该事项不能在线申请"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def item():
    item = ItemFactory(code="ZR-901", name="建设用地规划许可", online=False, handling_place="市民中心二楼B区")
    item.m_plan = MaterialFactory(item=item, name="规划图", mandatory=True)
    return item


def test_the_guide_of_an_offline_item_shows_the_window_instead_of_apply_online(item, client):
    page = client.get(reverse("intake:item_detail", args=[item.code])).content.decode()
    assert reverse("intake:apply", args=[item.code]) not in page and ">在线申请<" not in page
    assert "本事项不能在线申请" in page and "市民中心二楼B区" in page


def test_no_online_draft_for_an_offline_item_by_page_or_api(item, client):
    """The rule is the service's: the apply page and the API both refuse, with the Chinese message."""
    applicant = citizen()
    client.force_login(applicant)
    for response in (
        client.get(reverse("intake:apply", args=[item.code])),
        client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"}),
    ):
        assert response.status_code == 302 and response["Location"] == reverse(
            "intake:item_detail", args=[item.code]
        )
    assert MESSAGE in client.get(reverse("intake:item_detail", args=[item.code])).content.decode()
    api = APIClient()
    api.force_authenticate(applicant)
    for submit in ("true", "false"):
        r = api.post(
            "/api/v1/applications/",
            {
                "item": item.code,
                "submit": submit,
                f"material_{item.m_plan.pk}": SimpleUploadedFile("a.pdf", PDF),
            },
            format="multipart",
        )
        assert r.status_code == 400 and MESSAGE in r.json()["detail"] and "item" in r.json()
    assert not Application.objects.exists()


def test_a_draft_started_before_the_item_went_offline_cannot_be_submitted_online(item, client):
    applicant = citizen()
    item.online = True
    item.save()
    draft = application_create_draft(item=item, applicant=applicant, actor=applicant)
    application_add_material(
        application=draft, material=item.m_plan, upload=SimpleUploadedFile("a.pdf", PDF), actor=applicant
    )
    item.online = False
    item.save()
    client.force_login(applicant)
    r = client.post(reverse("intake:draft_review", args=[draft.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("intake:draft_edit", args=[draft.pk])
    api = APIClient()
    api.force_authenticate(applicant)
    r = api.post(f"/api/v1/applications/{draft.pk}/submit/")
    assert r.status_code == 400 and MESSAGE in r.json()["detail"]
    assert not Case.objects.exists()


def test_the_window_still_registers_and_submits_an_offline_item(item, client):
    clerk = staff("clerk", window=WindowFactory(number=2))
    client.force_login(clerk)
    with time_machine.travel(MONDAY, tick=False):
        r = client.post(
            reverse("intake:window_register"),
            {
                "item_code": item.code,
                "kind": "person",
                "name": "赵六",
                "id_number": "11010519491231002X",
                "phone": "13912345678",
            },
        )
        app = Application.objects.get()
        assert r.status_code == 302 and app.channel == "window"
        application_add_material(
            application=app, material=item.m_plan, upload=SimpleUploadedFile("a.pdf", PDF), actor=clerk
        )
        r = client.post(reverse("intake:draft_review", args=[app.pk]))
    app.refresh_from_db()
    assert r["Location"] == reverse("approvals:case_detail", args=[app.reference])
    assert Case.objects.get(application=app).clerk == clerk
    assert json.loads(json.dumps(app.item_snapshot))["online"] is False
