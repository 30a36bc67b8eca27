"""Licences (电子证照, DESIGN §11): the type an item's approval issues (a template: title, numbering
pattern, printed fields, validity, issuing department), the per-type-per-year counter that numbers them
without gaps, and the licences themselves with their history."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from approvals.models import Case
from portal.accounts.models import Department

from .constants import DEFAULT_PATTERN, LicenceStatus, VerifyAnswer


class LicenceType(models.Model):
    code = models.CharField(_("证照类型编码"), max_length=40, unique=True)
    title = models.CharField(_("证照名称"), max_length=100)
    numbering_pattern = models.CharField(
        _("编号规则"),
        max_length=60,
        default=DEFAULT_PATTERN,
        help_text=_(
            "可用 {dept}（发证部门代码）、{type}（证照类型编码）、{year}（年份）、{seq:06d}（当年流水号）；"
            "同一发证部门的各类证照须有不同的前缀，编号才不会重复。"
        ),
    )
    # [{"label": "经营场所", "source": "form.address"}, {"label": "持证人", "source": "holder"}, …]
    fields = models.JSONField(_("证面内容"), default=list, blank=True)
    scope_template = models.CharField(
        _("许可范围"),
        max_length=300,
        blank=True,
        help_text=_("证面“许可范围”，可引用申请表字段，如 {form.scope}；留空则为事项名称。"),
    )
    validity_years = models.PositiveSmallIntegerField(
        _("有效期（年）"), default=5, help_text=_("0 表示长期有效。")
    )
    issuing_department = models.ForeignKey(
        Department,
        verbose_name=_("发证部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空则为承办部门。"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self) -> str:
        return self.title

    def number(self, *, dept: str, year: int, seq: int) -> str:
        return self.numbering_pattern.format(dept=dept, type=self.code, year=year, seq=seq)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if "{seq" not in self.numbering_pattern:
            raise ValidationError({"numbering_pattern": _("编号规则须含当年流水号 {seq:06d}。")})
        try:
            self.number(dept="D", year=2026, seq=1)
        except (KeyError, ValueError, IndexError, AttributeError):
            raise ValidationError(
                {"numbering_pattern": _("编号规则只能使用 {dept}、{type}、{year} 和 {seq:06d}。")}
            ) from None
        same = LicenceType.objects.filter(
            numbering_pattern=self.numbering_pattern, issuing_department=self.issuing_department
        ).exclude(pk=self.pk)
        if "{type}" not in self.numbering_pattern and same.exists():
            raise ValidationError(
                {
                    "numbering_pattern": _(
                        "与证照类型“%(other)s”的编号规则相同，编号会重复：请加入 {type} 或不同的前缀。"
                    )
                    % {"other": same.first()}
                }
            )


class LicenceCounter(models.Model):
    """The last serial handed out per licence type and year; locked (SELECT … FOR UPDATE) per use, so the
    numbers of one type and year have no gaps and no duplicates."""

    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "year"], name="licence_counter_unique")
        ]
        verbose_name = _("证照编号计数器")
        verbose_name_plural = _("证照编号计数器")

    def __str__(self) -> str:
        return f"{self.licence_type_id}/{self.year}: {self.last}"


def licence_upload_to(instance: "Licence", filename: str) -> str:
    return f"licences/{instance.issued_on:%Y}/{instance.number}.pdf"


class Licence(models.Model):
    number = models.CharField(_("证照编号"), max_length=60, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences"
    )
    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="licences")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    title = models.CharField(_("证照名称"), max_length=100)
    holder_name = models.CharField(_("持证人"), max_length=120)
    scope = models.CharField(_("许可范围"), max_length=300, blank=True)
    # The printed fields, as issued: [{"label": …, "value": …}]
    fields = models.JSONField(_("证面内容"), default=list, blank=True)
    issuing_department = models.ForeignKey(
        Department, verbose_name=_("发证机关"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空表示长期有效。"))
    status = models.CharField(
        _("状态"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.VALID, db_index=True
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("换发后证照"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    pdf = models.FileField(_("证照文件"), upload_to=licence_upload_to, max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        constraints = [
            # Exactly one licence in force per case: the others are revoked or replaced.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="valid"), name="licence_one_valid_per_case"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def answer(self, today: datetime.date | None = None) -> str:
        """valid / expired / revoked / replaced, as the verification page says it."""
        if self.status == LicenceStatus.REVOKED:
            return VerifyAnswer.REVOKED
        if self.status == LicenceStatus.REPLACED:
            return VerifyAnswer.REPLACED
        today = today or timezone.localdate()
        if self.valid_until is not None and today > self.valid_until:
            return VerifyAnswer.EXPIRED
        return VerifyAnswer.VALID

    def answer_label(self) -> str:
        return str(VerifyAnswer(self.answer()).label)
