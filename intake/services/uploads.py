"""Uploaded materials: size limit, type by content, random stored names outside the web root, sha256, and a
virus-scan hook (``settings.UPLOAD_SCANNER``; ``CLAMD_URL`` turns on the ClamAV adapter, portal/clamav.py).

A file is checked for what it is, not what it starts with (issue 17): a PDF must parse (pypdf), end at its
last ``%%EOF`` (a PDF/HTML polyglot appends a page after it) and carry no JavaScript, automatic action,
launch action or embedded file; an image must decode (Pillow) and is stored re-encoded, without whatever
rode along (metadata, appended data). The name shown and downloaded is rebuilt from the checked type:
no bidi or control characters, the real type's extension (``invoice\u202efdp.exe`` → ``invoicefdp.pdf``)."""

import hashlib
import io
import re
import secrets
import unicodedata
import warnings
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

# Detected MIME type → stored extension. Anything else is refused, whatever its name says.
ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def no_scan(upload: Any) -> None:
    """The default scanner: accepts everything. Production sets CLAMD_URL (portal/clamav.py); `check
    --deploy` warns while neither it nor another UPLOAD_SCANNER is configured."""


def clean_name(name: str) -> str:
    """Keep only the last path part, without control, format (bidi overrides, zero-width) or other
    invisible characters; for display only."""
    base = str(name).replace("\\", "/").split("/")[-1]
    base = "".join(
        ch
        for ch in unicodedata.normalize("NFC", base)
        if ch.isprintable() and unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*'
    ).strip(" .")
    return base[:150] or "file"


CLAIMED_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def display_name(name: str, extension: str) -> str:
    """The name a file is shown and downloaded under: cleaned, its claimed extension replaced by the one of
    the type it was checked to be."""
    stem = clean_name(name)
    while CLAIMED_EXTENSION.search(stem):
        stem = CLAIMED_EXTENSION.sub("", stem).rstrip(" .")
    return f"{(stem or 'file')[:140]}{extension}"


# PDF names that run something or carry a file: refused wherever they appear (Catalog, pages, annotations,
# actions), also when spelled with #xx escapes.
PDF_FORBIDDEN = {
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
}
PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
PDF_TRAILING = re.compile(rb"%%EOF[\s\x00]*$")
IMAGE_MAX_PIXELS = 40_000_000


class Refused(Exception):
    pass


def _pdf_names_in(data: bytes) -> set[str]:
    names = set()
    for raw in PDF_NAME.findall(data):
        names.add(
            re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
        )
    return names


