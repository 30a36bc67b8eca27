"""An application (申请): what the applicant fills in and uploads. On submission it gets its reference
number and a snapshot of the item's terms, and the approvals app opens the case (办件) for it."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import pii
from portal.compiled_sql import CompiledInsertModel

from ..constants import ApplicationStatus, Channel, DeliveryMethod, HandlingMode, MaterialCheck
from .item import Item, Material


class Application(CompiledInsertModel, models.Model):
    reference = models.CharField(_("申报号"), max_length=24, unique=True, null=True, blank=True)
    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    mode = models.CharField(
        _("办理方式"), max_length=12, choices=HandlingMode.choices, default=HandlingMode.PROMISED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口代录人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_applications",
    )
    applicant_name = models.CharField(_("申请人名称"), max_length=120)
    # The applicant's ID number / credit code, encrypted with a keyed look-up hash (portal/pii.py).
    applicant_id_number_encrypted = models.TextField(
        _("证件号码（密文）"), blank=True, default="", editable=False
    )
    applicant_id_number_hash = models.CharField(
        _("证件号码（检索摘要）"), max_length=64, blank=True, default="", db_index=True, editable=False
    )
    contact_phone = models.CharField(_("联系电话"), max_length=11)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    item_snapshot = models.JSONField(_("事项快照"), default=dict, blank=True)
    commitment_signed = models.BooleanField(_("已签署告知承诺书"), default=False)
    # 送达 (DESIGN §11): the applicant's choice, changeable until the result is delivered.
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.WINDOW
    )
    delivery_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, db_index=True)
    # 一件事一次办 (DESIGN §10): the package application this item's application was opened by, if any.
    package_application = models.ForeignKey(
        "intake.PackageApplication",
        verbose_name=_("一件事申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="item_applications",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        indexes = [models.Index(fields=["applicant", "-created_at"])]

    applicant_id_number = pii.encrypted_property(
        "applicant_id_number_encrypted", "applicant_id_number_hash", doc="证件号码"
    )

    def __str__(self) -> str:
        return self.reference or f"草稿#{self.pk}"

    def form_answers(self) -> list[tuple[str, Any]]:
        """The form's answers under their labels: those of the item as applied for (the snapshot taken at
        submission), or the item's current form for a draft."""
        fields = (self.item_snapshot or {}).get("form_fields") or []
        labels = {f.get("key"): f.get("label") for f in fields if isinstance(f, dict)}
        if not labels:
            labels = {f.key: f.label for f in self.item.form_fields.all()}
        return [(labels.get(key) or key, value) for key, value in (self.form_data or {}).items()]


def material_upload_to(instance: "ApplicationMaterial", filename: str) -> str:
    # The stored name never comes from the user: a random token plus the checked extension.
    # Foldered by the token too, not by the application's id: ids are handed out again after a restore
    # from backup, and files of lost and new applications mixed in one folder (issue 17).
    return f"applications/{instance.token[:2]}/{instance.token}{instance.extension}"


class ApplicationMaterial(CompiledInsertModel, models.Model):
    """An uploaded file for one required material, and the window's check of it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="materials", verbose_name=_("申请")
    )
    # PROTECT: a catalogue row someone uploaded a file for is retired, never deleted (intake/services/catalogue_rows.py)
    material = models.ForeignKey(
        Material,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请材料"),
    )
    material_name = models.CharField(_("材料名称"), max_length=200)
    token = models.CharField(max_length=32, unique=True, verbose_name=_("下载令牌"))
    extension = models.CharField(max_length=8, verbose_name=_("扩展名"))
    file = models.FileField(_("文件"), upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=80)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64, verbose_name=_("文件摘要（SHA-256）"))
    check_result = models.CharField(
        _("核验结果"), max_length=10, choices=MaterialCheck.choices, default=MaterialCheck.PENDING
    )
    original_seen = models.BooleanField(_("已核验原件"), default=False)
    check_note = models.CharField(_("核验意见"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["application", "material_name", "uploaded_at"]
        verbose_name = _("申请材料文件")
        verbose_name_plural = _("申请材料文件")

    def __str__(self) -> str:
        return f"{self.material_name}: {self.original_name}"


class ReferenceCounter(models.Model):
    """The last serial number handed out per prefix and day (``SP-20261122-000123``); locked per use."""

    prefix = models.CharField(max_length=4, verbose_name=_("前缀"))
    day = models.DateField(verbose_name=_("日期"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("最后序号"))

    class Meta:
        unique_together = [("prefix", "day")]
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}-{self.last:06d}"
