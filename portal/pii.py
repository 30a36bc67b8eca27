"""Personal data (PIPL): resident ID numbers encrypted at rest, a keyed hash for exact look-ups, and masking
of ID numbers in log records.

Storage. A model keeps two columns per protected value and an explicit property over them::

    id_number_encrypted = models.TextField(blank=True, default="", editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    id_number = pii.encrypted_property("id_number_encrypted", "id_number_hash")

``user.id_number = "11010519491231002x"`` stores a Fernet token (AES-128-CBC + HMAC-SHA256, authenticated)
in the first column and HMAC-SHA256 of the normalised value (stripped, upper case) in the second; reading
``user.id_number`` decrypts. The property is accepted as a constructor keyword (``User(id_number=…)``).
Look-ups go through the hash only: ``User.objects.filter(id_number_hash__in=pii.lookup_hashes(number))``;
``filter(id_number=…)`` and ``save(update_fields=["id_number"])`` fail loudly (there is no such column).
An empty value stores empty strings in both columns.

Keys. Both keys are derived with HKDF-SHA256 from one master secret, ``settings.PII_ENCRYPTION_KEY`` (the
environment variable of that name), with different ``info`` labels, so the look-up hash cannot be turned
into the encryption key or the other way round. Without ``PII_ENCRYPTION_KEY`` the master secret falls back
to ``SECRET_KEY`` only in development: when ``DEBUG`` is on or ``SECRET_KEY`` is still Django's
``django-insecure-`` placeholder (which ``check --deploy`` rejects). Anywhere else the first use raises
``ImproperlyConfigured``, and ``check --deploy`` reports the missing key (``portal.E001``). Changing the
master secret makes stored numbers unreadable: keep it with the database backups.

Rotation. Put the new secret in ``PII_ENCRYPTION_KEY`` and the former one in ``PII_ENCRYPTION_OLD_KEYS``,
run ``manage.py rotate_pii_key`` (re-encrypts and re-hashes every row, in batches), then drop the old key.
While old keys are configured, values decrypt with any of them and ``lookup_hashes`` finds rows under any.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.log import AdminEmailHandler
from pythonjsonlogger.json import JsonFormatter

_ENC_INFO = b"one-window-portal pii encryption v1"
_HASH_INFO = b"one-window-portal pii lookup hash v1"
_SALT = b"one-window-portal pii"


class DecryptionError(Exception):
    """A stored value cannot be decrypted with the configured key (wrong key, or tampered data)."""


def _master_secret() -> bytes:
    key = getattr(settings, "PII_ENCRYPTION_KEY", "") or ""
    if key:
        return key.encode()
    if settings.DEBUG or settings.SECRET_KEY.startswith("django-insecure-"):
        return b"dev-fallback:" + settings.SECRET_KEY.encode()
    raise ImproperlyConfigured(
        "PII_ENCRYPTION_KEY is not set: resident ID numbers are stored encrypted and need a dedicated key "
        "outside development (see .env.example)."
    )


@functools.lru_cache(maxsize=4)
def _keys(master: bytes) -> tuple[Fernet, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(master)

    return Fernet(base64.urlsafe_b64encode(derive(_ENC_INFO))), derive(_HASH_INFO)


def _fernet() -> Fernet:
    return _keys(_master_secret())[0]


def _old_masters() -> list[bytes]:
    """Former master secrets (``PII_ENCRYPTION_OLD_KEYS``), kept only while ``rotate_pii_key`` runs."""
    return [k.encode() for k in getattr(settings, "PII_ENCRYPTION_OLD_KEYS", []) or [] if k]


def _keyring() -> MultiFernet:
    """The current key first (it encrypts), then each former key: decrypts and rotates tokens of any."""
    return MultiFernet([_fernet(), *(_keys(master)[0] for master in _old_masters())])


def _hmac(master: bytes, value: str) -> str:
    return hmac.new(_keys(master)[1], value.encode(), hashlib.sha256).hexdigest()


def normalise(value: str | None) -> str:
    return (value or "").strip().upper()


def encrypt(value: str | None) -> str:
    """The Fernet token of the value (text), or "" for an empty value."""
    value = value or ""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str | None) -> str:
    if not token:
        return ""
    try:
        return _keyring().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise DecryptionError(
            "a stored personal-data value cannot be decrypted with PII_ENCRYPTION_KEY"
        ) from None


def lookup_hash(value: str | None) -> str:
    """HMAC-SHA256 (hex) of the normalised value with the look-up key, or "" for an empty value."""
    value = normalise(value)
    if not value:
        return ""
    return _hmac(_master_secret(), value)


def lookup_hashes(value: str | None) -> list[str]:
    """The value's look-up hash under the current key and under each former key: filter with
    ``id_number_hash__in=lookup_hashes(number)`` so rows not yet rotated are still found."""
    value = normalise(value)
    if not value:
        return []
    return [_hmac(master, value) for master in (_master_secret(), *_old_masters())]


def rotate_token(token: str) -> str:
    """The token re-encrypted under the current key (from the current or a former key)."""
    if not token:
        return ""
    try:
        return _keyring().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError(
            "a stored personal-data value cannot be decrypted with the current or old keys"
        ) from None


def encrypted_fields() -> list[tuple[Any, str, str]]:
    """(model, ciphertext column, hash column) of every encrypted property of every installed model."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for attr in vars(model).values():
            fields = getattr(getattr(attr, "fget", None), "pii_fields", None)
            if isinstance(attr, property) and fields:
                found.append((model, *fields))
    return found


