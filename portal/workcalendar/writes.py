"""The one write path of the work calendar (DESIGN §4): the admin, the seed from the chinesecalendar
package and the CSV import all write through here. Every row written or removed gets a history row (who,
why); the in-memory index is dropped; and once the write is committed the running cases' due dates are
recomputed (``portal.flows.calendar_changed``: the recompute writes each moved case's history and clears
"provisional" once its years are published)."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from portal import flows
from portal.audit import set_audit

from . import services
from .models import CalendarDay, CalendarYear

DayRow = tuple[datetime.date, str, str]  # (date, kind, name)


def _changed(years: Iterable[int]) -> list[int]:
    """Drop the index now (this process reads the new calendar at once) and queue the recompute of the
    running cases after commit."""
    changed = sorted(set(years))
    services.invalidate()
    if changed:
        transaction.on_commit(services.invalidate)
        transaction.on_commit(lambda: flows.calendar_changed(years=changed))
    return changed


@transaction.atomic
def calendar_write(
    *,
    actor: Any,
    reason: str,
    source: str,
    rows: Iterable[DayRow] = (),
    replace_years: Iterable[int] = (),
    years: Mapping[int, bool] | None = None,
    note: str = "",
) -> list[int]:
    """Write the dated days ``rows`` (created or updated; unchanged rows are left alone), remove the other
    days of ``replace_years`` (an import replaces a year's schedule), and mark ``years`` published or not.
    Returns the years whose calendar changed."""
    changed: set[int] = set()
    rows = list(rows)
    replace = set(replace_years)
    if replace:
        keep = {day for day, _kind, _name in rows}
        for stale in CalendarDay.objects.filter(date__year__in=replace).exclude(date__in=keep):
            set_audit(stale, actor=actor, reason=reason)
            stale.delete()
            changed.add(stale.date.year)
    existing = {d.date: d for d in CalendarDay.objects.filter(date__in=[r[0] for r in rows])}
    for day, kind, name in rows:
        obj = existing.get(day) or CalendarDay(date=day)
        if obj.pk and (obj.kind, obj.name, obj.source) == (kind, name, source):
            continue
        obj.kind, obj.name, obj.source = kind, name, source
        set_audit(obj, actor=actor, reason=reason)
        obj.save()
        changed.add(day.year)
    for year, published in (years or {}).items():
        row = CalendarYear.objects.filter(year=year).first() or CalendarYear(year=year)
        if row.pk and (row.published, row.source, row.note) == (published, source, note or row.note):
            continue
        row.published, row.source = published, source
        row.note = note or row.note
        set_audit(row, actor=actor, reason=reason)
        row.save()
        changed.add(year)
    return _changed(changed)


@transaction.atomic
def day_save(*, day: CalendarDay, actor: Any, reason: str = "admin") -> list[int]:
    """An admin's edit of one dated day (a new holiday, a make-up working day, a correction)."""
    years = {day.date.year}
    if day.pk:
        before = CalendarDay.objects.filter(pk=day.pk).values_list("date", flat=True).first()
        if before is not None:
            years.add(before.year)
    set_audit(day, actor=actor, reason=reason)
    day.save()
    return _changed(years)


@transaction.atomic
def day_delete(*, day: CalendarDay, actor: Any, reason: str = "admin") -> list[int]:
    year = day.date.year
    set_audit(day, actor=actor, reason=reason)
    day.delete()
    return _changed([year])


@transaction.atomic
def year_save(*, year: CalendarYear, actor: Any, reason: str = "admin") -> list[int]:
    """An admin's edit of a year (typically: its official schedule entered, marked published)."""
    years = {year.year}
    if year.pk:
        before = CalendarYear.objects.filter(pk=year.pk).values_list("year", flat=True).first()
        if before is not None:
            years.add(before)
    set_audit(year, actor=actor, reason=reason)
    year.save()
    return _changed(years)


@transaction.atomic
def year_delete(*, year: CalendarYear, actor: Any, reason: str = "admin") -> list[int]:
    number = year.year
    set_audit(year, actor=actor, reason=reason)
    year.delete()
    return _changed([number])
