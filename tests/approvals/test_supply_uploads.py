"""After a correction notice the applicant sends the corrected files with the supply form (page or API):
each file is checked like an application's uploads, nothing is stored when anything is wrong, the window
sees the new files beside the old ones, and the case goes back to the window's queue."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals.constants import CaseState
from intake.models import ApplicationMaterial
from tests.factories import MaterialFactory
from tests.files import (
    PDF,  # noqa: E402
    PNG,  # noqa: E402
    pdf_variant,  # noqa: E402
)


def pdf(name: str = "说明书.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_variant(extra), content_type="application/pdf")


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.manual = MaterialFactory(item=world.item, name="说明书")
    world.photo = MaterialFactory(item=world.item, name="样机照片")
    case = world.case()
    ApplicationMaterial.objects.create(
        application=case.application,
        material=world.manual,
        material_name="说明书",
        token="0" * 32,
        extension=".pdf",
        file="applications/old.pdf",
        original_name="说明书.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=__import__("hashlib").sha256(PDF).hexdigest(),
        uploaded_by=world.citizen,
    )
    ApplicationMaterial.objects.update(
        uploaded_at=case.application.submitted_at - datetime.timedelta(minutes=5)
    )
    r = world.fire(world.clerk, case, "request_correction", materials="说明书：缺少第3页")
    assert r.status_code == 200, r.content
    world.correction_case = case
    world.media = tmp_path
    return world


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def supply_page(world, files: dict, note: str = "") -> object:
    case = world.correction_case
    return page_client(world.citizen).post(
        f"/cases/{case.reference}/do/supply/", {"note": note, **files}, follow=True
    )


def test_the_case_page_offers_a_file_field_per_material(setup):
    html = page_client(setup.citizen).get(f"/cases/{setup.correction_case.reference}/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert f'name="files_{setup.manual.pk}"' in html and f'name="files_{setup.photo.pk}"' in html


def test_supplied_files_are_stored_and_listed_for_the_window(setup):
    r = supply_page(
        setup,
        {
            f"files_{setup.manual.pk}": pdf("说明书-补正.pdf", b"page3"),
            f"files_{setup.photo.pk}": SimpleUploadedFile("photo.png", PNG, "image/png"),
        },
        note="已补第3页",
    )
    assert r.status_code == 200
    case = setup.correction_case
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    rows = ApplicationMaterial.objects.filter(application=case.application).order_by("pk")
    assert [(r.material_name, r.original_name) for r in rows] == [
        ("说明书", "说明书.pdf"),
        ("说明书", "说明书-补正.pdf"),
        ("样机照片", "photo.png"),
    ]
    assert len(stored_files(setup.media)) == 2
    # the window sees both new files on the case page, marked as corrections, and may check them
    html = page_client(setup.clerk).get(f"/cases/{case.reference}/").content.decode()
    assert "说明书-补正.pdf" in html and "photo.png" in html and html.count("补正上传") == 2
    assert case.transitions.get(name="supply").data["files"][0]["file"] == "说明书-补正.pdf"


@pytest.mark.parametrize(
    "files, message",
    [
        ({"a": pdf(extra=b"x" * 64)}, "最大"),  # oversized (limit lowered below)
        (
            {"a": SimpleUploadedFile("说明书.pdf", b"MZ\x90\x00" + b"\x00" * 64, "application/pdf")},
            "只接受 PDF、JPG、PNG",
        ),
        ({"a": SimpleUploadedFile("说明书.pdf", b"", "application/pdf")}, "文件是空的"),
        ({"a": [pdf("同名.pdf", b"1"), pdf("同名.pdf", b"2")]}, "同名文件"),
        # the shown name carries the checked type's extension (issue 17): a PNG called 同名.PDF is 同名.png
        ({"a": pdf("同名.pdf", b"1"), "b": pdf("同名.PDF", b"2")}, "同名文件"),
        ({"a": pdf("说明书.pdf")}, "完全相同"),  # the very file the window already found wanting
        ({"other": pdf(extra=b"new")}, "不属于此事项"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(setup, settings, files, message):
    settings.UPLOAD_MAX_BYTES = len(PDF) + 32
    keys = {"a": f"files_{setup.manual.pk}", "b": f"files_{setup.photo.pk}", "other": "files_999999"}
    before = ApplicationMaterial.objects.count()
    r = supply_page(setup, {keys[k]: v for k, v in files.items()})
    assert r.status_code == 200
    assert message in r.content.decode()
    setup.correction_case.refresh_from_db()
    assert setup.correction_case.state == CaseState.CORRECTION_REQUESTED
    assert ApplicationMaterial.objects.count() == before
    assert stored_files(setup.media) == []


def test_a_failure_after_the_files_were_written_removes_them(setup, monkeypatch):
    from approvals.services import correction

    def broken_record(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(correction, "record_transition", broken_record)
    with pytest.raises(RuntimeError):
        supply_page(setup, {f"files_{setup.manual.pk}": pdf("新.pdf", b"new")})
    assert ApplicationMaterial.objects.filter(original_name="新.pdf").count() == 0
    assert stored_files(setup.media) == []


def test_supply_needs_a_file_or_a_note(setup):
    r = supply_page(setup, {})
    assert "请上传补正的材料文件" in r.content.decode()
    setup.correction_case.refresh_from_db()
    assert setup.correction_case.state == CaseState.CORRECTION_REQUESTED


def test_the_api_takes_the_files_as_multipart(setup):
    case = setup.correction_case
    client = setup.api(setup.citizen)
    url = f"/api/v1/cases/{case.reference}/transitions/supply/"
    bad = client.post(
        url,
        {f"files_{setup.manual.pk}": SimpleUploadedFile("x.pdf", b"<html>", "application/pdf")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()[f"files_{setup.manual.pk}"] == ["文件类型不被接受。"]
    assert "只接受 PDF、JPG、PNG" in bad.json()["detail"]
    ok = client.post(
        url, {f"files_{setup.manual.pk}": pdf("api.pdf", b"api"), "note": "补"}, format="multipart"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "submitted"
    assert ApplicationMaterial.objects.filter(application=case.application, original_name="api.pdf").exists()


def test_uploads_are_rate_limited_per_user(setup, settings):
    settings.PORTAL_RATELIMITS = {"upload": "2/h"}
    url = f"/cases/{setup.correction_case.reference}/do/supply/"
    client = page_client(setup.citizen)
    statuses = [
        client.post(
            url, {f"files_{setup.manual.pk}": SimpleUploadedFile("x.pdf", b"bad", "application/pdf")}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert ApplicationMaterial.objects.filter(original_name="x.pdf").count() == 0
