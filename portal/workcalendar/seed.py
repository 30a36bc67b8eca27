"""Fill the calendar from the ``chinesecalendar`` package (official State Council schedules)."""

from collections.abc import Iterable

import chinese_calendar
from django.db import transaction

from .constants import DayKind, DaySource

_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def known_years() -> list[int]:
    """The years the installed package has a published schedule for."""
    return sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})


@transaction.atomic
def seed_years(years: Iterable[int] | None = None) -> int:
    """Write the holidays and make-up working days of ``years`` (default: every known year) and mark
    those years published, through the calendar's one write path. Idempotent; returns the number of
    dated days of those years."""
    from . import writes

    wanted = set(known_years() if years is None else years) & set(known_years())
    rows: list[writes.DayRow] = []
    for table, kind in (
        (chinese_calendar.holidays, DayKind.HOLIDAY),
        (chinese_calendar.workdays, DayKind.WORKDAY),
    ):
        for day, english in table.items():
            if day.year in wanted:
                rows.append((day, kind, _CHINESE_NAMES.get(english, english)))
    writes.calendar_write(
        actor=None,
        reason="seed",
        source=DaySource.SEED,
        rows=rows,
        years=dict.fromkeys(sorted(wanted), True),
        note="国务院节假日安排（内置数据）",
    )
    return len(rows)