def _walk_pdf(value: Any, depth: int = 0) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if depth > 50:
        raise Refused("nested too deep")
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if str(key) == "/OpenAction":
                # Word and most tools open at a page ([3 0 R /FitH]): a destination is fine, an action not
                target = item.get_object()
                if not isinstance(target, ArrayObject) and str(target.get("/S", "")) != "/GoTo":
                    raise Refused("/OpenAction")
                continue
            if str(key) in PDF_FORBIDDEN:
                raise Refused(str(key))
            if str(key) == "/S" and isinstance(item, NameObject) and str(item) in PDF_FORBIDDEN:
                raise Refused(str(item))
            if not hasattr(item, "idnum"):  # indirect objects are walked on their own
                _walk_pdf(item, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            if not hasattr(item, "idnum"):
                _walk_pdf(item, depth + 1)


def check_pdf(data: bytes) -> None:
    """Raise Refused unless ``data`` is one PDF and nothing else, with no active content."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    if not PDF_TRAILING.search(data[-1024:]):
        raise Refused("data after %%EOF")
    if _pdf_names_in(data) & (PDF_FORBIDDEN - {"/OpenAction"}):
        raise Refused("active content")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Refused("encrypted")
            if len(reader.pages) < 1:
                raise Refused("no page")
            ids = {(num, gen) for gen, table in reader.xref.items() for num in table}
            ids |= {(num, 0) for num in reader.xref_objStm}
            for num, gen in sorted(ids):
                _walk_pdf(reader.get_object(IndirectObject(num, gen, reader)))
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error: not a PDF we accept
        raise Refused(f"unreadable: {exc}") from exc


def reencode_image(data: bytes, mime: str) -> bytes:
    """Decode the image and encode it again (same format, no metadata): what is stored is pixels only."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > IMAGE_MAX_PIXELS:
                    raise Refused("too many pixels")
                opened.load()
                image = ImageOps.exif_transpose(opened)
                out = io.BytesIO()
                if mime == "image/png":
                    keep = (
                        image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA")
                    )
                    keep.save(out, format="PNG", optimize=True)
                else:
                    keep = image if image.mode in ("L", "RGB") else image.convert("RGB")
                    keep.save(out, format="JPEG", quality=90)
                return out.getvalue()
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow's many decode errors
        raise Refused(f"undecodable: {exc}") from exc


def stored_file(upload: Any, facts: dict[str, Any]) -> Any:
    """What to write to storage for a checked upload: the re-encoded image, or the upload itself."""
    content = facts.get("content")
    if content is not None:
        return ContentFile(content)
    upload.seek(0)
    return upload


def unsafe_name(name: str) -> bool:
    """A name with a directory part (``../x.pdf``, ``/etc/x``, ``C:\\x``), a NUL or another control character.
    Django's multipart parser already cuts such names down to their last part before a view sees them;
    a caller that hands the service a raw name (an import, a script) is refused here."""
    name = str(name)
    return (
        any(sep in name for sep in ("/", "\\"))
        or name in ("", ".", "..")
        or (len(name) > 1 and name[1] == ":")
        or any(unicodedata.category(ch) == "Cc" for ch in name)  # format characters (bidi) are cleaned
    )


# The facts of an upload that passed, kept on the upload object: a submission is checked as a whole first
# (inspect_batch) and each file is stored afterwards (which asks for its facts again); reading, hashing and
# virus-scanning the same file twice would be wasted.
_FACTS = "_portal_upload_facts"


def inspect_upload(upload: Any, *, field: str = "file") -> dict[str, Any]:
    """Check one uploaded file; return its facts or raise ApplicationError with a field message. A file that
    has passed is not checked again: the same facts come back."""
    known: dict[str, Any] | None = getattr(upload, _FACTS, None)
    if known is not None:
        return known
    if unsafe_name(getattr(upload, "name", "") or ""):
        raise ApplicationError(
            _("文件名不合法：不能包含路径或控制字符，请改名后重新上传。"),
            extra={field: [_("文件名不合法。")]},
        )
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ApplicationError(_("文件是空的，请重新选择。"), extra={field: [_("不能上传空文件。")]})
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise ApplicationError(
            _("文件过大：最大 %(mb)s MB。") % {"mb": limit // (1024 * 1024)},
            extra={field: [_("文件超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)}]},
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED_TYPES:
        raise ApplicationError(
            _("只接受 PDF、JPG、PNG 文件（按文件内容判断，与扩展名无关）。"),
            extra={field: [_("文件类型不被接受。")]},
        )
    upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    upload.seek(0)
    content: bytes | None = None
    try:
        if mime == "application/pdf":
            check_pdf(data)
        else:
            content = reencode_image(data, mime)
    except Refused:
        raise ApplicationError(
            _("文件内容不符合要求：PDF须为完整的单个文件，不含脚本、自动操作或附件；图片须能正常打开。"),
            extra={field: [_("文件内容不被接受，请另存为普通的PDF或图片后重新上传。")]},
        ) from None
    import_string(scanner_path())(upload)
    stored = content if content is not None else data
    facts = {
        "content_type": mime,
        "extension": ALLOWED_TYPES[mime],
        "size": len(stored),
        "sha256": hashlib.sha256(stored).hexdigest(),
        "original_name": display_name(getattr(upload, "name", "file"), ALLOWED_TYPES[mime]),
        "token": secrets.token_hex(16),
        "content": content,
    }
    setattr(upload, _FACTS, facts)
    return facts


def scanner_path() -> str:
    """The virus scanner: UPLOAD_SCANNER if set, else ClamAV when CLAMD_URL is set, else none."""
    configured = getattr(settings, "UPLOAD_SCANNER", "") or ""
    if configured and configured != "intake.services.uploads.no_scan":
        return configured
    if getattr(settings, "CLAMD_URL", ""):
        return "portal.clamav.scan"
    return "intake.services.uploads.no_scan"


def inspect_batch(uploads: list[tuple[str, Any]]) -> dict[str, list[str]]:
    """Check every file of one submission before any is stored: each file on its own, and no two files with
    the same name (a second "scan.pdf" is almost always the wrong file picked twice). Returns the field
    errors; empty when all are acceptable."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for field, upload in uploads:
        try:
            inspect_upload(upload, field=field)
        except ApplicationError as exc:
            for key, messages in exc.extra.items():
                errors.setdefault(key, []).extend(messages)
            continue
        name = clean_name(getattr(upload, "name", "file")).casefold()
        if name in seen:
            errors.setdefault(field, []).append(
                _("本次提交中有两个同名文件“%(name)s”，请改名或删去其中一个后重新上传。")
                % {"name": clean_name(getattr(upload, "name", "file"))}
            )
        seen.add(name)
    return errors
