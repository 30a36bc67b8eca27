from typing import Any

from django.contrib.auth.models import AbstractUser, Group
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from simple_history.models import HistoricalRecords

from portal import pii

from .constants import ApplicantKind, Role
from .validators import mask_id_number, mask_phone


class Department(models.Model):
    """A municipal department (部门) that owns service items and reviews their cases."""

    code = models.CharField(_("部门代码"), max_length=20, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    is_efficiency_office = models.BooleanField(_("效能办"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    is_legacy = models.BooleanField(_("历史导入"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A numbered window of the service centre; every window takes every department's items (无差别受理)."""

    number = models.PositiveSmallIntegerField(_("窗口号"), unique=True)
    name = models.CharField(_("窗口名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}".strip()


class User(AbstractUser):
    """Applicants (natural persons and enterprises) and staff share one user model; roles are groups."""

    applicant_kind = models.CharField(
        _("申请人类型"), max_length=12, choices=ApplicantKind.choices, blank=True
    )
    real_name = models.CharField(_("真实姓名"), max_length=50, blank=True)
    # The resident ID number is stored encrypted, with a keyed hash for exact look-ups (portal/pii.py):
    # ``user.id_number`` reads and writes it, ``filter(id_number_hash__in=pii.lookup_hashes(number))`` finds it.
    id_number_encrypted = models.TextField(
        _("居民身份证号码（密文）"), blank=True, default="", editable=False
    )
    id_number_hash = models.CharField(
        _("居民身份证号码（检索摘要）"), max_length=64, blank=True, default="", db_index=True, editable=False
    )
    enterprise_name = models.CharField(_("单位名称"), max_length=120, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("所在窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clerks",
    )
    # DESIGN §3: a refusal (不予受理) is signed off by the window supervisor or the head of the owning
    # department; the supervisor is a clerk of the one window who leads it.
    is_window_supervisor = models.BooleanField(
        _("窗口负责人"),
        default=False,
        help_text=_("综合受理窗口的负责人：可签批窗口人员提请的不予受理（不能签批本人的提请）。"),
    )
    preferred_language = models.CharField(
        _("通知语言"), max_length=10, choices=[("zh-hans", "简体中文"), ("en", "English")], default="zh-hans"
    )
    notify_sms = models.BooleanField(_("短信通知"), default=True)
    notify_email = models.BooleanField(_("邮件通知"), default=False)
    elder_mode = models.BooleanField(
        _("长辈版"), default=False, help_text=_("字号更大、对比更强、导航更简单的页面（适老化）。")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # "Racer3" and "raCer3" are one name (issue 17): registration checks it, the database holds
            # it under concurrent registrations.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            # One account per resident ID number (its keyed look-up hash; walk-in applicants included).
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="user_id_number_hash_unique",
            ),
        ]

    id_number = pii.encrypted_property("id_number_encrypted", "id_number_hash", doc="居民身份证号码")

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._api_tokens_stale = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if getattr(self, "_api_tokens_stale", False):
            # A new password (page, admin, changepassword, reset) signs every API client out: the tokens
            # issued under the old one stop working (issue 17). Not a signal: any save of a new password.
            self._api_tokens_stale = False
            from knox.models import AuthToken

            AuthToken.objects.filter(user=self).delete()

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.enterprise_name or self.real_name or self.get_full_name() or self.username

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or self.credit_code)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def role_names(self) -> set[str]:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self._role_names = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names() & {str(r) for r in roles})

    @property
    def is_applicant(self) -> bool:
        return self.has_role(Role.CITIZEN, Role.ENTERPRISE)

    @property
    def is_portal_staff(self) -> bool:
        return self.has_role(
            Role.CLERK, Role.REVIEWER, Role.DECIDER, Role.HEAD, Role.INSPECTOR, Role.CATALOGUE_ADMIN
        )


class ApiTokenDevice(models.Model):
    """Which device an API token (django-rest-knox's ``AuthToken``: hashed, expiring) was issued to. A
    user holds one token per device: asking again for the same device revokes the token it had."""

    token = models.OneToOneField("knox.AuthToken", on_delete=models.CASCADE, related_name="device")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_devices")
    name = models.CharField(_("设备名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("API令牌设备")
        verbose_name_plural = _("API令牌设备")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="one_api_token_per_device")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name or '-'}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header (portal/idempotency.py),
    kept 24 hours per user and key: a retry gets this answer again instead of a second application."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class RoleGroup(Group):
    """A role's group (named by the role's code) as the admin shows it: by the role's Chinese name."""

    class Meta:
        proxy = True
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self) -> str:
        return str(Role(self.name).label) if self.name in Role.values else self.name


class ApiToken(AuthToken):
    """A device's API token (django-rest-knox) as the admin shows it: whose, since when, until when; an
    admin revokes one by deleting it."""

    class Meta:
        proxy = True
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return str(_("%(user)s 的接口令牌（%(key)s…）") % {"user": self.user, "key": self.token_key})
