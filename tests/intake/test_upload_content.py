"""Uploads are checked for what they are, not what they start with (issue 17, failure 2): PDFs parsed,
nothing after %%EOF, no scripts, actions or embedded files; images decoded and stored re-encoded; the
shown/downloaded name rebuilt from the checked type; ClamAV over clamd's INSTREAM protocol; and
`check --deploy` warns while no scanner is configured."""

import io
import socket
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from intake.models import ApplicationMaterial
from intake.services.applications import application_add_material, application_create_draft
from portal.clamav import check_scanner
from portal.exceptions import ApplicationError
from tests.factories import ItemFactory, MaterialFactory, citizen
from tests.files import PDF, PNG

pytestmark = pytest.mark.django_db
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft():
    item = ItemFactory(code="UP-2", name="排污许可")
    item.m_a = MaterialFactory(item=item, name="申请书")
    owner = citizen()
    return application_create_draft(item=item, applicant=owner, actor=owner)


def add(app, name, content):
    return application_add_material(
        application=app, material=app.item.m_a, upload=SimpleUploadedFile(name, content), actor=app.applicant
    )


def pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def refused(app, name, content, media) -> str:
    with pytest.raises(ApplicationError) as exc:
        add(app, name, content)
    assert ApplicationMaterial.objects.count() == 0
    assert not [p for p in media.rglob("*") if p.is_file()], "a refused file was stored"
    return exc.value.message


POLYGLOT = b"%PDF-1.4\n<html><script>fetch('/api/v1/cases/').then(r=>r.text()).then(alert)</script></html>"


def handmade_pdf(catalog_extra: bytes = b"") -> bytes:
    """A real one-page PDF whose catalog carries ``catalog_extra`` (an action, a name tree …)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


@pytest.mark.parametrize(
    "name,content",
    [
        ("report.html", POLYGLOT),  # the polyglot: %PDF-1.4, then a page
        ("report.pdf", PDF + b"<html><script>alert(1)</script></html>"),  # a real PDF with a page after it
        ("js.pdf", handmade_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
        ("launch.pdf", handmade_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>")),
        (
            "names.pdf",
            handmade_pdf(b"/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (1) >>] >> >>"),
        ),
        ("hidden.pdf", handmade_pdf(b"/Names << /J#61vaScript << /Names [] >> >>")),
        ("aa.pdf", handmade_pdf(b"/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>")),
        ("attach.pdf", pdf_with(lambda w: w.add_attachment("run.exe", b"MZ..."))),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # the magic bytes, no picture
    ],
)
def test_files_that_only_start_right_are_refused_and_nothing_is_stored(draft, media, name, content):
    assert "文件内容不符合要求" in refused(draft, name, content, media)


def test_a_pdf_that_opens_at_a_page_is_fine(draft):
    """Word and most tools write /OpenAction [page /FitH]: a destination, not an action."""
    assert handmade_pdf() != PDF
    row = add(draft, "word.pdf", handmade_pdf(b"/OpenAction [3 0 R /FitH 0]"))
    assert row.content_type == "application/pdf"


def test_a_bidi_name_is_stored_under_the_real_types_extension(draft, client):
    row = add(draft, "invoice\u202efdp.exe", PDF)
    assert row.original_name == "invoicefdp.pdf" and row.extension == ".pdf"
    client.force_login(draft.applicant)
    r = client.get(f"/materials/{row.pk}/")
    assert r.status_code == 200
    assert "invoicefdp.pdf" in r["Content-Disposition"] and "\u202e" not in r["Content-Disposition"]
    assert ".exe" not in r["Content-Disposition"]


def test_images_are_stored_re_encoded_without_what_rode_along(draft):
    image = Image.new("RGB", (16, 16), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010E] = "GPS 26.07N 119.30E, 张三 身份证 11010519491231002X"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    uploaded = out.getvalue() + b"<html><script>alert(1)</script></html>"
    row = add(draft, "photo.jpg", uploaded)
    stored = row.file.read()
    assert stored != uploaded and b"<script>" not in stored and "张三".encode() not in stored
    assert b"11010519491231002X" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert again.size == (16, 16) and not again.getexif()
    png = add(draft, "scan.png", PNG + b"trailing")
    assert png.file.read().endswith(b"IEND\xaeB`\x82")


class FakeClamd:
    """Speaks clamd's INSTREAM: length-prefixed chunks, then the verdict (EICAR is a virus)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.received = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    header = b""
                    while len(header) < 4:
                        header += conn.recv(4 - len(header))
                    (length,) = struct.unpack("!L", header)
                    if length == 0:
                        break
                    chunk = b""
                    while len(chunk) < length:
                        chunk += conn.recv(length - len(chunk))
                    data += chunk
                self.received.append(data)
                verdict = b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0"
                conn.sendall(verdict)

    def close(self):
        self.sock.close()


def test_clamav_scans_every_upload_over_instream_and_refuses_a_virus(draft, media, settings):
    clamd = FakeClamd()
    settings.CLAMD_URL = f"tcp://127.0.0.1:{clamd.port}"
    try:
        row = add(draft, "clean.pdf", PDF)
        assert clamd.received == [PDF] and row.pk
        infected = PDF.replace(b"startxref", b"%" + EICAR + b"\nstartxref")
        with pytest.raises(ApplicationError) as exc:
            add(draft, "b.pdf", infected)
        assert "病毒" in exc.value.message and exc.value.status_code == 400
    finally:
        clamd.close()
    assert ApplicationMaterial.objects.count() == 1


def test_a_configured_scanner_that_is_down_refuses_uploads_with_a_503(draft, media, settings):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    settings.CLAMD_URL = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ApplicationError) as exc:
        add(draft, "a.pdf", PDF)
    assert exc.value.status_code == 503 and "稍后" in exc.value.message
    assert ApplicationMaterial.objects.count() == 0


def test_check_deploy_warns_without_a_scanner(settings):
    settings.CLAMD_URL = ""
    settings.UPLOAD_SCANNER = "intake.services.uploads.no_scan"
    assert [w.id for w in check_scanner()] == ["portal.W017"]
    settings.CLAMD_URL = "tcp://clamav:3310"
    assert check_scanner() == []


def test_a_pdf_with_long_metadata_is_accepted_and_one_with_a_script_still_refused():
    """A one-page PDF with a 2,000-character subject and a title with escaped parentheses passes the
    check; the same PDF with a JavaScript open action is refused."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    from intake.services.uploads import Refused, check_pdf

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": "x" * 2000, "/Title": "Report (2026) \\ draft)"})
    out = io.BytesIO()
    writer.write(out)
    assert rb"draft\051)" in out.getvalue()
    check_pdf(out.getvalue())
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(Refused):
        check_pdf(out.getvalue())
