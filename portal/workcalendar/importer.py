"""Load a year's official schedule from a CSV file: ``date,kind,name`` (kind: holiday/workday or 休/班)."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction

from .constants import DayKind, DaySource

_KINDS = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}


@dataclass
class ImportResult:
    rows: list[tuple[datetime.date, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d, _, _ in self.rows})


def parse(text: str) -> ImportResult:
    """Validate every row; collect all errors with their row numbers (the header is row 1)."""
    result = ImportResult()
    reader = csv.reader(io.StringIO(text))
    seen: dict[datetime.date, int] = {}
    for number, row in enumerate(reader, start=1):
        if not row or all(not c.strip() for c in row):
            continue
        if number == 1 and row[0].strip().lower() in ("date", "日期"):
            continue
        if len(row) < 2:
            result.errors.append(f"第{number}行: 至少需要 date,kind 两列")
            continue
        raw_date, raw_kind = row[0].strip(), row[1].strip()
        name = row[2].strip() if len(row) > 2 else ""
        try:
            day = datetime.date.fromisoformat(raw_date)
        except ValueError:
            result.errors.append(f"第{number}行: 日期 {raw_date!r} 格式应为 YYYY-MM-DD")
            continue
        kind = _KINDS.get(raw_kind.lower())
        if kind is None:
            result.errors.append(f"第{number}行: 类型 {raw_kind!r} 应为 holiday/workday 或 休/班")
            continue
        if day in seen:
            result.errors.append(f"第{number}行: 日期 {day} 与第{seen[day]}行重复")
            continue
        if kind == DayKind.WORKDAY and day.weekday() < 5:
            result.errors.append(f"第{number}行: {day} 本是工作日，不能作为调休上班日")
            continue
        seen[day] = number
        result.rows.append((day, kind, name))
    if not result.rows and not result.errors:
        result.errors.append("文件中没有日期")
    return result


@transaction.atomic
def apply(result: ImportResult) -> None:
    """Replace the schedule of the years in ``result`` and mark them published (the calendar's one write
    path: history rows, and the running cases recomputed once committed)."""
    from . import writes

    writes.calendar_write(
        actor=None,
        reason="import",
        source=DaySource.IMPORT,
        rows=result.rows,
        replace_years=result.years,
        years=dict.fromkeys(result.years, True),
        note="官方安排导入",
    )