def encrypted_property(cipher_field: str, hash_field: str, *, doc: str = "") -> property:
    """A read/write property over a ciphertext column and its look-up hash column (see the module doc).
    The value is normalised (stripped, upper case) on the way in; the decrypted value is cached on the
    instance for as long as the ciphertext does not change."""
    cache_attr = f"_pii_plain_{cipher_field}"

    def getter(instance: Any) -> str:
        token = getattr(instance, cipher_field)
        cached = instance.__dict__.get(cache_attr)
        if cached is not None and cached[0] == token:
            return cached[1]
        plain = decrypt(token)
        instance.__dict__[cache_attr] = (token, plain)
        return plain

    marked: Any = getter  # the fields behind the property, for the key rotation to find
    marked.pii_fields = (cipher_field, hash_field)

    def setter(instance: Any, value: str | None) -> None:
        plain = normalise(value)
        token = encrypt(plain)
        setattr(instance, cipher_field, token)
        setattr(instance, hash_field, lookup_hash(plain))
        instance.__dict__[cache_attr] = (token, plain)

    return property(getter, setter, doc=doc or f"Decrypted value of {cipher_field}")


# --- logs ------------------------------------------------------------------------------------------

# 17 digits and a digit or X, not part of a longer run of digits (a 19-digit serial is not an ID number)
# nor the decimals of a number (Celery's "0.02451234567895458s"), and with a valid GB 11643 check character:
# a duration or a serial that merely has 18 digits is left alone (issue 17).
RESIDENT_ID_RE = re.compile(r"(?<![\d.])((\d{4})\d{10}(\d{3}[\dXx]))(?![\dXx])")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_valid(number: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def mask_text(text: str) -> str:
    """Every 18-character resident ID number in the text as ``1101**********1234`` (pages, exports)."""
    return RESIDENT_ID_RE.sub(lambda m: m.group(2) + "*" * 10 + m.group(3), text)


def mask_valid_ids(text: str) -> str:
    """For logs: only checksum-valid ID numbers, so a duration or a serial of 18 digits is left alone."""
    return RESIDENT_ID_RE.sub(
        lambda m: m.group(2) + "*" * 10 + m.group(3) if id_checksum_valid(m.group(1)) else m.group(0), text
    )


# Published text (the public page of concluded complaints): what can be told apart reliably by its shape.
MOBILE_RE = re.compile(r"(?<![\dA-Za-z])((?:\+?86[ -]?)?)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\dA-Za-z])")
LANDLINE_RE = re.compile(r"(?<![\dA-Za-z])(\(?0\d{2,3}\)?)[ -]?(\d{3,4})(\d{4})(?![\dA-Za-z])")
# Full-width digits and signs (１３９…, ＋８６, （０１０）) as typed with a Chinese input method: read as ASCII.
FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "＋": "+",
        "－": "-",
        "（": "(",
        "）": ")",
        "Ｘ": "X",
        "ｘ": "x",
    }
)
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)
LONG_NUMBER_RE = re.compile(
    r"(?<![\dA-Za-z])(\d{4})\d{8,11}(\d{4})(?![\dA-Za-z])"
)  # bank cards, 16–19 digits
OLD_RESIDENT_ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{4})\d{8}(\d{3})(?![\dA-Za-z])")  # 15-digit ID cards


