"""The catalogue as an Excel workbook made for people (django-import-export).

The workbook has one sheet per kind of row, with Chinese headers and Chinese values:

- 事项: one row per item. Yes/no as 是/否, choices by their Chinese names (行政许可, 工作日, 已发布…), the
  department by its name, handling modes, co-departments and themes by name separated by "、".
- 申请材料 / 办理环节 / 表单字段: one row per material, step or form field, under the item's code
  (事项编码; the item's name is repeated for reading and ignored on import). The order of the rows is the
  order on the item. The key columns (材料标识…) keep a row's identity across edits; left empty for a new
  row, the row gets one.
- 填写说明: what each column takes. Not read back.

Every cell is checked and every error names the sheet, the row and the column in Chinese; any error rolls
the whole import back: nothing is half-imported.

Materials, steps and form fields are updated in place by their key (a row given without one is matched by
its name), never deleted: one no longer listed is retired, so uploaded files and filed cases keep their
links (intake/services/catalogue_rows.py). A sheet left out of the workbook leaves those rows as they are;
so does a column left out. A row whose item, modes, departments, themes and rows are all unchanged is
skipped and writes no history, so importing an export changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX
from import_export.results import RowResult

from portal.accounts.models import Department
from portal.audit import set_audit
from portal.workcalendar.constants import LimitUnit

from .constants import FieldKind, HandlingMode, ItemStatus, ItemType, MaterialForm, StepRole
from .models import FormField, Item, Material, Step, Theme
from .services.catalogue_rows import item_rows_changes, item_rows_sync

logger = logging.getLogger(__name__)

SHEET_ITEMS = "事项"
SHEET_HELP = "填写说明"
CODE = "事项编码"
ITEM_NAME = "事项名称"
ROW = "工作表行号"  # the row's number in its sheet, added on reading; not a column of the workbook
MODES = "办理方式"
CO_DEPARTMENTS = "协办部门"
THEMES = "主题"
KEY = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
SEPARATORS = re.compile(r"[、,，;；\n]+")
YES = {"是", "1", "y", "yes", "true", "√"}
NO = {"否", "0", "n", "no", "false", "×"}


class WorkbookError(Exception):
    """The workbook as a whole cannot be read (a sheet or a column missing, a row under an unknown item):
    its message, in Chinese, is shown beside the file field."""


class CellError(ValueError):
    """One cell's value is not what its column takes; the message says what it should be."""


# --- cells -----------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():  # Excel keeps numbers as floats: 12345.0
        value = int(value)
    return str(value).strip()


def _names(value: Any) -> list[str]:
    return [p.strip() for p in SEPARATORS.split(_text(value)) if p.strip()]


def _whole(value: Any, *, maximum: int = 32767) -> int | None:
    """A whole number ≥ 0 (a cell of 份数, 时限…); None when the cell is empty."""
    text = _text(value)
    if text == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif re.fullmatch(r"\d+", text):
        number = int(text)
    else:
        raise CellError(_("应填写整数（如 5），现为“%(value)s”") % {"value": text})
    if not 0 <= number <= maximum:
        raise CellError(
            _("应填写 0 到 %(max)s 之间的整数，现为 %(value)s") % {"max": maximum, "value": number}
        )
    return number


