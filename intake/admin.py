"""The catalogue in the Django admin: inlines for materials, steps and form fields, full history with
revert (who, when, why), publish / retire actions, and Excel / CSV import-export of the whole catalogue."""

import json

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ExportForm
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from portal.exceptions import ApplicationError
from portal.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    Application,
    ApplicationMaterial,
    FormField,
    Item,
    Material,
    Package,
    PackageApplication,
    PackageField,
    PackageItem,
    PackageMaterial,
    Step,
    Theme,
)
from .package_resources import PackageResource
from .resources import CatalogueWorkbook, ItemResource, WorkbookError
from .services.catalogue import item_publish, item_retire
from .services.catalogue_rows import item_history_record_rows, item_rows_restore


# Materials, steps and form fields are never deleted here: untick "在用" to retire one, so uploaded files,
# drafts and filed cases keep their links (intake/services/catalogue_rows.py). Their edits are recorded on
# the item's history with the item, and a revert of the item restores them.
class LabelledInline(admin.TabularInline):
    """A tabular inline whose inputs carry their column's name (Django's table gives them no label, so a
    screen reader announces a bare "edit text")."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs["aria-label"] = str(db_field.verbose_name)
            field.widget.attrs.pop("title", None)
        return field


class MaterialInline(LabelledInline):
    model = Material
    extra = 0
    can_delete = False
    fields = [
        "order",
        "key",
        "name",
        "form",
        "count",
        "mandatory",
        "deferrable",
        "note",
        "blank_form",
        "sample",
        "active",
    ]
    readonly_fields = ["key"]


class StepInline(LabelledInline):
    model = Step
    extra = 0
    can_delete = False
    fields = ["order", "key", "name", "role", "limit_days", "active"]
    readonly_fields = ["key"]


class FormFieldInline(LabelledInline):
    model = FormField
    extra = 0
    can_delete = False
    fields = ["order", "key", "label", "kind", "choices", "required", "help_text", "active"]


@admin.register(Item)
class ItemAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ItemResource]
    # one Excel workbook: items, materials, steps and form fields each on their own sheet (intake/resources.py)
    formats = [CatalogueWorkbook]
    export_form_class = ExportForm  # always every column: a column left out of a re-import is left as it is
    import_template_name = "admin/intake/item/import.html"
    list_display = [
        "code",
        "name",
        "department",
        "status",
        "statutory_limit",
        "promised_limit",
        "limit_unit",
        "updated_at",
    ]
    list_filter = [
        "status",
        "department",
        "item_type",
        "mode_instant",
        "mode_deferred",
        "mode_commitment",
        "mode_parallel",
    ]
    search_fields = ["code", "name", "legal_basis"]
    # departments and themes as checkboxes beside their names (Django's two-box selector has unlabelled parts)
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [MaterialInline, StepInline, FormFieldInline]
    actions = ["publish", "retire"]
    list_select_related = ["department"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # the inline edits belong to this save's historical record of the item
        item_history_record_rows(form.instance)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        with transaction.atomic():  # the item and its rows are reverted together or not at all
            request._item_revert_version = version_id
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version = getattr(request, "_item_revert_version", None)
        if version is not None:
            record = obj.history.filter(history_id=version).first()
            if record is not None:
                reason = _("恢复为%(at)s的版本") % {
                    "at": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
                }
                if record.catalogue_rows:
                    item_rows_restore(
                        item=obj, snapshot=record.catalogue_rows, actor=request.user, reason=reason
                    )
                obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, WorkbookError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file", _("无法读取这个文件，请上传从本系统导出并修改后的 Excel 工作簿（.xlsx）。")
            )

    def add_success_message(self, result, request):
        totals = result.totals
        self.message_user(
            request,
            _(
                "导入完成：新增 %(new)s 个事项，更新 %(update)s 个，未改动 %(skip)s 个（未改动的不写修改记录）。"
            )
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
            messages.SUCCESS,
        )

    def get_export_filename(self, request, queryset, file_format):
        return f"catalogue-{timezone.localdate().isoformat()}.xlsx"

    def _move(self, request, queryset, fn, label):
        done = 0
        for item in queryset:
            try:
                fn(item=item, actor=request.user, reason=str(label))
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{item.code}: {exc.message}", messages.WARNING)
        self.message_user(
            request,
            ngettext("%(label)s：%(n)s 个事项。", "%(label)s：%(n)s 个事项。", done)
            % {"label": label, "n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("发布所选事项"))
    def publish(self, request, queryset):
        self._move(request, queryset, item_publish, _("已发布"))

    @admin.action(description=_("停用所选事项"))
    def retire(self, request, queryset):
        self._move(request, queryset, item_retire, _("已停用"))


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "order"]


class ApplicationMaterialInline(ReadOnlyTabularInline):
    model = ApplicationMaterial
    readonly_fields = fields = (
        "material_name",
        "original_name",
        "content_type",
        "size",
        "check_result",
        "uploaded_at",
    )


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """The application behind a case: read-only, like the case."""

    list_display = ["reference", "item", "status", "channel", "mode", "submitted_at"]
    list_filter = ["status", "channel", "mode"]
    search_fields = ["reference"]
    # personal data stays out of the admin
    exclude = ["applicant_id_number_encrypted", "applicant_id_number_hash", "contact_phone", "form_data"]
    readonly_fields = [
        "reference",
        "item",
        "applicant",
        "status",
        "channel",
        "mode",
        "registered_by",
        "applicant_name",
        "form_answers",
        "item_snapshot",
        "commitment_signed",
        "submitted_at",
    ]
    inlines = [ApplicationMaterialInline]

    @admin.display(description=_("申请表内容"))
    def form_answers(self, obj: Application) -> str:
        """The answers with any resident ID number typed into them masked, as on every staff page."""
        from portal.pii import mask_text

        return mask_text(json.dumps(obj.form_data or {}, ensure_ascii=False))


# 一件事 (DESIGN §10): a package, its items, its merged form and its merged materials, each row with its own
# history (who, when, why), like the items.
class PackageItemInline(LabelledInline):
    model = PackageItem
    extra = 0
    fields = ["order", "item"]
    autocomplete_fields = ["item"]


class PackageFieldInline(LabelledInline):
    model = PackageField
    extra = 0
    fields = ["order", "key", "label", "kind", "choices", "required", "help_text", "targets"]


class PackageMaterialInline(LabelledInline):
    model = PackageMaterial
    extra = 0
    fields = ["order", "key", "name", "mandatory", "note", "targets"]


@admin.register(Package)
class PackageAdmin(ImportExportMixin, SimpleHistoryAdmin):
    # the Excel round-trip of the packages: one row each, its form and materials as JSON (package_resources.py)
    resource_classes = [PackageResource]
    formats = [XLSX]
    export_form_class = ExportForm
    list_display = ["code", "name", "published", "item_names", "updated_at"]
    list_filter = ["published"]
    search_fields = ["code", "name"]
    inlines = [PackageItemInline, PackageFieldInline, PackageMaterialInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("package_items__item")

    @admin.display(description=_("包含事项"))
    def item_names(self, obj: Package) -> str:
        return "、".join(pi.item.name for pi in obj.package_items.all())


@admin.register(PackageApplication)
class PackageApplicationAdmin(ReadOnlyAdmin):
    """A package application: read-only, like its cases."""

    list_display = ["reference", "package", "applicant_name", "deliver_together", "submitted_at"]
    search_fields = ["reference"]
    exclude = ["form_data"]
    readonly_fields = [
        "reference",
        "package",
        "applicant",
        "applicant_name",
        "package_snapshot",
        "delivery_method",
        "delivery_address",
        "deliver_together",
        "submitted_at",
    ]
