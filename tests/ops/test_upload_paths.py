"""Every upload path — the apply page, the API and the complaint form — refuses the same bad files with a
clear message and stores nothing (no file under MEDIA_ROOT, no row), and is rate-limited per user."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from complaints.models import Complaint, ComplaintAttachment
from intake.models import Application, ApplicationMaterial
from intake.services.applications import application_add_material, application_create_draft
from portal.exceptions import ApplicationError
from tests.factories import ItemFactory, MaterialFactory, citizen
from tests.files import PDF, PNG, pdf_variant

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 This program cannot be run in DOS mode"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"

# (files as (name, content) pairs, the message the user sees)
BAD = {
    "oversized": ([("big.pdf", PDF + b"0" * 4096)], "文件超过"),
    "exe renamed .pdf": ([("invoice.pdf", EXE)], "文件类型不被接受"),
    "html renamed .pdf": ([("page.pdf", HTML)], "文件类型不被接受"),
    "zero bytes": ([("empty.pdf", b"")], "不能上传空文件"),
    "duplicate names": ([("scan.pdf", PDF), ("scan.pdf", pdf_variant(b"second"))], "同名文件"),
    "duplicate names, other case": ([("Scan.PDF", PDF), ("scan.pdf", PNG)], "同名文件"),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.UPLOAD_MAX_BYTES = 1024
    return settings.MEDIA_ROOT


@pytest.fixture
def item():
    item = ItemFactory(code="UP-2", name="排污许可")
    item.m = [MaterialFactory(item=item, name="申请书"), MaterialFactory(item=item, name="监测报告")]
    return item


def stored(media):
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return files, ApplicationMaterial.objects.count(), ComplaintAttachment.objects.count()


def via_page(client, item, files):
    owner = citizen(username="page-user")
    app = application_create_draft(item=item, applicant=owner, actor=owner)
    client.force_login(owner)
    data = {"mode": "promised", "contact_phone": "13912345678"}
    for material, (name, content) in zip(item.m, files, strict=False):
        data[f"material_{material.pk}"] = SimpleUploadedFile(name, content)
    r = client.post(f"/applications/{app.pk}/edit/", data)
    return r.status_code, r.content.decode()


def via_api(client, item, files):
    api = APIClient()
    api.force_authenticate(citizen(username="api-user"))
    data = {"item": item.code, "submit": "false", "form_data": json.dumps({})}
    for material, (name, content) in zip(item.m, files, strict=False):
        data[f"material_{material.pk}"] = SimpleUploadedFile(name, content)
    r = api.post("/api/v1/applications/", data, format="multipart")
    return r.status_code, json.dumps(r.json(), ensure_ascii=False)


def via_complaint(client, item, files):
    data = {
        "name": "甲",
        "phone": "13912345678",
        "subject": "材料",
        "content": "窗口不收材料原件",
        "attachments": [SimpleUploadedFile(name, content) for name, content in files],
    }
    r = client.post("/complaints/", data)
    return r.status_code, r.content.decode()


PATHS = {"apply page": via_page, "API": via_api, "complaint form": via_complaint}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(client, item, media, path, case):
    files, message = BAD[case]
    status, body = PATHS[path](client, item, files)
    assert status == 400 and message in body, (status, body[:3000])
    assert stored(media) == ([], 0, 0)
    if path == "API":
        assert Application.objects.count() == 0
    if path == "complaint form":
        assert Complaint.objects.count() == 0


@pytest.mark.parametrize("path", PATHS)
def test_a_good_file_on_the_same_path_is_stored(client, item, media, path):
    status, body = PATHS[path](client, item, [("scan.pdf", PDF), ("photo.png", PNG)])
    assert status in (201, 200, 302), body[:2000]
    files, materials, attachments = stored(media)
    assert len(files) == 2 and materials + attachments == 2


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "name",
    [
        "../../outside.pdf",
        "/etc/outside.pdf",
        "..\\..\\outside.pdf",
        "C:\\Windows\\outside.pdf",
        "outside\x00.exe.pdf",
    ],
)
def test_a_path_in_the_name_never_reaches_the_disk(client, item, media, path, name):
    """Django's multipart parser keeps only the last part of the name before any view sees it, so over HTTP
    the file lands, if at all, under its random name inside MEDIA_ROOT, shown with the last part only."""
    PATHS[path](client, item, [(name, PDF)])
    files, materials, attachments = stored(media)
    root = media.resolve()
    assert all(f.resolve().is_relative_to(root) and f.stem.isalnum() and len(f.stem) == 32 for f in files), (
        files
    )
    assert not any("outside" in str(f) for f in media.parent.rglob("*"))
    for row in ApplicationMaterial.objects.all():
        assert (
            "/" not in row.original_name and "\\" not in row.original_name and "\x00" not in row.original_name
        )


@pytest.mark.parametrize(
    "name", ["../../x.pdf", "/abs/x.pdf", "..\\..\\x.pdf", "C:\\x.pdf", "x\x00.pdf", "..", "a\nb.pdf"]
)
def test_the_service_refuses_a_raw_name_with_a_path_or_control_character(item, media, name):
    owner = citizen()
    app = application_create_draft(item=item, applicant=owner, actor=owner)
    with pytest.raises(ApplicationError) as exc:
        # UploadedFile itself keeps only the base name; a File from elsewhere (an import, a script) does not
        application_add_material(
            application=app, material=item.m[0], upload=ContentFile(PDF, name=name), actor=owner
        )
    assert "文件名不合法" in exc.value.message
    assert stored(media) == ([], 0, 0)


def test_several_files_for_one_material_are_refused(client, item, media):
    owner = citizen()
    app = application_create_draft(item=item, applicant=owner, actor=owner)
    client.force_login(owner)
    r = client.post(
        f"/applications/{app.pk}/edit/",
        {
            "mode": "promised",
            f"material_{item.m[0].pk}": [
                SimpleUploadedFile("a.pdf", PDF),
                SimpleUploadedFile("b.pdf", pdf_variant(b"b")),
            ],
        },
    )
    assert r.status_code == 400 and "只能上传一个文件" in r.content.decode()
    api = APIClient()
    api.force_authenticate(owner)
    r = api.post(
        "/api/v1/applications/",
        {
            "item": item.code,
            "submit": "false",
            f"material_{item.m[0].pk}": [
                SimpleUploadedFile("a.pdf", PDF),
                SimpleUploadedFile("b.pdf", pdf_variant(b"b")),
            ],
        },
        format="multipart",
    )
    assert r.status_code == 400 and "只能上传一个文件" in json.dumps(r.json(), ensure_ascii=False)
    assert stored(media) == ([], 0, 0)


# --- rate limits per user -------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_uploads_are_rate_limited_and_the_refused_one_is_not_stored(client, media, settings, path):
    settings.PORTAL_RATELIMITS = {"upload": "2/h"}
    owner = citizen(username="busy")
    items = []
    for i in range(3):
        item = ItemFactory(code=f"RL-{i}")
        item.m = [MaterialFactory(item=item, name="申请书")]
        items.append(item)
    results = []
    for i, item in enumerate(items):
        upload = SimpleUploadedFile(f"scan{i}.pdf", pdf_variant(bytes([65 + i])))
        if path == "apply page":
            app = application_create_draft(item=item, applicant=owner, actor=owner)
            client.force_login(owner)
            r = client.post(
                f"/applications/{app.pk}/edit/", {"mode": "promised", f"material_{item.m[0].pk}": upload}
            )
            results.append((r.status_code, r.content.decode()))
        elif path == "API":
            api = APIClient()
            api.force_authenticate(owner)
            r = api.post(
                "/api/v1/applications/",
                {"item": item.code, "submit": "false", f"material_{item.m[0].pk}": upload},
                format="multipart",
            )
            results.append((r.status_code, json.dumps(r.json(), ensure_ascii=False)))
        else:
            results.append(via_complaint(client, item, [(f"scan{i}.pdf", pdf_variant(bytes([65 + i])))]))
    assert [s for s, _ in results] == [results[0][0], results[0][0], 429], [(s, b[:500]) for s, b in results]
    assert results[0][0] in (200, 201, 302)
    assert "过于频繁" in results[2][1]
    files, materials, attachments = stored(media)
    assert len(files) == 2 and materials + attachments == 2
    if path == "API":
        assert Application.objects.count() == 2 + 0  # the refused request created no draft either
