"""Fill the calendar from the ``chinesecalendar`` package (official State Council schedules)."""

from collections.abc import Iterable

import chinese_calendar
from django.db import transaction

from .constants import DayKind, DaySource
from .models import CalendarDay, CalendarYear

_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def known_years() -> list[int]:
    """The years the installed package has a published schedule for."""
    return sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})


@transaction.atomic
def seed_years(years: Iterable[int] | None = None) -> int:
    """Write the holidays and make-up working days of ``years`` (default: every known year) and mark
    those years published. Idempotent; returns the number of days written or updated."""
    from . import services

    wanted = set(known_years() if years is None else years) & set(known_years())
    written = 0
    for table, kind in (
        (chinese_calendar.holidays, DayKind.HOLIDAY),
        (chinese_calendar.workdays, DayKind.WORKDAY),
    ):
        for day, english in table.items():
            if day.year not in wanted:
                continue
            name = _CHINESE_NAMES.get(english, english)
            _, created = CalendarDay.objects.update_or_create(
                date=day, defaults={"kind": kind, "name": name, "source": DaySource.SEED}
            )
            written += 1
    for year in sorted(wanted):
        CalendarYear.objects.update_or_create(
            year=year, defaults={"published": True, "source": DaySource.SEED, "note": "chinesecalendar"}
        )
    transaction.on_commit(services.invalidate)
    services.invalidate()
    return written
