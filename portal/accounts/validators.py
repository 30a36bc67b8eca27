"""Real-name identifiers: resident ID (GB 11643-1999), unified social credit code (GB 32100-2015), mobile."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> None:
    value = (value or "").strip().upper()
    if not _ID_RE.match(value):
        raise ValidationError(_("居民身份证号码应为18位，前17位为数字，最后一位为数字或X。"), code="format")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("居民身份证号码中的出生日期无效。"), code="birthdate") from None
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("居民身份证号码校验位不正确，请核对。"), code="checksum")


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    value = (value or "").strip().upper()
    if not _USCC_RE.match(value):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）。"), code="format"
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="checksum")


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    if not _MOBILE_RE.match((value or "").strip()):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """``110101199003071234`` → ``1101**********1234``; short values are fully starred."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_id_number(value: str) -> str:
    return mask_middle(value, 4, 4)


def mask_phone(value: str) -> str:
    return mask_middle(value, 3, 4)
