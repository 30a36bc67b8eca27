"""The catalogue in the Django admin: inlines for materials, steps and form fields, full history with
revert (who, when, why), publish / retire actions, and Excel / CSV import-export of the whole catalogue."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ExportForm
from import_export.results import RowResult

from portal.audit import set_audit
from portal.exceptions import ApplicationError
from portal.history_admin import HistoryAdmin
from portal.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .constants import FieldKind, HandlingMode
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
class ItemAdmin(ImportExportMixin, HistoryAdmin):
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
                set_audit(obj, actor=request.user, reason=reason)
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
    list_display = ["name", "audience", "order"]


class ApplicationMaterialInline(ReadOnlyTabularInline):
    model = ApplicationMaterial
    readonly_fields = fields = (
        "material_name",
        "original_name",
        "file_kind",
        "size",
        "check_result",
        "uploaded_at",
    )

    @admin.display(description=_("文件类型"))
    def file_kind(self, obj: ApplicationMaterial) -> str:
        """PDF, JPG, PNG… (the checked extension), not the MIME type ("application/pdf")."""
        return (obj.extension or "").lstrip(".").upper() or "—"


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """The application behind a case: read-only, like the case."""

    list_display = ["reference", "item", "status", "channel", "mode", "submitted_at"]
    list_filter = ["status", "channel", "mode"]
    search_fields = ["reference"]
    # personal data stays out of the admin
    exclude = [
        "applicant_id_number_encrypted",
        "applicant_id_number_hash",
        "contact_phone",
        "form_data",
        "item_snapshot",
    ]
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
        "item_terms",
        "commitment_signed",
        "submitted_at",
    ]
    inlines = [ApplicationMaterialInline]

    @admin.display(description=_("申请表内容"))
    def form_answers(self, obj: Application) -> SafeString | str:
        """The answers under their labels, with any resident ID number typed into them masked, as on every
        staff page."""
        from portal.pii import mask_text

        rows = [(label, mask_text(_plain(value))) for label, value in obj.form_answers()]
        return _table(rows) if rows else "—"

    @admin.display(description=_("申请时的事项要求"))
    def item_terms(self, obj: Application) -> SafeString | str:
        """The item's terms as frozen at submission (the snapshot the case keeps), under the catalogue's
        own column names, with the materials, steps and form fields each as a small table."""
        snap = obj.item_snapshot or {}
        return snapshot_table(snap) if snap else "—"


def _plain(value: Any) -> str:
    """An answer or a snapshot value as a person reads it: lists joined, yes/no in words, empty as 「—」."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    return str(value)


def _table(rows: list[tuple[Any, Any]]) -> SafeString:
    body = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', rows)
    return format_html('<table class="portal-snapshot" tabindex="0">{}</table>', body)


def _grid(columns: list[Any], rows: list[list[Any]]) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in columns))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_plain(v),) for v in row)),) for row in rows),
    )
    return format_html(
        '<table class="portal-snapshot" tabindex="0"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        head,
        body,
    )


def _label(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _choice(model: Any, name: str, value: Any) -> str:
    return str(dict(model._meta.get_field(name).flatchoices).get(value, value))


# the snapshot's plain values, in the order of the item page (intake/services/catalogue.py item_snapshot)
_SNAPSHOT_FIELDS = [
    "code",
    "name",
    "item_type",
    "legal_basis",
    "conditions",
    "statutory_limit",
    "promised_limit",
    "limit_unit",
    "fee_standard",
    "fee_basis",
    "co_department_limit",
    "after_check_days",
    "joint_handling",
    "extension_limit",
    "extension_basis",
    "max_visits",
    "online",
    "result_name",
]


def snapshot_table(snap: dict[str, Any]) -> SafeString:
    """An application's item snapshot as a table in words: the catalogue's column names, choices by their
    labels, the handling modes and co-departments by name, the materials, steps and form fields each as a
    table of their own — no key of the stored JSON reaches the page."""
    rows: list[tuple[Any, Any]] = []
    for name in _SNAPSHOT_FIELDS:
        if name not in snap:
            continue
        value = snap[name]
        if name in ("item_type", "limit_unit"):
            value = _choice(Item, name, value)
        rows.append((_label(Item, name), _plain(value)))
        if name == "name" and snap.get("department_name"):
            rows.append((_label(Item, "department"), snap["department_name"]))
    modes = dict(HandlingMode.choices)
    if "modes" in snap:
        rows.insert(3, (_("办理模式"), _plain([str(modes.get(m, m)) for m in snap.get("modes") or []])))
    co = [d for d in snap.get("co_departments") or [] if isinstance(d, dict)]
    if co:
        rows.append(
            (
                _label(Item, "co_departments"),
                "、".join(
                    str(
                        _("%(name)s（%(days)s个工作日）")
                        % {"name": d.get("name", ""), "days": d.get("limit", "")}
                    )
                    for d in co
                ),
            )
        )
    parts = [_table(rows)]
    tables = [
        (
            _("申请材料"),
            Material,
            ["name", "form", "count", "mandatory", "deferrable", "note"],
            snap.get("materials"),
        ),
        (_("办理环节"), Step, ["order", "name", "role", "limit_days"], snap.get("steps")),
        (_("申请表字段"), FormField, ["label", "kind", "choices", "required"], snap.get("form_fields")),
    ]
    for title, model, columns, entries in tables:
        entries = [e for e in entries or [] if isinstance(e, dict)]
        if not entries:
            continue
        grid = [
            [_choice(model, c, e.get(c)) if c in ("form", "role", "kind") else e.get(c) for c in columns]
            for e in entries
        ]
        parts.append(format_html("<h3>{}</h3>{}", title, _grid([_label(model, c) for c in columns], grid)))
    return format_html_join("", "{}", ((p,) for p in parts))


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
class PackageAdmin(ImportExportMixin, HistoryAdmin):
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
        "package_terms",
        "delivery_method",
        "delivery_address",
        "deliver_together",
        "submitted_at",
    ]

    @admin.display(description=_("申请时的一件事内容"))
    def package_terms(self, obj: PackageApplication) -> SafeString | str:
        """The package as applied for (its snapshot), in words: the items with their departments, the
        merged form's fields and the merged materials, each a small table — no stored key on the page."""
        snap = obj.package_snapshot or {}
        if not snap:
            return "—"
        kinds = dict(FieldKind.choices)
        parts = [_table([(_("一件事编码"), snap.get("code", "")), (_("一件事名称"), snap.get("name", ""))])]
        tables = [
            (
                _("包含事项"),
                [_("事项编码"), _("事项名称"), _("实施部门")],
                [[e.get("code"), e.get("name"), e.get("department")] for e in snap.get("items") or []],
            ),
            (
                _("申请表字段"),
                [_("字段名称"), _("类型"), _("必填")],
                [
                    [e.get("label"), str(kinds.get(e.get("kind"), e.get("kind"))), bool(e.get("required"))]
                    for e in snap.get("fields") or []
                ],
            ),
            (
                _("申请材料"),
                [_("材料名称"), _("必须提交")],
                [[e.get("name"), bool(e.get("mandatory"))] for e in snap.get("materials") or []],
            ),
        ]
        for title, columns, rows in tables:
            if rows:
                parts.append(format_html("<h3>{}</h3>{}", title, _grid(columns, rows)))
        return format_html_join("", "{}", ((p,) for p in parts))