def _flag(value: Any) -> bool | None:
    """是 or 否; None when the cell is empty."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text == "":
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("应填写“是”或“否”，现为“%(value)s”") % {"value": _text(value)})


def _choice(value: Any, choices: type[models.TextChoices]) -> str | None:
    """A choice by its Chinese name (the code is accepted too); None when the cell is empty."""
    text = _text(value)
    if text == "":
        return None
    for code, label in choices.choices:
        if text in (str(label), code):
            return str(code)
    names = "、".join(str(label) for label in choices.labels)
    raise CellError(_("应填写 %(names)s 之一，现为“%(value)s”") % {"names": names, "value": text})


def _label(code: str, choices: type[models.TextChoices]) -> str:
    return str(dict(choices.choices).get(code, code))


def _located(sheet: str, row: Any, column: str | None = None) -> str:
    if column:
        return _("「%(sheet)s」表第 %(row)s 行「%(column)s」列") % {
            "sheet": sheet,
            "row": row,
            "column": column,
        }
    return _("「%(sheet)s」表第 %(row)s 行") % {"sheet": sheet, "row": row}


# --- the sheets of materials, steps and form fields -------------------------------------------------------


@dataclass(frozen=True)
class Column:
    attr: str
    header: str
    kind: str = "text"  # text, key, whole, flag, choice, list
    choices: type[models.TextChoices] | None = None
    required: bool = False


@dataclass(frozen=True)
class RowSheet:
    kind: str  # the key of intake/services/catalogue_rows.py's KINDS
    name: str  # the sheet's name, also the item sheet's column holding its rows once read
    model: type[models.Model]
    columns: tuple[Column, ...]

    def header(self) -> list[str]:
        return [CODE, ITEM_NAME, *(c.header for c in self.columns)]


ROW_SHEETS = (
    RowSheet(
        "materials",
        "申请材料",
        Material,
        (
            Column("key", "材料标识", "key"),
            Column("name", "材料名称", required=True),
            Column("form", "材料形式", "choice", MaterialForm, required=True),
            Column("count", "份数", "whole"),
            Column("mandatory", "必要", "flag"),
            Column("deferrable", "可容缺后补", "flag"),
            Column("note", "要求说明"),
        ),
    ),
    RowSheet(
        "steps",
        "办理环节",
        Step,
        (
            Column("key", "环节标识", "key"),
            Column("name", "环节名称", required=True),
            Column("role", "环节岗位", "choice", StepRole, required=True),
            Column("limit_days", "环节时限（工作日）", "whole", required=True),
        ),
    ),
    RowSheet(
        "form_fields",
        "表单字段",
        FormField,
        (
            Column("key", "字段标识", "key"),
            Column("label", "字段名称", required=True),
            Column("kind", "类型", "choice", FieldKind, required=True),
            Column("required", "必填", "flag"),
            Column("choices", "可选值", "list"),
            Column("help_text", "填写说明"),
        ),
    ),
)
ROW_SHEET_BY_KIND = {s.kind: s for s in ROW_SHEETS}


class SheetRows(list[tuple[int, dict[str, Any]]]):
    """The rows of one sheet under one item, as read: (row number, {header: value})."""

    def __init__(self, sheet: str, rows: Iterable[tuple[int, dict[str, Any]]] = ()) -> None:
        super().__init__(rows)
        self.sheet = sheet

    def __str__(self) -> str:
        return _("%(sheet)s %(n)s 行") % {"sheet": self.sheet, "n": len(self)}


class Rows(list[dict[str, Any]]):
    """An item's rows of one kind, exported: one dict per row, values in their Chinese form."""

    def __init__(self, sheet: RowSheet, rows: Iterable[dict[str, Any]]) -> None:
        super().__init__(rows)
        self.sheet = sheet

    def __str__(self) -> str:  # the import preview's comparison
        return "\n".join("｜".join(_text(row.get(c.header)) for c in self.sheet.columns[1:]) for row in self)


