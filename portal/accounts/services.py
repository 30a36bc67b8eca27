"""Account services: registration of applicants with real-name data; API tokens."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import pii
from portal.exceptions import ApplicationError

from .constants import ApplicantKind, Role
from .models import ApiTokenDevice, IdempotencyRecord, User

API_DEVICES_MAX = 10  # tokens a user may hold at once (the oldest devices are signed out beyond it)


@transaction.atomic
def applicant_register(
    *,
    username: str,
    password: str,
    kind: str,
    real_name: str,
    phone: str,
    id_number: str = "",
    enterprise_name: str = "",
    credit_code: str = "",
    email: str = "",
) -> User:
    """Create a citizen (natural person) or enterprise applicant. Inputs are already validated for
    format (forms / serializers); uniqueness is checked here under the transaction."""
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被注册。"]
    id_taken = id_number and User.objects.filter(id_number_hash__in=pii.lookup_hashes(id_number)).exists()
    if kind == ApplicantKind.PERSON and id_taken:
        errors["id_number"] = ["该身份证号码已注册账号，请直接登录或找回密码。"]
    if (
        kind == ApplicantKind.ENTERPRISE
        and credit_code
        and User.objects.filter(credit_code=credit_code).exists()
    ):
        errors["credit_code"] = ["该统一社会信用代码已注册账号。"]
    if errors:
        raise ApplicationError("注册信息有误，请修改后重新提交。", extra=errors)
    user = User(
        username=username,
        applicant_kind=kind,
        real_name=real_name,
        phone=phone,
        email=email,
        enterprise_name=enterprise_name if kind == ApplicantKind.ENTERPRISE else "",
        credit_code=credit_code if kind == ApplicantKind.ENTERPRISE else "",
    )
    user.id_number = id_number if kind == ApplicantKind.PERSON else ""  # encrypted (portal/pii.py)
    user.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: the constraint decides a race the checks above lost
            user.save()
    except IntegrityError as exc:
        raise ApplicationError("注册信息有误，请修改后重新提交。", extra=_race_errors(exc)) from exc
    role = Role.CITIZEN if kind == ApplicantKind.PERSON else Role.ENTERPRISE
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    return user


def _race_errors(exc: IntegrityError) -> dict[str, list[str]]:
    """Field messages for a registration that lost a race against a concurrent one (the unique
    constraints of User: case-insensitive username, ID number look-up hash)."""
    text = str(exc)
    if "id_number_hash" in text:
        return {"id_number": ["该身份证号码已注册账号，请直接登录或找回密码。"]}
    if "username" in text:
        return {"username": ["该用户名已被注册。"]}
    return {"username": ["该账号正在注册或已注册，请稍后直接登录。"]}


@transaction.atomic
def api_token_issue(*, user: User, device: str = "") -> tuple[str, datetime.datetime | None]:
    """A new API token for ``user`` on ``device`` (django-rest-knox: stored hashed, expires after
    REST_KNOX["TOKEN_TTL"]). The device's previous token is revoked; at most API_DEVICES_MAX devices.
    Returns the token (shown once) and its expiry."""
    from knox.models import AuthToken

    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue per user at a time
    AuthToken.objects.filter(user=user, device__name=device).delete()
    AuthToken.objects.filter(user=user, device__isnull=True).delete()  # tokens of no known device
    kept = list(
        AuthToken.objects.filter(user=user)
        .order_by("-created")
        .values_list("pk", flat=True)[: API_DEVICES_MAX - 1]
    )
    AuthToken.objects.filter(user=user).exclude(pk__in=kept).delete()
    instance, token = AuthToken.objects.create(user=user)
    ApiTokenDevice.objects.create(token=instance, user=user, name=device)
    return token, instance.expiry


def api_token_revoke(*, token: object) -> None:
    """Sign one API client out: its token stops working at once."""
    from knox.models import AuthToken

    if isinstance(token, AuthToken):
        AuthToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(*, user: User) -> int:
    """Sign every API client of ``user`` out."""
    from knox.models import AuthToken

    deleted: int = AuthToken.objects.filter(user=user).delete()[0]
    return deleted


def api_tokens_expired_purge() -> int:
    """Delete every expired API token (Celery beat, hourly). Requests refuse an expired token by
    themselves (portal/accounts/auth.py); this only keeps the table from growing. Returns how many."""
    from knox.models import AuthToken

    expired = AuthToken.objects.filter(expiry__lt=timezone.now())
    return int(expired.delete()[1].get(AuthToken._meta.label, 0))


def idempotency_ttl() -> datetime.timedelta:
    """How long a submission's first answer is kept for its ``Idempotency-Key`` (portal/idempotency.py)."""
    return datetime.timedelta(hours=getattr(settings, "IDEMPOTENCY_TTL_HOURS", 24))


def idempotency_records_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the first answers kept past their time (24 hours): a retry that late is a new request.
    Returns how many went. Run by beat (portal/schedule.py); a key still in use is never touched."""
    cutoff = (now or timezone.now()) - idempotency_ttl()
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
