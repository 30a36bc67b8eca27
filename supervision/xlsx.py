"""A small .xlsx writer for the supervision exports: one sheet per table, a bold frozen header row, column
widths, and cells of text, numbers, booleans, dates and date-times. It writes the few XML parts a
workbook needs straight into the zip file: openpyxl (even in write-only mode, through lxml) spent
≈ 35–45 ms on a monthly report's nine sheets, most of it the fixed parts (styles, theme, properties)
and a cell object per value, which made the Excel report cost twice the CSV one (issue 19)."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# characters XML 1.0 does not allow (openpyxl refuses them; a report drops them)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 (Excel's day 0; its date-times are naive)
# style ids of styles.xml below: 0 plain, 1 bold (the header row), 2 date, 3 date and time
_BOLD, _DATE, _DATETIME = 1, 2, 3

_CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _text(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value)}</t></is>"


def _cell(ref: str, value: Any, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":  # an empty cell, as openpyxl writes an empty string
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, datetime.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86400
        return f'<c r="{ref}" s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH.date()).days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"{s}>{_text(str(value))}</c>'


def _sheet(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    letters = [column_letter(i) for i in range(1, max(len(headers), 1) + 1)]
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">',
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
    ]
    if headers:
        parts.append("<cols>")
        for i, header in enumerate(headers, start=1):
            width = max(10, min(40, len(header) * 2 + 2))
            parts.append(f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>')
        parts.append("</cols>")
    parts.append('<sheetData><row r="1">')
    parts.extend(_cell(f"{letters[i]}1", h, _BOLD) for i, h in enumerate(headers))
    parts.append("</row>")
    for r, row in enumerate(rows, start=2):
        while len(letters) < len(row):
            letters.append(column_letter(len(letters) + 1))
        parts.append(f'<row r="{r}">')
        parts.extend(_cell(f"{letters[i]}{r}", v) for i, v in enumerate(row))
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def _unique_titles(titles: Iterable[str]) -> list[str]:
    """Sheet names as openpyxl gives them: at most 31 characters, a repeated one numbered (name1, name2)."""
    out: list[str] = []
    for title in titles:
        name = title[:31] or "Sheet"
        base, n = name, 0
        while name in out:
            n += 1
            name = f"{base}{n}"
        out.append(name)
    return out


def workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """(title, headers, rows) per sheet → the bytes of an .xlsx file."""
    titles = _unique_titles(title for title, _h, _r in sheets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr("[Content_Types].xml", _CONTENT_TYPES_HEAD + overrides + "</Types>")
        z.writestr("_rels/.rels", _ROOT_RELS)
        entries = "".join(
            f'<sheet name={quoteattr(_ILLEGAL.sub("", t))} sheetId="{i}" r:id="rId{i}"/>'
            for i, t in enumerate(titles, start=1)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        n = len(sheets) + 1
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}<Relationship Id="rId{n}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        z.writestr("xl/styles.xml", _STYLES)
        for i, (_title, headers, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(headers, rows))
    return out.getvalue()
