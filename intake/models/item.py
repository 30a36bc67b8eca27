"""The item catalogue (事项目录): everything an applicant must be told once (DESIGN §2)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import Department
from portal.workcalendar.constants import LimitUnit

from ..constants import FieldKind, HandlingMode, ItemStatus, ItemType, MaterialForm, StepRole


class Theme(models.Model):
    """A life event or theme (主题 / 一件事) used to browse the catalogue."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    audience = models.CharField(
        _("服务对象"),
        max_length=12,
        choices=[("person", _("个人")), ("enterprise", _("法人"))],
        default="person",
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self) -> str:
        return self.name


class ItemHistoryRows(models.Model):
    """An extra column of the item's history: its materials, steps and form fields at that moment, so an
    item's history shows their edits and a revert of the item restores them (intake/services/catalogue_rows.py)."""

    catalogue_rows = models.JSONField(_("材料、环节与表单字段"), default=dict, blank=True)

    class Meta:
        abstract = True


class Item(models.Model):
    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=250, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="items"
    )
    item_type = models.CharField(
        _("事项类型"), max_length=10, choices=ItemType.choices, default=ItemType.LICENSE
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("主题"), blank=True, related_name="items")
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    statutory_limit = models.PositiveSmallIntegerField(_("法定时限"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限"))
    limit_unit = models.CharField(
        _("时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )
    fee_standard = models.TextField(_("收费标准"), blank=True, default="不收费")
    fee_basis = models.TextField(_("收费依据"), blank=True)
    online = models.BooleanField(_("可全程网办"), default=True)
    max_visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    # Handling modes the item allows (DESIGN §2).
    mode_instant = models.BooleanField(_("即办件"), default=False)
    mode_promised = models.BooleanField(_("承诺件"), default=True)
    mode_deferred = models.BooleanField(_("容缺受理"), default=False)
    mode_commitment = models.BooleanField(_("告知承诺"), default=False)
    mode_parallel = models.BooleanField(_("并联审批"), default=False)
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("协办部门"), blank=True, related_name="co_items"
    )
    co_department_limit = models.PositiveSmallIntegerField(_("协办时限"), default=5)
    after_check_days = models.PositiveSmallIntegerField(_("事后核查期限（工作日）"), default=20)
    # Extension of the statutory limit (延期, 行政许可法 Art. 42, DESIGN §4).
    joint_handling = models.BooleanField(
        _("统一/联合/集中办理"),
        default=False,
        help_text=_("依法统一、联合或集中办理的事项（法定时限45日）：经本级人民政府负责人批准可延长至15日。"),
    )
    extension_limit = models.PositiveSmallIntegerField(
        _("法定延期上限（其他法律另有规定）"),
        null=True,
        blank=True,
        help_text=_("法律、法规另有规定的延期上限，按本事项的时限单位计算；留空则适用行政许可法第四十二条。"),
    )
    extension_basis = models.CharField(_("延期上限依据"), max_length=200, blank=True)
    handling_place = models.CharField(
        _("办理地点"), max_length=200, blank=True, default="市民服务中心综合受理窗口"
    )
    contact_phone = models.CharField(_("咨询电话"), max_length=40, blank=True, default="12345")
    result_name = models.CharField(_("审批结果名称"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[co_departments, themes], bases=[ItemHistoryRows])

    class Meta:
        ordering = ["department__code", "code"]
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_limit__lte=models.F("statutory_limit")),
                name="item_promised_within_statutory",
                violation_error_message=_("承诺时限不得超过法定时限。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.promised_limit is not None and self.statutory_limit is not None:
            if self.promised_limit > self.statutory_limit:
                raise ValidationError({"promised_limit": _("承诺时限不得超过法定时限。")})
        if self.extension_limit is not None and not self.extension_basis.strip():
            raise ValidationError({"extension_basis": _("另行规定延期上限的，须写明法律依据。")})
        if self.mode_instant and self.promised_limit not in (0, None):
            raise ValidationError({"promised_limit": _("即办件的承诺时限应为0。")})

    @property
    def modes(self) -> list[str]:
        return [m.value for m in HandlingMode if getattr(self, f"mode_{m.value}")]

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED

    # The item's current terms: its rows in use. Retired rows stay (uploads and cases keep their links to
    # them) but are no longer asked for. Filtered here, so a prefetch of "materials" etc. is reused.
    @property
    def current_materials(self) -> list["Material"]:
        return [m for m in self.materials.all() if m.active]

    @property
    def current_steps(self) -> list["Step"]:
        return [s for s in self.steps.all() if s.active]

    @property
    def current_form_fields(self) -> list["FormField"]:
        return [f for f in self.form_fields.all() if f.active]


class CatalogueRow(models.Model):
    """A material, step or form field of an item: kept by a stable key unique within the item, updated in
    place and retired (``active`` off) rather than deleted, so whatever refers to it keeps its link."""

    KEY_PREFIX = "r"

    item: "models.ForeignKey[Item, Item]"
    key: "models.SlugField[str, str]"
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    active = models.BooleanField(
        _("在用"),
        default=True,
        help_text=_("取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。"),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.key:  # a new row without a key gets the next free one (m1, m2, ...)
            manager: Any = type(self)._default_manager  # abstract base: every concrete row has item and key
            taken = set(manager.filter(item_id=getattr(self, "item_id", None)).values_list("key", flat=True))
            n = len(taken) + 1
            while f"{self.KEY_PREFIX}{n}" in taken:
                n += 1
            self.key = f"{self.KEY_PREFIX}{n}"
        super().save(*args, **kwargs)


class Material(CatalogueRow):
    KEY_PREFIX = "m"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="materials")
    key = models.SlugField(_("材料标识"), max_length=40, blank=True)
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(
        _("材料形式"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    count = models.PositiveSmallIntegerField(_("份数"), default=1)
    mandatory = models.BooleanField(_("必要"), default=True)
    deferrable = models.BooleanField(_("可容缺后补"), default=False)
    note = models.CharField(_("要求说明"), max_length=300, blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="catalogue/forms/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalogue/samples/", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "order", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="material_key_unique_in_item")]

    def __str__(self) -> str:
        return self.name


class Step(CatalogueRow):
    """One row of the procedure time-limit table (流程时限表)."""

    KEY_PREFIX = "s"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(_("环节标识"), max_length=40, blank=True)
    name = models.CharField(_("环节名称"), max_length=60)
    role = models.CharField(_("环节岗位"), max_length=10, choices=StepRole.choices)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "order", "id"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="step_key_unique_in_item")]

    def __str__(self) -> str:
        return self.name


class FormField(CatalogueRow):
    """One field of the item's application form, so a new item needs no code."""

    KEY_PREFIX = "f"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="form_fields")
    key = models.SlugField(_("字段标识"), max_length=40)
    label = models.CharField(_("字段名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    choices = models.CharField(_("可选值（用|分隔）"), max_length=500, blank=True)
    required = models.BooleanField(_("必填"), default=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "order", "id"]
        unique_together = [("item", "key")]
        verbose_name = _("表单字段")
        verbose_name_plural = _("表单字段")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.split("|") if c.strip()]
