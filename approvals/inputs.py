"""Limits and parsers of transition input, shared by the pages' forms (``forms.py``) and the API's
serializers (``serializers.py``), so both refuse the same things with the same Chinese messages.

Every text is bounded by the column it ends up in (or, for free text, by ``TEXT_MAX``), every list by a
number of entries, every number by a range; a value of the wrong type (an object where text is expected,
``true`` or ``2.5`` where a whole number is) is refused, never turned into text.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services.intake import CorrectionItem

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TEXT_MAX = 2000  # notes, reasons, opinions (text columns: bounded here)
MATERIAL_NAME_MAX = 200  # ApplicationMaterial.material_name
PROBLEM_MAX = 300  # ApplicationMaterial.check_note
CORRECTION_ITEMS_MAX = 50
DEFERRED_ITEMS_MAX = 20
USERNAME_MAX = 150  # User.username
TRACKING_NUMBER_MAX = 40  # Case.tracking_number
PLACE_MAX = 100
APPROVAL_DOCUMENT_MAX = 200  # the government head's approval of an extension beyond 10 days (Art. 42)
DAYS_MIN, DAYS_MAX = 1, 365

# Field messages (the API's serializers and the pages' forms name the limit differently).
REQUIRED = _("此项为必填项。")
TEXT_MESSAGES: "dict[str, StrOrPromise]" = {
    "required": REQUIRED,
    "blank": REQUIRED,
    "null": REQUIRED,
    "invalid": _("请输入文字。"),
    "max_length": _("内容过长（最多{max_length}字）。"),
}
FORM_TEXT_MESSAGES: "dict[str, StrOrPromise]" = {
    "required": REQUIRED,
    "max_length": _("内容过长（最多%(limit_value)d字）。"),
}
DAYS_RANGE = _("请输入1到365之间的整数。")
INTEGER_MESSAGES: "dict[str, StrOrPromise]" = {
    "required": REQUIRED,
    "null": REQUIRED,
    "invalid": _("请输入整数。"),
    "max_value": DAYS_RANGE,
    "min_value": DAYS_RANGE,
    "max_string_length": _("请输入整数。"),
}
CHOICE_MESSAGES: "dict[str, StrOrPromise]" = {
    "required": REQUIRED,
    "null": REQUIRED,
    "blank": REQUIRED,
    "invalid_choice": _("不是有效的选项。"),
}
DATE_MESSAGES: "dict[str, StrOrPromise]" = {
    "required": REQUIRED,
    "invalid": _("日期格式应为YYYY-MM-DD。"),
    "datetime": _("日期格式应为YYYY-MM-DD。"),
}


def _lines(raw: Any, *, what: "StrOrPromise") -> list[Any]:
    """A text with one entry per line, or a list of entries."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return raw.splitlines()
    if isinstance(raw, list | tuple):
        return list(raw)
    raise ValidationError(_("应为每行一项的文字，或由%(what)s组成的列表。") % {"what": what})


def _bounded_text(value: Any, *, limit: int) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("每一项都应是文字。"))
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(_("“%(start)s…”过长（最多%(n)s字）。") % {"start": value[:10], "n": limit})
    return value


def parse_deferred_materials(raw: Any) -> list[str]:
    """容缺: the materials to come later, one per line (or a list of names)."""
    names = [_bounded_text(line, limit=MATERIAL_NAME_MAX) for line in _lines(raw, what=_("材料名称"))]
    names = [name for name in names if name]
    if len(names) > DEFERRED_ITEMS_MAX:
        raise ValidationError(_("最多列出%(n)s项。") % {"n": DEFERRED_ITEMS_MAX})
    return names


def parse_correction_materials(raw: Any) -> list[CorrectionItem]:
    """A correction notice's list: lines of ``材料名称：问题`` (or a list of such lines, or of
    ``{"name", "problem"}`` objects). A line without a problem says the material is missing."""
    result: list[CorrectionItem] = []
    for entry in _lines(raw, what=_("“材料名称：问题”或{name, problem}")):
        if isinstance(entry, dict):
            name = _bounded_text(entry.get("name", ""), limit=MATERIAL_NAME_MAX)
            problem = _bounded_text(entry.get("problem", ""), limit=PROBLEM_MAX)
        else:
            text = _bounded_text(entry, limit=MATERIAL_NAME_MAX + PROBLEM_MAX + 1)
            if not text:
                continue
            name, _sep, problem = text.replace(":", "：").partition("：")
            name, problem = name.strip(), problem.strip()
            if len(name) > MATERIAL_NAME_MAX or len(problem) > PROBLEM_MAX:
                raise ValidationError(
                    _("材料名称最多%(name)s字，问题说明最多%(problem)s字。")
                    % {"name": MATERIAL_NAME_MAX, "problem": PROBLEM_MAX}
                )
        if not name:
            raise ValidationError(_("每项补正都要写明材料名称。"))
        result.append({"name": name, "problem": problem or str(_("缺少"))})
    if not result:
        raise ValidationError(_("请至少列出一项需补正的材料。"))
    if len(result) > CORRECTION_ITEMS_MAX:
        raise ValidationError(_("一次补正告知最多列出%(n)s项材料。") % {"n": CORRECTION_ITEMS_MAX})
    return result
