"""SMS gateways behind one interface. ``settings.SMS_BACKEND`` picks one. The notification outbox
(portal/notifications) and the SMS sign-in codes (portal/accounts) both send through them, so they sit
below both kernel apps.

Every send carries the delivery's idempotency key; a gateway must not send the same key twice. The
file gateway (development and tests) enforces it with an atomic exclusive create of one file per key;
real providers take the key as a request id and drop duplicates (the HTTP adapter sends it as
``Idempotency-Key``)."""

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

# Long texts are split by the carrier into segments, each billed and each a chance to arrive out of order:
# 70 characters in one message with any Chinese character (UCS-2), 67 a segment once split; 160 / 153 for
# plain GSM text. No message goes past SMS_MAX_SEGMENTS (a correction list of 5000 lines made one SMS of
# 43,935 characters, issue 17): the rest is cut and the reader is sent to the portal, where all of it is.
SMS_MAX_SEGMENTS_DEFAULT = 4
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
MORE_ON_THE_PORTAL = "…（详见政务服务网）"


def sms_segments(text: str) -> int:
    """How many segments the carrier bills for ``text``."""
    if not text:
        return 1
    single, multi = (160, 153) if set(text) <= GSM_BASIC else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)


def sms_fit(text: str, max_segments: int | None = None) -> str:
    """``text`` cut to at most ``max_segments`` segments (settings.SMS_MAX_SEGMENTS), with a pointer to
    the portal when something was cut."""
    configured: int = getattr(settings, "SMS_MAX_SEGMENTS", SMS_MAX_SEGMENTS_DEFAULT)
    limit = max_segments if max_segments is not None else configured
    if sms_segments(text) <= limit:
        return text
    room = (70 if limit == 1 else 67 * limit) - len(MORE_ON_THE_PORTAL)
    return text[:room].rstrip() + MORE_ON_THE_PORTAL


class GatewayError(Exception):
    """A send that failed and may be retried."""


@dataclass(frozen=True)
class ProviderAnswer:
    ok: bool
    detail: str
    duplicate: bool = False


class SmsGateway:
    def send(self, *, phone: str, text: str, idempotency_key: str) -> ProviderAnswer:
        raise NotImplementedError


class FileSmsGateway(SmsGateway):
    """Writes each message to ``SMS_FILE_DIR/messages/<key>.json`` (exclusive create: a key is sent at most
    once, across processes) and appends a line to ``outbox.jsonl`` for people to read."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.SMS_FILE_DIR)

    def send(self, *, phone: str, text: str, idempotency_key: str) -> ProviderAnswer:
        messages = self.directory / "messages"
        messages.mkdir(parents=True, exist_ok=True)
        record = {
            "key": idempotency_key,
            "phone": phone,
            "text": text,
            "at": timezone.now().isoformat(),
            "pid": os.getpid(),
        }
        final = messages / f"{idempotency_key.replace(':', '_')}.json"
        if final.exists():
            return ProviderAnswer(ok=True, detail="duplicate key: already sent", duplicate=True)
        # Write the whole message to a temporary file, then link it to its key's name: link() fails if
        # the name exists, so a key is sent at most once, and a message is never seen half-written.
        tmp = messages / f".{final.name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, final)
        except FileExistsError:
            return ProviderAnswer(ok=True, detail="duplicate key: already sent", duplicate=True)
        finally:
            tmp.unlink(missing_ok=True)
        # A human-readable log beside it (not the record of what was sent: a crash may skip a line).
        with open(self.directory / "outbox.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
        return ProviderAnswer(ok=True, detail=f"stored {idempotency_key}")

    def sent_keys(self) -> list[str]:
        messages = self.directory / "messages"
        return sorted(p.stem for p in messages.glob("*.json")) if messages.exists() else []


class HttpSmsGateway(SmsGateway):
    """POST JSON to a provider: ``{"phone", "text"}`` with ``Authorization: Bearer`` and ``Idempotency-Key``."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 5.0) -> None:
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout

    def send(self, *, phone: str, text: str, idempotency_key: str) -> ProviderAnswer:
        if not self.url:
            raise GatewayError("SMS_HTTP_URL is not configured")
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting, https in production)
            self.url,
            data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": idempotency_key,
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return ProviderAnswer(ok=True, detail=response.read(500).decode(errors="replace"))
        except urllib.error.HTTPError as exc:
            if exc.code == 409:
                return ProviderAnswer(ok=True, detail="duplicate key: already sent", duplicate=True)
            raise GatewayError(
                f"provider answered {exc.code}: {exc.read(200).decode(errors='replace')}"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(f"provider unreachable: {exc}") from exc


def get_sms_gateway() -> Any:
    return import_string(settings.SMS_BACKEND)()
