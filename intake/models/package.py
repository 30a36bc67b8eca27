"""One thing, done once (一件事一次办, DESIGN §10): a package bundles items of several departments behind one
guide, one merged form and one merged list of materials; applying for it once opens one case per item.

A package field is asked once and written into the matching field of each item's own form; a package
material is uploaded once and filed under the matching material of each item. Catalogue data, kept with
history like items."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..constants import DeliveryMethod, FieldKind
from .item import Item


class Package(models.Model):
    code = models.CharField(_("一件事编码"), max_length=40, unique=True)
    name = models.CharField(_("一件事名称"), max_length=100)
    guide = models.TextField(_("办事指南"), help_text=_("向申请人一次性告知的办理说明，每段一行。"))
    published = models.BooleanField(_("已发布"), default=False, db_index=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    items: "models.ManyToManyField[Item, PackageItem]" = models.ManyToManyField(
        Item, through="PackageItem", verbose_name=_("包含事项"), related_name="packages"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return self.name

    def ordered_items(self) -> list[Item]:
        return [pi.item for pi in self.package_items.all()]


class PackageItem(models.Model):
    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="package_items", verbose_name=_("一件事")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="package_items", verbose_name=_("事项")
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["package", "order", "id"]
        verbose_name = _("一件事包含的事项")
        verbose_name_plural = _("一件事包含的事项")
        constraints = [models.UniqueConstraint(fields=["package", "item"], name="package_item_once")]

    def __str__(self) -> str:
        return str(self.item)


def _clean_targets(targets: Any, field: str) -> dict[str, str]:
    if not isinstance(targets, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in targets.items()
    ):
        raise ValidationError({field: _('应为事项编码与标识，例如 {"SCJG-001": "m2"}。')})
    return targets


class PackageField(models.Model):
    """One question of the merged form, asked once, answering the matching field of each item's form."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="fields", verbose_name=_("一件事")
    )
    key = models.SlugField(_("字段标识"), max_length=40)
    label = models.CharField(_("字段名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    choices = models.CharField(_("可选值（用|分隔）"), max_length=500, blank=True)
    required = models.BooleanField(_("必填"), default=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    targets = models.JSONField(
        _("对应各事项的字段"),
        default=dict,
        blank=True,
        help_text=_(
            "事项编码与该事项表单中的字段标识（见该事项的“申请表字段”），"
            '例如 {"SCJG-001": "字段标识"}；留空则对应各事项中标识相同的字段。'
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["package", "order", "id"]
        verbose_name = _("一件事表单字段")
        verbose_name_plural = _("一件事表单字段")
        constraints = [models.UniqueConstraint(fields=["package", "key"], name="package_field_key_once")]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.split("|") if c.strip()]

    def clean(self) -> None:
        _clean_targets(self.targets, "targets")
        if self.kind == FieldKind.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("选择类字段须填写可选值。")})

    def target_key(self, item: Item) -> str | None:
        """The key of the item's form field this question answers (None: the item does not ask it)."""
        if self.targets:
            return self.targets.get(item.code)
        keys = {f.key for f in item.current_form_fields}
        return self.key if self.key in keys else None


class PackageMaterial(models.Model):
    """One material of the merged list, uploaded once, filed under the matching material of each item."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="materials", verbose_name=_("一件事")
    )
    key = models.SlugField(_("材料标识"), max_length=40)
    name = models.CharField(_("材料名称"), max_length=200)
    mandatory = models.BooleanField(_("必要"), default=True)
    note = models.CharField(_("要求说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    targets = models.JSONField(
        _("对应各事项的材料"),
        default=dict,
        blank=True,
        help_text=_(
            '事项编码与该事项的材料标识，例如 {"SCJG-001": "m2", "WJ-002": "m2"}；留空则对应各事项中名称相同的材料。'
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["package", "order", "id"]
        verbose_name = _("一件事申请材料")
        verbose_name_plural = _("一件事申请材料")
        constraints = [models.UniqueConstraint(fields=["package", "key"], name="package_material_key_once")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _clean_targets(self.targets, "targets")

    def target_material(self, item: Item) -> Any:
        """The item's material this upload is filed under (None: the item does not need it)."""
        for m in item.current_materials:
            if (self.targets and self.targets.get(item.code) == m.key) or (
                not self.targets and m.name == self.name
            ):
                return m
        return None


class PackageApplication(models.Model):
    """One application for a package: one reference, one form, one set of uploads; its item applications
    (and their cases) point to it."""

    reference = models.CharField(_("一件事申报号"), max_length=24, unique=True)
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="applications", verbose_name=_("一件事")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="package_applications",
        verbose_name=_("申请人"),
    )
    applicant_name = models.CharField(_("申请人名称"), max_length=120)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    package_snapshot = models.JSONField(_("一件事快照"), default=dict, blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.WINDOW
    )
    delivery_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    # 结果一并送达: the results are delivered together unless the applicant asks for each as it comes.
    deliver_together = models.BooleanField(_("办结后一并送达"), default=True)
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")

    def __str__(self) -> str:
        return self.reference
