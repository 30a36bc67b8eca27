"""Uploaded materials: size limit, type by content (magic bytes), random stored names outside the web
root, sha256, and a virus-scan hook (``settings.UPLOAD_SCANNER``)."""

import hashlib
import secrets
from typing import Any

import filetype
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

# Detected MIME type → stored extension. Anything else is refused, whatever its name says.
ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def no_scan(upload: Any) -> None:
    """The default scanner: accepts everything. Production points UPLOAD_SCANNER at a ClamAV adapter."""


def clean_name(name: str) -> str:
    """Keep only the last path part, without control characters; for display only."""
    base = str(name).replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return base[:150] or "file"


def unsafe_name(name: str) -> bool:
    """A name with a directory part (``../x.pdf``, ``/etc/x``, ``C:\\x``), a NUL or another control character.
    Django's multipart parser already cuts such names down to their last part before a view sees them;
    a caller that hands the service a raw name (an import, a script) is refused here."""
    name = str(name)
    return (
        any(sep in name for sep in ("/", "\\"))
        or name in ("", ".", "..")
        or (len(name) > 1 and name[1] == ":")
        or any(not ch.isprintable() for ch in name)
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
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    import_string(getattr(settings, "UPLOAD_SCANNER", "intake.services.uploads.no_scan"))(upload)
    facts = {
        "content_type": mime,
        "extension": ALLOWED_TYPES[mime],
        "size": size,
        "sha256": digest.hexdigest(),
        "original_name": clean_name(getattr(upload, "name", "file")),
        "token": secrets.token_hex(16),
    }
    setattr(upload, _FACTS, facts)
    return facts


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