def _export_row(sheet: RowSheet, obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in sheet.columns:
        value = getattr(obj, c.attr)
        if c.kind == "flag":
            value = "是" if value else "否"
        elif c.kind == "choice" and c.choices is not None:
            value = _label(value, c.choices)
        elif c.kind == "list":
            value = "、".join(p for p in value.split("|") if p)
        out[c.header] = value
    return out


def parse_sheet_rows(sheet: RowSheet, rows: SheetRows) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The rows wanted for one item, for ``item_rows_sync``, and the errors by location."""
    wanted: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    model_fields = {f.name: f for f in sheet.model._meta.fields}
    keys: dict[str, int] = {}
    for number, cells in rows:
        entry: dict[str, Any] = {}
        for c in sheet.columns:
            if c.header not in cells:  # a column left out: the attribute is left as it is
                continue
            try:
                value = _cell(c, cells[c.header], model_fields.get(c.attr))
            except CellError as exc:
                errors.setdefault(_located(sheet.name, number, c.header), []).append(str(exc))
                continue
            if value is None:
                continue  # empty: the model's default for a new row, unchanged for an existing one
            entry[c.attr] = value
        if entry.get("key"):
            if entry["key"] in keys:
                errors.setdefault(_located(sheet.name, number, sheet.columns[0].header), []).append(
                    _("同一事项内标识不能重复：“%(key)s”已用于第 %(row)s 行")
                    % {"key": entry["key"], "row": keys[entry["key"]]}
                )
            keys[entry["key"]] = number
        if sheet.kind == "form_fields" and entry.get("kind") == FieldKind.CHOICE and not entry.get("choices"):
            errors.setdefault(_located(sheet.name, number, "可选值"), []).append(
                _("类型为“选择”的字段须列出可选值，用“、”分隔")
            )
        entry.setdefault("key", "")
        wanted.append(entry)
    return wanted, errors


def _cell(c: Column, value: Any, field: Any) -> Any:
    text = _text(value)
    if c.required and text == "":
        raise CellError(_("不能为空"))
    if c.kind == "key":
        if text and not KEY.match(text):
            raise CellError(
                _("标识只能由字母、数字、-和_组成（最多40个字符），现为“%(value)s”") % {"value": text}
            )
        return text or None
    if c.kind == "whole":
        return _whole(value)
    if c.kind == "flag":
        return _flag(value)
    if c.kind == "choice" and c.choices is not None:
        return _choice(value, c.choices)
    if c.kind == "list":
        text = "|".join(_names(value.replace("|", "、") if isinstance(value, str) else value))
    max_length = getattr(field, "max_length", None)
    if max_length and len(text) > max_length:
        raise CellError(_("最多 %(max)s 个字，现有 %(n)s 个") % {"max": max_length, "n": len(text)})
    return text


# --- the item sheet's cells (widgets of the resource) ----------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return _text(value)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value


class WholeWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
        number = _whole(value)
        if number is None:
            raise CellError(_("不能为空，请填写整数"))
        return number

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value


class OptionalWholeWidget(WholeWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return _whole(value)


class YesNoWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        flag = _flag(value)
        if flag is None:
            raise CellError(_("不能为空，请填写“是”或“否”"))
        return flag

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "是" if value else "否"


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices: type[models.TextChoices]) -> None:
        super().__init__()
        self.choices = choices

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        code = _choice(value, self.choices)
        if code is None:
            raise CellError(
                _("不能为空，请填写 %(names)s 之一")
                % {"names": "、".join(str(label) for label in self.choices.labels)}
            )
        return code

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return _label(value, self.choices) if value else ""


def _find_department(name: str) -> Department:
    """A department by its name (its code is accepted too)."""
    found = list(Department.objects.filter(name=name)[:2]) or list(Department.objects.filter(code=name)[:1])
    if not found:
        raise CellError(_("没有名为“%(name)s”的部门") % {"name": name})
    if len(found) > 1:
        raise CellError(_("有多个部门名为“%(name)s”，请改填部门代码") % {"name": name})
    return found[0]


class DepartmentWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Department:
        name = _text(value)
        if not name:
            raise CellError(_("不能为空，请填写部门名称"))
        return _find_department(name)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.name if value is not None else ""


def _find_theme(name: str) -> Theme:
    theme = Theme.objects.filter(name=name).first() or Theme.objects.filter(code=name).first()
    if theme is None:
        raise CellError(_("没有名为“%(name)s”的主题") % {"name": name})
    return theme


def _item_field(attr: str, header: str, widget: widgets.Widget | None = None) -> fields.Field:
    return fields.Field(attribute=attr, column_name=header, widget=widget or TextWidget())


class ItemResource(resources.ModelResource):
    code = _item_field("code", CODE)
    name = _item_field("name", ITEM_NAME)
    name_en = _item_field("name_en", "英文名称")
    department = _item_field("department", "实施部门", DepartmentWidget())
    item_type = _item_field("item_type", "事项类型", ChoiceWidget(ItemType))
    status = _item_field("status", "状态", ChoiceWidget(ItemStatus))
    legal_basis = _item_field("legal_basis", "设定依据")
    conditions = _item_field("conditions", "受理条件")
    review_points = _item_field("review_points", "审查要点")
    statutory_limit = _item_field("statutory_limit", "法定时限", WholeWidget())
    promised_limit = _item_field("promised_limit", "承诺时限", WholeWidget())
    limit_unit = _item_field("limit_unit", "时限单位", ChoiceWidget(LimitUnit))
    fee_standard = _item_field("fee_standard", "收费标准")
    fee_basis = _item_field("fee_basis", "收费依据")
    online = _item_field("online", "可全程网办", YesNoWidget())
    max_visits = _item_field("max_visits", "到现场次数", WholeWidget())
    modes = fields.Field(column_name=MODES)
    co_departments = fields.Field(column_name=CO_DEPARTMENTS)
    co_department_limit = _item_field("co_department_limit", "协办时限", WholeWidget())
    after_check_days = _item_field("after_check_days", "事后核查期限（工作日）", WholeWidget())
    joint_handling = _item_field("joint_handling", "统一/联合/集中办理", YesNoWidget())
    extension_limit = _item_field(
        "extension_limit", "法定延期上限（其他法律另有规定）", OptionalWholeWidget()
    )
    extension_basis = _item_field("extension_basis", "延期上限依据")
    handling_place = _item_field("handling_place", "办理地点")
    contact_phone = _item_field("contact_phone", "咨询电话")
    result_name = _item_field("result_name", "审批结果名称")
    themes = fields.Field(column_name=THEMES)
    materials = fields.Field(column_name="申请材料")
    steps = fields.Field(column_name="办理环节")
    form_fields = fields.Field(column_name="表单字段")

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
            "review_points",
            "statutory_limit",
            "promised_limit",
            "limit_unit",
            "fee_standard",
            "fee_basis",
            "online",
            "max_visits",
            "modes",
            "co_departments",
            "co_department_limit",
            "after_check_days",
            "joint_handling",
            "extension_limit",
            "extension_basis",
            "handling_place",
            "contact_phone",
            "result_name",
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._codes: dict[str, int] = {}  # item code → its row, to refuse an item listed twice
        self._row: dict[str, Any] = {}  # what before_import_row read of the row being imported

    # The workbook is a Chinese document whatever the page's language: its values (已发布, 工作日…) are read
    # back by their Chinese names, so an export made from the English admin imports the same.
    def export(self, queryset: Any = None, **kwargs: Any) -> Any:
        with translation.override("zh-hans"):
            return super().export(queryset=queryset, **kwargs)

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override("zh-hans"):
            return super().import_data(dataset, *args, **kwargs)

    @classmethod
    def get_display_name(cls) -> str:
        return _("服务事项目录")

    def get_diff_class(self) -> type[resources.Diff]:  # type: ignore[override]  # the stubs' generic Diff
        return ReadableDiff

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.select_related("department").prefetch_related(
            "materials", "steps", "form_fields", "co_departments", "themes"
        )

    # --- export (also the import preview's comparison, where a new item has no relations yet) ---
    def dehydrate_modes(self, item: Item) -> str:
        return "、".join(str(_label(m, HandlingMode)) for m in item.modes)

    def dehydrate_co_departments(self, item: Item) -> str:
        if not item.pk:
            return ""
        limits = item.co_department_limits or {}
        return "、".join(
            f"{d.name}：{limits[d.code]}" if d.code in limits else d.name for d in item.co_departments.all()
        )

    def dehydrate_themes(self, item: Item) -> str:
        return "、".join(t.name for t in item.themes.all()) if item.pk else ""

    # only the rows in use: a retired one stays retired when the workbook is imported again
    def _rows(self, item: Item, kind: str, current: Callable[[], list[Any]]) -> Rows:
        sheet = ROW_SHEET_BY_KIND[kind]
        return Rows(sheet, [_export_row(sheet, r) for r in current()] if item.pk else [])

    def dehydrate_materials(self, item: Item) -> Rows:
        return self._rows(item, "materials", lambda: item.current_materials)

    def dehydrate_steps(self, item: Item) -> Rows:
        return self._rows(item, "steps", lambda: item.current_steps)

    def dehydrate_form_fields(self, item: Item) -> Rows:
        return self._rows(item, "form_fields", lambda: item.current_form_fields)

    # --- import ---
    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        """Read the cells that are not the item's own columns (modes, departments, themes and the rows of
        the other sheets); their errors join the row's other errors in ``import_instance``."""
        number = row.get(ROW) or kwargs.get("row_number", 0) + 1
        errors: dict[str, list[str]] = {}

        def err(column: str | None, message: str) -> None:
            errors.setdefault(_located(SHEET_ITEMS, number, column), []).append(message)

        read: dict[str, Any] = {"number": number, "errors": errors, "wanted": {}}
        code = _text(row.get(CODE))
        if code and code in self._codes:
            err(CODE, _("事项“%(code)s”已在第 %(row)s 行列出") % {"code": code, "row": self._codes[code]})
        if code:
            self._codes.setdefault(code, number)
        if MODES in row:
            names = _names(row.get(MODES))
            try:
                read["modes"] = [_choice(n, HandlingMode) for n in names]
            except CellError as exc:
                err(MODES, str(exc))
            if not names:
                err(
                    MODES,
                    _("至少填写一种：%(names)s")
                    % {"names": "、".join(str(label) for label in HandlingMode.labels)},
                )
        if CO_DEPARTMENTS in row:
            departments = []
            limits: dict[str, int] = {}
            for entry in _names(row.get(CO_DEPARTMENTS)):
                # 并联: a co-department may carry its own limit, "住房和城乡建设局：3" (DESIGN §3)
                name, sep, days = entry.replace("：", ":").partition(":")
                try:
                    department = _find_department(name.strip())
                    departments.append(department)
                    if sep:
                        limit = _whole(days)
                        if limit is None:
                            raise CellError(_("“%(entry)s”冒号后应填写协办天数，如 3") % {"entry": entry})
                        limits[department.code] = limit
                except CellError as exc:
                    err(CO_DEPARTMENTS, str(exc))
            read["co_departments"] = departments
            read["co_department_limits"] = limits
            if HandlingMode.PARALLEL in read.get("modes", []) and not departments:
                err(CO_DEPARTMENTS, _("并联审批须列出协办部门"))
        if THEMES in row:
            themes = []
            for name in _names(row.get(THEMES)):
                try:
                    themes.append(_find_theme(name))
                except CellError as exc:
                    err(THEMES, str(exc))
            read["themes"] = themes
        for sheet in ROW_SHEETS:
            if sheet.name in row:  # the sheet is in the workbook
                rows = row.get(sheet.name)
                wanted, sheet_errors = parse_sheet_rows(
                    sheet, rows if isinstance(rows, SheetRows) else SheetRows(sheet.name)
                )
                read["wanted"][sheet.kind] = wanted
                for location, messages in sheet_errors.items():
                    errors.setdefault(location, []).extend(messages)
        self._row = read

    def import_instance(self, instance: Item, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "modes" in self._row:
            for m in HandlingMode.values:
                setattr(instance, f"mode_{m}", m in self._row["modes"])
        if "co_department_limits" in self._row:
            instance.co_department_limits = self._row["co_department_limits"]
            try:  # the model's rule (each within the promised limit) on the limits just read
                instance._clean_co_department_limits()
            except ValidationError as exc:
                for messages in exc.message_dict.values():
                    errors.setdefault(_located(SHEET_ITEMS, self._row["number"], CO_DEPARTMENTS), []).extend(
                        messages
                    )
        for location, messages in self._row["errors"].items():
            errors.setdefault(location, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def import_row(self, row: Any, instance_loader: Any, **kwargs: Any) -> RowResult:
        """Every error of the row keyed by where it is (sheet, row, column), in Chinese; an unexpected
        failure becomes such an error too, never a traceback."""
        self._row = {"number": row.get(ROW) or kwargs.get("row_number", 0) + 1, "errors": {}, "wanted": {}}
        result = super().import_row(row, instance_loader, **kwargs)
        number = self._row["number"]
        if result.errors:
            for error in result.errors:
                logger.error("catalogue import: row %s failed", number, exc_info=error.error)
            result.errors = []
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(
                {_located(SHEET_ITEMS, number): [_("这一行无法保存，请检查各列的值；仍不行请联系运维人员。")]}
            )
        elif result.validation_error is not None:
            headers = {f.attribute: f.column_name for f in self.get_import_fields() if f.attribute}
            located: dict[str, list[str]] = {}
            for key, messages in result.validation_error.message_dict.items():
                if key == NON_FIELD_ERRORS:
                    key = _located(SHEET_ITEMS, number)
                elif key in headers:
                    key = _located(SHEET_ITEMS, number, headers[key])
                located.setdefault(key, []).extend(messages)
            result.validation_error = ValidationError(located)
        return result

    def skip_row(
        self, instance: Item, original: Item, row: Any, import_validation_errors: Any = None
    ) -> bool:
        """Unchanged: the item's own columns (compared by import-export), its modes, departments, themes
        and rows. A skipped row saves nothing, so it writes no history."""
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        if original.pk is None or instance.modes != original.modes:
            return False
        if instance.co_department_limits != (original.co_department_limits or {}):
            return False
        if "co_departments" in self._row and {d.pk for d in self._row["co_departments"]} != set(
            original.co_departments.values_list("pk", flat=True)
        ):
            return False
        if "themes" in self._row and {t.pk for t in self._row["themes"]} != set(
            original.themes.values_list("pk", flat=True)
        ):
            return False
        return not item_rows_changes(item=original, wanted=self._row["wanted"])

    def before_save_instance(self, instance: Item, row: Any, **kwargs: Any) -> None:
        changes = item_rows_changes(item=instance, wanted=self._row["wanted"]) if instance.pk else []
        # the importing admin user (import-export passes it; outside a request there is none: the system)
        set_audit(
            instance,
            actor=kwargs.get("user"),
            reason="目录导入：" + "；".join(changes) if changes else "目录导入",
        )

    def after_save_instance(self, instance: Item, row: Any, **kwargs: Any) -> None:
        if kwargs.get("dry_run") and not self._is_using_transactions(kwargs):  # type: ignore[attr-defined]  # private, not in the stubs
            return
        if "co_departments" in self._row:
            instance.co_departments.set(self._row["co_departments"])
        if "themes" in self._row:
            instance.themes.set(self._row["themes"])
        # materials, steps and form fields in place by key; none deleted (intake/services/catalogue_rows.py)
        if self._row["wanted"]:
            item_rows_sync(
                item=instance, wanted=self._row["wanted"], actor=kwargs.get("user"), reason="目录导入"
            )


class ReadableDiff(resources.Diff):
    """The import preview: for each changed column, its header and the change, in words."""

    def __init__(self, resource: Any, instance: Any, new: bool) -> None:
        self.headers = [str(f.column_name) for f in resource.get_import_fields()]
        super().__init__(resource, instance, new)
        self.left = self._values(resource, instance)

    def compare_with(self, resource: Any, instance: Any, dry_run: bool = False) -> None:
        self.right = self._values(resource, instance)

    @staticmethod
    def _values(resource: Any, instance: Any) -> list[str]:
        # the base class reads the attributes only; this reads what the workbook shows (dehydrate_* included)
        return [_text(str(resource.export_field(f, instance))) for f in resource.get_import_fields()]

    def as_html(self) -> list[Any]:
        out = []
        for header, html, left, right in zip(
            self.headers, super().as_html(), self.left, self.right, strict=False
        ):
            if left != right and (right or not self.new):
                out.append((header, mark_safe(html.replace("&para;<br>", "<br>"))))  # noqa: S308  # diff-match-patch escapes the text
        return out


# --- the workbook ----------------------------------------------------------------------------------------


class CatalogueWorkbook(XLSX):
    """The catalogue as one Excel workbook: items on one sheet, materials, steps and form fields each on
    their own sheet one row per entry, and a sheet saying what each column takes."""

    def get_title(self) -> str:  # type: ignore[override]  # the stubs say a type; import-export shows it as the format's name
        return _("Excel 工作簿（.xlsx）")

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        return workbook_bytes(dataset)

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> Any:
        return workbook_dataset(in_stream)


def workbook_bytes(dataset: Any) -> bytes:
    """The export of ItemResource as an .xlsx workbook."""
    with translation.override("zh-hans"):
        return _workbook_bytes(dataset)


def _workbook_bytes(dataset: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    items = book.active
    items.title = SHEET_ITEMS
    row_columns = {s.name: s for s in ROW_SHEETS}
    item_headers = [h for h in dataset.headers if h not in row_columns]
    items.append(item_headers)
    sheets = {s.name: book.create_sheet(s.name) for s in ROW_SHEETS if s.name in dataset.headers}
    for name, ws in sheets.items():
        ws.append(row_columns[name].header())
    for values in dataset.dict:
        items.append([values[h] for h in item_headers])
        for name, ws in sheets.items():
            sheet = row_columns[name]
            for entry in values[name]:
                ws.append([values[CODE], values[ITEM_NAME], *(entry[c.header] for c in sheet.columns)])
    help_sheet = book.create_sheet(SHEET_HELP)
    for line in _help_lines():
        help_sheet.append(line)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE8F4")
    for ws in book.worksheets:
        ws.freeze_panes = "A2"
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for column in ws.columns:
            width = max(len(_text(c.value)) for c in column[:50])
            ws.column_dimensions[column[0].column_letter].width = min(max(width * 2 + 2, 10), 60)
            for cell in column[1:]:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _help_lines() -> list[list[str]]:
    def names(choices: type[models.TextChoices]) -> str:
        return "、".join(str(label) for label in choices.labels)

    return [
        ["工作表", "列", "填写方法"],
        [SHEET_ITEMS, CODE, "每个事项一行；按事项编码找到已有事项并更新，编码不存在的新增。"],
        [SHEET_ITEMS, "实施部门 / 协办部门", "填部门名称；协办部门可填多个，用“、”分隔。"],
        [SHEET_ITEMS, "事项类型", names(ItemType)],
        [SHEET_ITEMS, "状态", names(ItemStatus)],
        [SHEET_ITEMS, "时限单位", names(LimitUnit)],
        [SHEET_ITEMS, MODES, f"{names(HandlingMode)}，可填多个，用“、”分隔"],
        [SHEET_ITEMS, THEMES, "填主题名称，可填多个，用“、”分隔"],
        [SHEET_ITEMS, "可全程网办", "是 或 否"],
        [
            "申请材料 / 办理环节 / 表单字段",
            CODE,
            "每行一条，写在所属事项的编码下；行的先后即办事指南中的顺序。",
        ],
        ["申请材料 / 办理环节 / 表单字段", ITEM_NAME, "仅供查看，导入时不读。"],
        [
            "申请材料 / 办理环节 / 表单字段",
            "标识",
            "用来认出已有的一行，请勿修改；新增的行留空即可。删去一行即停用该条，已上传的文件不受影响。",
        ],
        ["申请材料", "材料形式", names(MaterialForm)],
        ["申请材料", "必要 / 可容缺后补", "是 或 否"],
        ["办理环节", "环节岗位", names(StepRole)],
        ["表单字段", "类型", names(FieldKind)],
        ["表单字段", "可选值", "类型为“选择”时必填，选项之间用“、”分隔"],
        ["全部", "", "整个工作表没有的，导入时保持原样；任何一处有错，整个文件都不导入。"],
    ]


def _sheet_rows(ws: Any) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    rows = ws.iter_rows(values_only=True)
    try:
        header = [_text(h) for h in next(rows)]
    except StopIteration:
        return [], []
    body = []
    for number, values in enumerate(rows, start=2):
        if any(_text(v) for v in values):
            body.append((number, list(values) + [None] * (len(header) - len(values))))
    return header, body


def workbook_dataset(data: bytes) -> Any:
    """A workbook as the Dataset ItemResource imports: one row per item, each with the rows of the other
    sheets under its code (a SheetRows in the column named after the sheet), and its row number."""
    import tablib
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise WorkbookError(
            _("无法读取这个文件，请上传从本系统导出并修改后的 Excel 工作簿（.xlsx）。")
        ) from exc
    if SHEET_ITEMS not in book.sheetnames:
        raise WorkbookError(_("工作簿中没有「%(sheet)s」工作表。") % {"sheet": SHEET_ITEMS})
    header, body = _sheet_rows(book[SHEET_ITEMS])
    if CODE not in header:
        raise WorkbookError(
            _("「%(sheet)s」表第 1 行没有“%(column)s”列。") % {"sheet": SHEET_ITEMS, "column": CODE}
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise WorkbookError(
            _("「%(sheet)s」表有重复的列：%(columns)s。")
            % {"sheet": SHEET_ITEMS, "columns": "、".join(twice)}
        )
    at = header.index(CODE)
    codes = {_text(values[at]) for _n, values in body}
    under: dict[str, dict[str, SheetRows]] = {}
    for sheet in ROW_SHEETS:
        if sheet.name not in book.sheetnames:
            continue
        s_header, s_body = _sheet_rows(book[sheet.name])
        if CODE not in s_header:
            raise WorkbookError(
                _("「%(sheet)s」表第 1 行没有“%(column)s”列。") % {"sheet": sheet.name, "column": CODE}
            )
        known = [c.header for c in sheet.columns]
        missing = [c.header for c in sheet.columns if c.required and c.header not in s_header]
        if missing:
            raise WorkbookError(
                _("「%(sheet)s」表第 1 行缺少这些列：%(columns)s。")
                % {"sheet": sheet.name, "columns": "、".join(missing)}
            )
        under[sheet.name] = {code: SheetRows(sheet.name) for code in codes}
        s_at = s_header.index(CODE)
        for number, values in s_body:
            code = _text(values[s_at])
            if code not in codes:
                raise WorkbookError(
                    _("「%(sheet)s」表第 %(row)s 行的事项编码“%(code)s”不在「%(items)s」表中。")
                    % {"sheet": sheet.name, "row": number, "code": code, "items": SHEET_ITEMS}
                )
            cells = {h: v for h, v in zip(s_header, values, strict=False) if h in known}
            under[sheet.name][code].append((number, cells))
    headers = [h for h in header if h] + [ROW, *under]
    dataset = tablib.Dataset(headers=headers)
    for number, values in body:
        item_cells = [v for h, v in zip(header, values, strict=False) if h]
        code = _text(values[at])
        dataset.append(item_cells + [number, *(under[name][code] for name in under)])
    return dataset


def catalogue_import(dataset: Any, *, dry_run: bool = False, user: Any = None) -> Any:
    """Import a Dataset read from a workbook; any row error rolls everything back. Returns the Result."""
    with transaction.atomic():
        result = ItemResource().import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
            user=user,
        )
    return result


def catalogue_export(queryset: Any = None) -> bytes:
    """The catalogue (or the items given) as the workbook."""
    return workbook_bytes(ItemResource().export(queryset=queryset))
