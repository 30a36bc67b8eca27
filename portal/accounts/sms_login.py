"""短信验证码登录: sign-in with a one-time code sent to the account's mobile number.

- The code is 6 random digits. Only its keyed hash is kept, in the shared cache (Redis in production),
  for 5 minutes; it is never written to the database, the outbox or a log.
- A code works once; after 5 wrong attempts it is dead even for the right digits.
- Requesting a code answers the same whether or not the number belongs to an account, so the page cannot
  be used to find out who is registered. Only an active applicant account whose mobile number matches
  exactly one account gets a message; staff sign in with their password.
- The SMS goes straight to the configured gateway (``settings.SMS_BACKEND``), not through the notification
  outbox: the outbox stores message bodies in the database and may deliver late, and a sign-in code must
  be neither stored nor late. A gateway failure is logged and the answer stays the same.
- Rate limits (per number, per address, on attempts) are applied by the views (portal/ratelimits.py).
"""

import hashlib
import logging
import secrets

from django.core.cache import cache
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from portal.sms import GatewayError, get_sms_gateway

from .constants import Role
from .models import User

log = logging.getLogger(__name__)

CODE_TTL_SECONDS = 5 * 60
MAX_WRONG_TRIES = 5
_SALT = "portal.accounts.sms_login"


def phone_key(phone: str) -> str:
    """A stable, non-reversible name for a number, for cache keys and rate-limit counters."""
    return hashlib.sha256(f"{_SALT}:{phone}".encode()).hexdigest()[:32]


def _code_hash(phone: str, code: str) -> str:
    return salted_hmac(_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


def _keys(phone: str) -> tuple[str, str]:
    name = phone_key(phone)
    return f"sms-login:code:{name}", f"sms-login:tries:{name}"


def sms_login_user(*, phone: str) -> User | None:
    """The one active applicant with this mobile number, or None (unknown, staff, or shared number)."""
    users = list(
        User.objects.filter(
            phone=phone, is_active=True, groups__name__in=[Role.CITIZEN, Role.ENTERPRISE]
        ).distinct()[:2]
    )
    return users[0] if len(users) == 1 else None


def sms_code_request(*, phone: str) -> None:
    """Issue a new code for ``phone`` and text it, if the number belongs to an applicant; otherwise do
    nothing. The caller answers the same either way. A new code replaces an older one."""
    user = sms_login_user(phone=phone)
    if user is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    code_key, tries_key = _keys(phone)
    cache.set(tries_key, 0, CODE_TTL_SECONDS)
    cache.set(code_key, _code_hash(phone, code), CODE_TTL_SECONDS)
    with translation.override(user.preferred_language or "zh-hans"):
        text = _(
            "【政务服务】您的登录验证码是%(code)s，5分钟内有效，仅可使用一次。工作人员不会向您索要验证码。"
        ) % {"code": code}
    try:
        get_sms_gateway().send(phone=phone, text=text, idempotency_key=f"sms-login:{secrets.token_hex(16)}")
    except (GatewayError, OSError) as exc:
        log.warning("sign-in code for user %s not sent: %s", user.pk, exc)


def sms_code_verify(*, phone: str, code: str) -> User | None:
    """The user signed in by this code, or None. Counts the attempt; the code dies on success (single use)
    and after MAX_WRONG_TRIES wrong attempts."""
    code_key, tries_key = _keys(phone)
    stored = cache.get(code_key)
    if stored is None:
        return None
    try:
        tries = cache.incr(tries_key)  # atomic in Redis: parallel guesses each use up one try
    except ValueError:  # the counter expired with the code
        return None
    if tries > MAX_WRONG_TRIES:
        cache.delete(code_key)
        return None
    if not (code.isdigit() and len(code) == 6 and constant_time_compare(stored, _code_hash(phone, code))):
        if tries >= MAX_WRONG_TRIES:
            cache.delete(code_key)
        return None
    if not cache.delete(code_key):  # someone else used it a moment ago
        return None
    cache.delete(tries_key)
    return sms_login_user(phone=phone)