def mask_public_text(text: str, *, names: Any = ()) -> str:
    """Text to be published, with personal data masked: resident ID numbers (18 and 15 digits), mobile and
    landline numbers, e-mail addresses, bank card numbers, and each of ``names`` (the people the record
    itself names: complainant, applicant, staff member) as the surname and stars (张三丰 → 张**)."""
    # published text masks every ID-shaped number, valid checksum or not (a mistyped number is still one)
    text = (text or "").translate(FULL_WIDTH)
    text = RESIDENT_ID_RE.sub(lambda m: m.group(2) + "*" * 10 + m.group(3), text)
    text = LONG_NUMBER_RE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    text = OLD_RESIDENT_ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = MOBILE_RE.sub(lambda m: m.group(1) + m.group(2) + "****" + m.group(4), text)
    text = LANDLINE_RE.sub(lambda m: m.group(1) + "-" + "*" * len(m.group(2)) + m.group(3), text)
    text = EMAIL_RE.sub(lambda m: m.group(1) + "***@" + m.group(2), text)
    for name in sorted(
        {str(n).strip() for n in names if n and len(str(n).strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


LOG_MOBILE_RE = re.compile(r"(?<![\d.A-Za-z])(1[3-9]\d)(\d{4})(\d{4})(?![\dA-Za-z])")


def mask_log_text(text: str) -> str:
    """For logs: ID numbers, and mobile numbers as ``139****5678`` (the progress query's phone in a URL)."""
    return LOG_MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), mask_valid_ids(text))


class MaskResidentIdFilter(logging.Filter):
    """Masks resident ID numbers in a log record: its message with the arguments merged in, the formatted
    traceback and the stack. Attached to every handler in ``settings.LOGGING`` (and to Celery's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: mask the parts as they are
            message = f"{record.msg} {record.args!r}"
        masked = mask_log_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_log_text(record.stack_info)
        return True


class MaskingJsonFormatter(JsonFormatter):
    """One JSON object a line (python-json-logger) for production's log collector. The masking filter
    has already masked the message and traceback; the whole line is masked again, so that a resident ID
    number in an ``extra`` field is masked too."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


def json_formatter() -> MaskingJsonFormatter:
    """The JSON formatter of every handler in production: Django's (settings.LOGGING), Celery's
    (portal/celery.py) and gunicorn's (gunicorn.conf.py)."""
    return MaskingJsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


class MaskingAdminEmailHandler(AdminEmailHandler):
    """Django's error e-mail (traceback with local variables) with every resident ID number masked."""

    def send_mail(self, subject: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("html_message"):
            kwargs["html_message"] = mask_text(kwargs["html_message"])
        super().send_mail(mask_text(subject), mask_text(message), *args, **kwargs)


def add_filter_to_handlers(logger: logging.Logger) -> None:
    """Attach the masking filter to every handler of a logger (Celery installs its own handlers)."""
    for handler in logger.handlers:
        if not any(isinstance(f, MaskResidentIdFilter) for f in handler.filters):
            handler.addFilter(MaskResidentIdFilter())


def check_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """``check --deploy``: production has its own PII_ENCRYPTION_KEY (not the SECRET_KEY fallback)."""
    from django.core.checks import Error

    if getattr(settings, "PII_ENCRYPTION_KEY", ""):
        return []
    return [
        Error(
            "PII_ENCRYPTION_KEY is not set: resident ID numbers would be encrypted with a key derived "
            "from SECRET_KEY, or not at all.",
            hint="Set PII_ENCRYPTION_KEY to a long random secret and keep it with the database backups.",
            id="portal.E001",
        )
    ]
