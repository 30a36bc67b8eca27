"""The packages (一件事) in the Excel round-trip of the catalogue (django-import-export), one row per
package with Chinese headers: its code, name, guide, whether it is published, its items' codes (separated by
"、"), and its merged form and merged materials, each as a JSON list (key, label/name and the mapping onto
each item's own field or material). Importing an export changes nothing (unchanged rows are skipped and
write no history); any error rolls the whole import back, with a Chinese message naming the row."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .constants import FieldKind
from .models import Item, Package, PackageField, PackageItem, PackageMaterial

YES = {"是", "1", "y", "yes", "true", "√"}
NO = {"否", "0", "n", "no", "false", "×", ""}


class YesNo(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        text = str(value if value is not None else "").strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("应填写“是”或“否”，现为“%(value)s”") % {"value": value})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "是" if value else "否"


def _json_list(value: Any, column: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(str(value or "[]"))
    except ValueError:
        raise ValueError(_("“%(column)s”应为JSON列表。") % {"column": column}) from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValueError(_("“%(column)s”应为JSON列表。") % {"column": column})
    return data


class PackageResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="一件事编码")
    name = fields.Field(attribute="name", column_name="一件事名称")
    guide = fields.Field(attribute="guide", column_name="办事指南")
    published = fields.Field(attribute="published", column_name="已发布", widget=YesNo())
    order = fields.Field(attribute="order", column_name="排序", widget=widgets.IntegerWidget())
    items = fields.Field(column_name="包含事项")
    form_fields = fields.Field(column_name="表单字段")
    materials = fields.Field(column_name="申请材料")

    class Meta:
        model = Package
        import_id_fields = ["code"]
        fields = ["code", "name", "guide", "published", "order", "items", "form_fields", "materials"]
        export_order = fields
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    @classmethod
    def get_display_name(cls) -> str:
        return _("一件事目录")

    def export(self, queryset: Any = None, **kwargs: Any) -> Any:
        with translation.override("zh-hans"):
            return super().export(queryset=queryset, **kwargs)

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.prefetch_related("package_items__item", "fields", "materials")

    # --- export ---
    def dehydrate_items(self, package: Package) -> str:
        return "、".join(pi.item.code for pi in package.package_items.all()) if package.pk else ""

    def dehydrate_form_fields(self, package: Package) -> str:
        rows = [
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "choices": f.choices,
                "required": f.required,
                "help_text": f.help_text,
                "targets": f.targets,
            }
            for f in package.fields.all()
        ]
        return json.dumps(rows, ensure_ascii=False) if package.pk else "[]"

    def dehydrate_materials(self, package: Package) -> str:
        rows = [
            {"key": m.key, "name": m.name, "mandatory": m.mandatory, "note": m.note, "targets": m.targets}
            for m in package.materials.all()
        ]
        return json.dumps(rows, ensure_ascii=False) if package.pk else "[]"

    # --- import ---
    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        codes = [
            c.strip() for c in str(row.get("包含事项") or "").replace(",", "、").split("、") if c.strip()
        ]
        items = {i.code: i for i in Item.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in items]
        if unknown or not codes:
            raise ValueError(
                _("“包含事项”中没有这些事项编码：%(codes)s") % {"codes": "、".join(unknown) or "—"}
            )
        fields_ = _json_list(row.get("表单字段"), "表单字段")
        materials = _json_list(row.get("申请材料"), "申请材料")
        for f in fields_:
            if not f.get("key") or not f.get("label") or f.get("kind", "text") not in FieldKind.values:
                raise ValueError(_("“表单字段”每项须有标识、名称和有效的类型。"))
            for code in f.get("targets") or {}:
                if code not in items:
                    raise ValueError(_("“表单字段”对应了不在本一件事中的事项：%(code)s") % {"code": code})
        for m in materials:
            if not m.get("key") or not m.get("name"):
                raise ValueError(_("“申请材料”每项须有标识和名称。"))
            for code, key in (m.get("targets") or {}).items():
                if code not in items or not items[code].materials.filter(key=key).exists():
                    raise ValueError(
                        _("“申请材料”对应的事项材料不存在：%(code)s %(key)s") % {"code": code, "key": key}
                    )
        self._items: list[Item] = [items[c] for c in codes]
        self._fields: list[dict[str, Any]] = fields_
        self._materials: list[dict[str, Any]] = materials

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return bool(
            original.pk
            and self.dehydrate_items(original) == "、".join(i.code for i in self._items)
            and json.loads(self.dehydrate_form_fields(original)) == self._fields
            and json.loads(self.dehydrate_materials(original)) == self._materials
        )

    def after_save_instance(self, instance: Package, row: Any, **kwargs: Any) -> None:
        if kwargs.get("dry_run"):
            return
        with transaction.atomic():
            keep = []
            for order, item in enumerate(self._items, start=1):
                pi, _created = PackageItem.objects.update_or_create(
                    package=instance, item=item, defaults={"order": order}
                )
                keep.append(pi.pk)
            PackageItem.objects.filter(package=instance).exclude(pk__in=keep).delete()
            _sync(
                PackageField,
                instance,
                self._fields,
                ["label", "kind", "choices", "required", "help_text", "targets"],
            )
            _sync(PackageMaterial, instance, self._materials, ["name", "mandatory", "note", "targets"])


def _sync(model: Any, package: Package, rows: list[dict[str, Any]], names: list[str]) -> None:
    keys = []
    for order, row in enumerate(rows, start=1):
        defaults = {n: row[n] for n in names if n in row}
        model.objects.update_or_create(package=package, key=row["key"], defaults={**defaults, "order": order})
        keys.append(row["key"])
    model.objects.filter(package=package).exclude(key__in=keys).delete()
