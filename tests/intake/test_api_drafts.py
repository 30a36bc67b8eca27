"""The API continues what it started: a draft created with ``submit=false`` is read
(``GET /api/v1/applications/{id}/``), changed (``PATCH``, multipart like the POST) and submitted
(``POST …/submit/``), with the checks and messages of the application page (DESIGN §3: draft → submit)."""

import datetime
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.models import Case
from intake.models import Application, ApplicationMaterial, FormField
from intake.services.applications import application_submit
from portal.exceptions import ApplicationError
from tests.factories import ItemFactory, MaterialFactory, citizen

pytestmark = pytest.mark.django_db
from tests.files import PDF, pdf_variant  # noqa: E402

MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def item():
    item = ItemFactory(code="SC-001", name="食品经营许可")
    FormField.objects.create(item=item, key="shop_name", label="店铺名称", kind="text", required=True)
    FormField.objects.create(item=item, key="area", label="经营面积", kind="number", required=True)
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    item.m_site = MaterialFactory(item=item, name="场地证明", mandatory=True)
    return item


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _files(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _draft(api, item):
    r = api.post(
        "/api/v1/applications/",
        {"item": item.code, "submit": "false", "form_data": json.dumps({"shop_name": "青禾小馆"})},
        format="multipart",
    )
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["reference"] is None
    return r.json()["id"]


def test_read_continue_and_submit_a_draft_made_by_the_api(item, media):
    """The applicant's own draft, by id: read, answers and files added with the page's checks and
    messages, submitted; then read by its reference; a submitted application is 409 to change or submit."""
    owner = citizen()
    api = _api(owner)
    pk = _draft(api, item)
    url = f"/api/v1/applications/{pk}/"

    body = api.get(url).json()
    assert body["id"] == pk and body["form_data"] == {"shop_name": "青禾小馆"} and body["materials"] == []

    # submitting now: the page's messages, field by field
    r = api.post(f"{url}submit/")
    assert r.status_code == 400
    with pytest.raises(ApplicationError) as page_error:
        application_submit(application=Application.objects.get(pk=pk), actor=owner)
    assert r.json()["detail"] == page_error.value.message
    assert r.json()["area"] == page_error.value.extra["area"] == ["“经营面积”为必填项。"]
    assert r.json()[f"material_{item.m_license.pk}"] == ["缺少必要材料：营业执照"]

    # a bad answer: 400 with the field message, nothing changed (files included: all or nothing)
    r = api.patch(
        url,
        {
            "form_data": json.dumps({"area": "很多"}),
            f"material_{item.m_license.pk}": SimpleUploadedFile("a.pdf", PDF),
        },
        format="multipart",
    )
    assert r.status_code == 400 and r.json()["area"] == ["“经营面积”应为数字。"]
    assert _files(media) == [] and not ApplicationMaterial.objects.exists()
    r = api.patch(url, {"material_999999": SimpleUploadedFile("a.pdf", PDF)}, format="multipart")
    assert r.status_code == 400 and r.json()["material_999999"] == ["没有这项申请材料。"]
    r = api.patch(
        url, {f"material_{item.m_site.pk}": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, format="multipart"
    )
    assert r.status_code == 400 and f"material_{item.m_site.pk}" in r.json() and _files(media) == []

    # answers merged, files added
    r = api.patch(
        url,
        {
            "form_data": json.dumps({"area": "80.5"}),
            f"material_{item.m_license.pk}": SimpleUploadedFile("执照.pdf", PDF),
            f"material_{item.m_site.pk}": SimpleUploadedFile("场地.pdf", pdf_variant(b"x")),
        },
        format="multipart",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["form_data"] == {"shop_name": "青禾小馆", "area": "80.5"}
    assert sorted(m["material_name"] for m in r.json()["materials"]) == ["场地证明", "营业执照"]
    assert len(_files(media)) == 2

    # a file taken out again (JSON body), then put back
    site = next(m for m in r.json()["materials"] if m["material_name"] == "场地证明")
    r = api.patch(url, {"remove": [site["id"]]}, format="json")
    assert r.status_code == 200 and [m["material_name"] for m in r.json()["materials"]] == ["营业执照"]
    r = api.patch(url, {"remove": [site["id"]]}, format="json")
    assert r.status_code == 400 and "remove" in r.json()
    r = api.patch(
        url,
        {f"material_{item.m_site.pk}": SimpleUploadedFile("b.pdf", pdf_variant(b"y"))},
        format="multipart",
    )
    assert r.status_code == 200

    with time_machine.travel(MONDAY, tick=False):
        r = api.post(f"{url}submit/")
    assert r.status_code == 200, r.json()
    reference = r.json()["reference"]
    assert r.json()["status"] == "submitted" and reference.startswith("SP-20260302-")
    assert Case.objects.filter(reference=reference, applicant=owner).exists()
    assert api.get(f"/api/v1/applications/{reference}/").json()["id"] == pk
    assert api.patch(url, {"form_data": {"area": "1"}}, format="json").status_code == 409
    assert api.post(f"{url}submit/").status_code == 409


def test_another_users_draft_is_a_404_and_visitors_need_to_sign_in(item):
    pk = _draft(_api(citizen()), item)
    other = _api(citizen(username="other", id_number="110101199003070011"))
    assert other.get(f"/api/v1/applications/{pk}/").status_code == 404
    assert other.patch(f"/api/v1/applications/{pk}/", {}, format="json").status_code == 404
    assert other.post(f"/api/v1/applications/{pk}/submit/").status_code == 404
    assert APIClient().get(f"/api/v1/applications/{pk}/").status_code == 401
    assert Application.objects.get(pk=pk).status == "draft"


def test_the_schema_documents_read_change_and_submit(client):
    schema = client.get("/api/schema/?format=json").json()
    detail = schema["paths"]["/api/v1/applications/{key}/"]
    assert {"get", "patch"} <= set(detail)
    assert {"multipart/form-data", "application/json"} <= set(detail["patch"]["requestBody"]["content"])
    assert "post" in schema["paths"]["/api/v1/applications/{key}/submit/"]
    assert "post" in schema["paths"]["/api/v1/applications/"]  # creating is unchanged
