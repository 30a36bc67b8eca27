"""Uploads: checked by content, stored under random names outside the web root, scanned, and served only
through the permission-checked download view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.models import ApplicationMaterial
from intake.services.applications import application_add_material, application_create_draft
from intake.services.uploads import clean_name
from portal.exceptions import ApplicationError
from tests.factories import DepartmentFactory, ItemFactory, MaterialFactory, citizen, staff
from tests.files import JPEG, PDF, PNG

pytestmark = pytest.mark.django_db


def infected(upload):
    """A test scanner: everything containing the EICAR marker is infected."""
    upload.seek(0)
    if b"EICAR" in upload.read():
        raise ApplicationError("文件未通过病毒检测，请检查后重新上传。", extra={"file": ["检测到病毒。"]})
    upload.seek(0)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft():
    item = ItemFactory(code="UP-1", name="排污许可")
    item.m_a = MaterialFactory(item=item, name="申请书")
    item.m_b = MaterialFactory(item=item, name="监测报告")
    owner = citizen()
    return application_create_draft(item=item, applicant=owner, actor=owner)


def files(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def add(app, material, name, content):
    return application_add_material(
        application=app, material=material, upload=SimpleUploadedFile(name, content), actor=app.applicant
    )


@pytest.mark.parametrize(
    "name,content,ext,mime,shown",
    [
        ("scan.pdf", PDF, ".pdf", "application/pdf", "scan.pdf"),
        ("photo.pdf", PNG, ".png", "image/png", "photo.png"),
        ("证件", JPEG, ".jpg", "image/jpeg", "证件.jpg"),
        ("evil.exe", PDF, ".pdf", "application/pdf", "evil.pdf"),
    ],
)
def test_the_type_and_extension_come_from_the_content_never_the_name(
    draft, media, name, content, ext, mime, shown
):
    row = add(draft, draft.item.m_a, name, content)
    assert (row.extension, row.content_type) == (ext, mime)
    assert row.file.name == f"applications/{row.token[:2]}/{row.token}{ext}"
    assert len(row.token) == 32 and row.size == row.file.size and len(row.sha256) == 64
    assert files(media) == [media / row.file.name]
    assert row.original_name == shown  # the name shown and downloaded carries the real type's extension


@pytest.mark.parametrize(
    "name,content,settings_value,message",
    [
        ("a.pdf", b"", None, "空"),
        ("a.pdf", b"MZ\x90\x00 a program", None, "只接受 PDF、JPG、PNG"),
        ("a.pdf", b"<html><script>alert(1)</script>", None, "只接受 PDF、JPG、PNG"),
        ("big.pdf", PDF + b"0" * 4096, 1024, "文件过大"),
        (
            "a.pdf",
            PDF.replace(b"startxref", b"%EICAR\nstartxref"),
            "tests.intake.test_uploads.infected",
            "病毒",
        ),
    ],
)
def test_every_rejection_is_a_clear_message_and_stores_nothing(
    draft, media, settings, name, content, settings_value, message
):
    if settings_value == 1024:
        settings.UPLOAD_MAX_BYTES = 1024
    elif settings_value:
        settings.UPLOAD_SCANNER = settings_value
    with pytest.raises(ApplicationError) as exc:
        add(draft, draft.item.m_a, name, content)
    assert message in exc.value.message
    assert ApplicationMaterial.objects.count() == 0 and files(media) == []


def test_the_scanner_hook_passes_clean_files(draft, settings):
    settings.UPLOAD_SCANNER = "tests.intake.test_uploads.infected"
    assert add(draft, draft.item.m_a, "a.pdf", PDF).pk


def test_the_same_file_twice_for_one_material_is_refused(draft, media):
    add(draft, draft.item.m_a, "a.pdf", PDF)
    with pytest.raises(ApplicationError) as exc:
        add(draft, draft.item.m_a, "copy.pdf", PDF)
    assert "已经上传过" in exc.value.message
    add(draft, draft.item.m_b, "a.pdf", PDF)  # another material may use the same file
    assert ApplicationMaterial.objects.count() == 2 and len(files(media)) == 2


def test_a_material_of_another_item_is_refused(draft):
    with pytest.raises(ApplicationError):
        add(draft, MaterialFactory(), "a.pdf", PDF)


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\身份证.jpg", "身份证.jpg"),
        ("a<b>:c.pdf", "abc.pdf"),
        ("..", "file"),
        ("x\x00y\n.pdf", "xy.pdf"),
    ],
)
def test_original_names_are_sanitised_for_display(raw, shown):
    assert clean_name(raw) == shown


def test_removing_a_file_deletes_it_on_commit(client, draft, media, django_capture_on_commit_callbacks):
    row = add(draft, draft.item.m_a, "a.pdf", PDF)
    client.force_login(draft.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:draft_edit", args=[draft.pk]), {"remove": row.pk})
    assert ApplicationMaterial.objects.count() == 0 and files(media) == []


def test_an_upload_page_rejection_shows_the_message_and_keeps_nothing(client, draft, media):
    client.force_login(draft.applicant)
    r = client.post(
        reverse("intake:draft_edit", args=[draft.pk]),
        {
            "mode": "promised",
            "contact_phone": "13912345678",
            f"material_{draft.item.m_a.pk}": SimpleUploadedFile("a.pdf", b"GIF89a not allowed"),
        },
    )
    assert r.status_code == 400 and "文件类型不被接受" in r.content.decode()
    assert files(media) == []


# --- download ------------------------------------------------------------------------------------


def test_download_by_the_owner_is_an_attachment_with_nosniff(client, draft):
    row = add(draft, draft.item.m_a, "申请书.pdf", PDF)
    client.force_login(draft.applicant)
    r = client.get(reverse("intake:material_download", args=[row.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff" and r["Content-Type"] == "application/pdf"


def test_who_may_download(client, draft):
    row = add(draft, draft.item.m_a, "a.pdf", PDF)
    url = reverse("intake:material_download", args=[row.pk])
    own_dept = draft.item.department
    co_dept, other_dept = DepartmentFactory(), DepartmentFactory()
    draft.item.co_departments.add(co_dept)
    allowed = [
        staff("clerk"),
        staff("inspector"),
        staff("reviewer", own_dept),
        staff("decider", co_dept),
        staff("head", own_dept),
    ]
    refused = [
        citizen(username="other", id_number="110101199003070011"),
        staff("reviewer", other_dept),
        staff("decider", other_dept),
        staff("catalogue_admin", own_dept),
        staff("reviewer"),
    ]
    for user in allowed:
        client.force_login(user)
        assert client.get(url).status_code == 200, user.role_names()
    for user in refused:
        client.force_login(user)
        assert client.get(url).status_code == 404, user.role_names()
    assert client.get(reverse("intake:material_download", args=[row.pk + 999])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page, never the file


def test_files_live_outside_the_web_root(client, draft):
    """No URL serves MEDIA_ROOT: the stored path answers 404 even for the owner; only the view serves it."""
    from django.conf import settings

    row = add(draft, draft.item.m_a, "a.pdf", PDF)
    assert settings.MEDIA_URL is None
    client.force_login(draft.applicant)
    assert client.get("/" + row.file.name).status_code == 404
    assert client.get("/media/" + row.file.name).status_code == 404
