"""Import and export of the whole catalogue (Excel and CSV) with django-import-export.

One row per item. Related lists are encoded in one cell each:
- ``modes``: ``promised,deferred`` (instant, promised, deferred, commitment, parallel)
- ``co_departments`` / ``themes``: codes separated by commas
- ``materials``: ``name|form|count|mandatory|deferrable|key`` separated by ``;`` (form: original, copy, both,
  electronic; mandatory/deferrable: 1 or 0; key: the material's stable key, optional)
- ``steps``: ``name|role|limit_days|key`` separated by ``;`` (role: intake, review, decision, delivery; key
  optional)
- ``form_fields``: ``key|label|kind|required|choice1/choice2`` separated by ``;`` (kind: text, number, date,
  choice)

Every row is validated (model rules included: promised ≤ statutory) and any error rolls the whole
import back: nothing is half-imported.

Materials, steps and form fields are updated in place by their key (a material or step given without one
is matched by its name), never deleted: one no longer listed is retired, so uploaded files and filed cases
keep their links (intake/services/catalogue_rows.py). A row whose item, modes, departments, themes and
rows are all unchanged is skipped and writes no history.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources, widgets

from portal.accounts.models import Department

from .constants import FieldKind, HandlingMode, MaterialForm, StepRole
from .models import Item, Theme
from .services.catalogue_rows import item_rows_changes, item_rows_sync

MODES = [m.value for m in HandlingMode]
KEY = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


def _split(value: Any, sep: str) -> list[str]:
    return [p.strip() for p in str(value or "").split(sep) if p.strip()]


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "是", "y")


def parse_materials(cell: Any) -> list[dict[str, Any]]:
    out = []
    for part in _split(cell, ";"):
        bits = [b.strip() for b in part.split("|")]
        if len(bits) not in (5, 6) or bits[1] not in MaterialForm.values or not bits[2].isdigit():
            raise ValidationError({"materials": f"材料格式应为 名称|形式|份数|必要|可容缺|标识：{part}"})
        out.append(
            {
                "name": bits[0],
                "form": bits[1],
                "count": int(bits[2]),
                "mandatory": _flag(bits[3]),
                "deferrable": _flag(bits[4]),
                "key": bits[5] if len(bits) == 6 else "",
            }
        )
    return _unique_keys(out, "materials")


def parse_steps(cell: Any) -> list[dict[str, Any]]:
    out = []
    for part in _split(cell, ";"):
        bits = [b.strip() for b in part.split("|")]
        if len(bits) not in (3, 4) or bits[1] not in StepRole.values or not bits[2].isdigit():
            raise ValidationError({"steps": f"环节格式应为 名称|岗位|时限|标识：{part}"})
        out.append(
            {
                "name": bits[0],
                "role": bits[1],
                "limit_days": int(bits[2]),
                "key": bits[3] if len(bits) == 4 else "",
            }
        )
    return _unique_keys(out, "steps")


def parse_form_fields(cell: Any) -> list[dict[str, Any]]:
    out = []
    for part in _split(cell, ";"):
        bits = [b.strip() for b in part.split("|")]
        if len(bits) not in (4, 5) or bits[2] not in FieldKind.values:
            raise ValidationError({"form_fields": f"表单字段格式应为 标识|名称|类型|必填|选项：{part}"})
        choices = "|".join(_split(bits[4], "/")) if len(bits) == 5 else ""
        if bits[2] == FieldKind.CHOICE and not choices:
            raise ValidationError({"form_fields": f"选择题须给出选项：{part}"})
        out.append(
            {
                "key": bits[0],
                "label": bits[1],
                "kind": bits[2],
                "required": _flag(bits[3]),
                "choices": choices,
            }
        )
    return _unique_keys(out, "form_fields")


def _unique_keys(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    keys = [r["key"] for r in rows if r["key"]]
    bad = [k for k in keys if not KEY.match(k)]
    if bad:
        raise ValidationError({column: f"标识只能由字母、数字、-和_组成（最多40个字符）：{bad[0]}"})
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValidationError({column: f"同一事项内标识不能重复：{','.join(twice)}"})
    return rows


def _wanted(row: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "materials": parse_materials(row.get("materials")),
        "steps": parse_steps(row.get("steps")),
        "form_fields": parse_form_fields(row.get("form_fields")),
    }


class ItemResource(resources.ModelResource):
    department = fields.Field(
        attribute="department",
        column_name="department",
        widget=widgets.ForeignKeyWidget(Department, field="code"),
    )
    modes = fields.Field(column_name="modes")
    co_departments = fields.Field(column_name="co_departments")
    themes = fields.Field(column_name="themes")
    materials = fields.Field(column_name="materials")
    steps = fields.Field(column_name="steps")
    form_fields = fields.Field(column_name="form_fields")

    class Meta:
        model = Item
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "name_en",
            "department",
            "item_type",
            "status",
            "legal_basis",
            "conditions",
            "statutory_limit",
            "promised_limit",
            "limit_unit",
            "fee_standard",
            "fee_basis",
            "online",
            "max_visits",
            "co_department_limit",
            "after_check_days",
            "joint_handling",
            "extension_limit",
            "extension_basis",
            "handling_place",
            "contact_phone",
            "result_name",
            "modes",
            "co_departments",
            "themes",
            "materials",
            "steps",
            "form_fields",
        ]
        export_order = fields
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    # --- export ---
    def dehydrate_modes(self, item: Item) -> str:
        return ",".join(item.modes)

    def dehydrate_co_departments(self, item: Item) -> str:
        return ",".join(d.code for d in item.co_departments.all())

    def dehydrate_themes(self, item: Item) -> str:
        return ",".join(t.code for t in item.themes.all())

    # only the rows in use: a retired one stays retired when the sheet is imported again
    def dehydrate_materials(self, item: Item) -> str:
        return ";".join(
            f"{m.name}|{m.form}|{m.count}|{int(m.mandatory)}|{int(m.deferrable)}|{m.key}"
            for m in item.current_materials
        )

    def dehydrate_steps(self, item: Item) -> str:
        return ";".join(f"{s.name}|{s.role}|{s.limit_days}|{s.key}" for s in item.current_steps)

    def dehydrate_form_fields(self, item: Item) -> str:
        return ";".join(
            f"{f.key}|{f.label}|{f.kind}|{int(f.required)}|{'/'.join(f.choice_list)}"
            for f in item.current_form_fields
        )

    # --- import ---
    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        errors: dict[str, str] = {}
        modes = _split(row.get("modes"), ",")
        unknown = [m for m in modes if m not in MODES]
        if not modes or unknown:
            errors["modes"] = f"办理方式应为 {','.join(MODES)} 中的一个或多个"
        codes = _split(row.get("co_departments"), ",")
        missing = [c for c in codes if not Department.objects.filter(code=c).exists()]
        if missing:
            errors["co_departments"] = f"未知的部门代码：{','.join(missing)}"
        if "parallel" in modes and not codes:
            errors["co_departments"] = "并联审批须列出协办部门"
        if (
            row.get("department")
            and not Department.objects.filter(code=str(row.get("department")).strip()).exists()
        ):
            errors["department"] = f"未知的部门代码：{row.get('department')}"
        themes = _split(row.get("themes"), ",")
        missing_t = [t for t in themes if not Theme.objects.filter(code=t).exists()]
        if missing_t:
            errors["themes"] = f"未知的主题代码：{','.join(missing_t)}"
        for parse in (parse_materials, parse_steps, parse_form_fields):
            try:
                parse(row.get(parse.__name__.replace("parse_", "")))
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance: Item, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        for f in Item._meta.concrete_fields:  # empty spreadsheet cells arrive as None
            if (
                f.get_internal_type() in ("CharField", "TextField")
                and getattr(instance, f.attname, "") is None
            ):
                setattr(instance, f.attname, "")
        modes = _split(row.get("modes"), ",")
        for m in MODES:
            setattr(instance, f"mode_{m}", m in modes)

    def skip_row(
        self, instance: Item, original: Item, row: Any, import_validation_errors: Any = None
    ) -> bool:
        """Unchanged: the item's own columns (compared by import-export), its modes, departments, themes
        and rows. A skipped row saves nothing, so it writes no history."""
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        if original.pk is None or instance.modes != original.modes:
            return False
        if sorted(_split(row.get("co_departments"), ",")) != sorted(
            original.co_departments.values_list("code", flat=True)
        ):
            return False
        if sorted(_split(row.get("themes"), ",")) != sorted(original.themes.values_list("code", flat=True)):
            return False
        return not item_rows_changes(item=original, wanted=_wanted(row))

    def before_save_instance(self, instance: Item, row: Any, **kwargs: Any) -> None:
        changes = item_rows_changes(item=instance, wanted=_wanted(row)) if instance.pk else []
        instance._change_reason = ("目录导入：" + "；".join(changes) if changes else "目录导入")[:100]  # type: ignore[attr-defined]
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]  # type: ignore[attr-defined]

    def after_save_instance(self, instance: Item, row: Any, **kwargs: Any) -> None:
        if kwargs.get("dry_run") and not self._is_using_transactions(kwargs):  # type: ignore[attr-defined]  # private, not in the stubs
            return
        instance.co_departments.set(
            Department.objects.filter(code__in=_split(row.get("co_departments"), ","))
        )
        instance.themes.set(Theme.objects.filter(code__in=_split(row.get("themes"), ",")))
        # materials, steps and form fields in place by key; none deleted (intake/services/catalogue_rows.py)
        item_rows_sync(item=instance, wanted=_wanted(row), actor=kwargs.get("user"), reason="目录导入")


def catalogue_import(dataset: Any, *, dry_run: bool = False) -> Any:
    """Import a tablib Dataset; any row error rolls everything back. Returns the import Result."""
    with transaction.atomic():
        result = ItemResource().import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
    return result
