"""ClamAV adapter for the upload virus-scan hook: clamd's INSTREAM command over TCP (``CLAMD_URL =
tcp://host:3310``) or a Unix socket (``unix:///run/clamav/clamd.ctl``).

The file goes in chunks, each prefixed by its length (4 bytes, network order), ended by a zero-length
chunk; clamd answers ``stream: OK`` or ``stream: <signature> FOUND``. An infected file is refused (400);
when clamd cannot be reached or answers anything else the upload is refused too (503, "try again later"):
a scanner that is configured but down never lets files through unscanned."""

from __future__ import annotations

import logging
import socket
import struct
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


class ScannerUnavailable(ApplicationError):
    status_code = 503


def _connect(url: str, timeout: float) -> socket.socket:
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(parsed.path)
        return sock
    if parsed.scheme == "tcp":
        return socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 3310), timeout=timeout
        )
    raise ValueError(f"CLAMD_URL must be tcp://host:port or unix:///path, not {url!r}")


def instream(data_chunks: Any, *, url: str | None = None, timeout: float | None = None) -> str:
    """Send the chunks to clamd with INSTREAM; return its answer (``stream: OK`` …)."""
    url = url or settings.CLAMD_URL
    timeout = timeout if timeout is not None else getattr(settings, "CLAMD_TIMEOUT", 30.0)
    with _connect(url, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        for chunk in data_chunks:
            for start in range(0, len(chunk), CHUNK):
                piece = chunk[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(piece)) + piece)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            more = sock.recv(4096)
            if not more:
                break
            answer += more
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(upload: Any) -> None:
    """The UPLOAD_SCANNER callable: refuse an infected file, and any file while clamd is unreachable."""
    upload.seek(0)
    chunks = upload.chunks() if hasattr(upload, "chunks") else [upload.read()]
    try:
        answer = instream(chunks)
    except (OSError, ValueError) as exc:
        log.error("virus scanner unreachable (%s): upload refused", exc)
        raise ScannerUnavailable(
            _("暂时无法完成文件安全检查，请稍后再上传。"), extra={"detail_code": "scanner_unavailable"}
        ) from exc
    finally:
        upload.seek(0)
    if answer.endswith("FOUND"):
        log.warning("virus scanner refused an upload: %s", answer)
        raise ApplicationError(
            _("文件未通过病毒检查，已拒绝。"), extra={"file": [_("文件含有病毒或恶意代码。")]}
        )
    if not answer.endswith("OK"):
        log.error("virus scanner answered %r: upload refused", answer)
        raise ScannerUnavailable(_("暂时无法完成文件安全检查，请稍后再上传。"))


def check_scanner(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """``check --deploy``: uploads are virus-scanned in production (CLAMD_URL, or another UPLOAD_SCANNER)."""
    from django.core.checks import Warning as CheckWarning

    scanner = getattr(settings, "UPLOAD_SCANNER", "") or "intake.services.uploads.no_scan"
    if getattr(settings, "CLAMD_URL", "") or scanner != "intake.services.uploads.no_scan":
        return []
    return [
        CheckWarning(
            "No virus scanner is configured: uploaded materials and complaint attachments are stored "
            "unscanned.",
            hint="Set CLAMD_URL (tcp://clamav:3310 or unix:///run/clamav/clamd.ctl) or UPLOAD_SCANNER.",
            id="portal.W017",
        )
    ]
