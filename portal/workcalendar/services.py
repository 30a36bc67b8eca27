"""The work-calendar service (DESIGN §4): due dates and counted days, from an in-memory index.

Rules, precisely:
- a start day A is never counted; the counted days are the d with A < d <= D that are working days
  (or any day, for natural-day limits) and not inside a suspension;
- a suspension from F (start) to T (resume) takes out the days F < d <= T;
- the due date for a limit N is the first D at which the count reaches N (D = A for N = 0);
- a date falling in a year without a published schedule uses weekends-off and is *provisional*.

The index holds every override and the published years and answers without a query per call. It is
rebuilt when the calendar changes: in this process at once (signals), in other processes (the Celery
worker, other web workers) within ``CHECK_SECONDS`` through a version number kept in the cache.
"""

from __future__ import annotations

import bisect
import datetime
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache

from .constants import DayKind, LimitUnit

Suspension = tuple[datetime.date, datetime.date | None]

log = logging.getLogger(__name__)
_VERSION_KEY = "workcalendar:version"
CHECK_SECONDS = 10.0
_SPAN_START = datetime.date(2000, 1, 1)
_SPAN_END = datetime.date(2060, 12, 31)


@dataclass(frozen=True)
class DueDate:
    date: datetime.date
    provisional: bool


class CalendarError(ValueError):
    """Bad arguments to the calendar service (negative limits, end before start, unknown unit)."""


class _Index:
    def __init__(self, overrides: dict[datetime.date, bool], published: frozenset[int]) -> None:
        self.overrides = overrides
        self.published = published
        self.base = _SPAN_START.toordinal()
        n = _SPAN_END.toordinal() - self.base + 1
        # cum[i] = number of working days among the first i days of the span (day 0 = _SPAN_START).
        cum = [0] * (n + 1)
        workday_ordinals: list[int] = []
        day = _SPAN_START
        one = datetime.timedelta(days=1)
        for i in range(n):
            work = self._is_workday_raw(day)
            cum[i + 1] = cum[i] + work
            if work:
                workday_ordinals.append(self.base + i)
            day += one
        self.cum = cum
        self.workday_ordinals = workday_ordinals

    def _is_workday_raw(self, day: datetime.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return day.weekday() < 5

    def is_workday(self, day: datetime.date) -> bool:
        return self._is_workday_raw(day)

    def workdays_upto(self, day: datetime.date) -> int:
        """Working days in [_SPAN_START, day]."""
        i = day.toordinal() - self.base
        if i < 0:
            raise CalendarError(f"date {day} is before the calendar's span")
        if i >= len(self.cum) - 1:
            raise CalendarError(f"date {day} is after the calendar's span")
        return self.cum[i + 1]


_lock = threading.Lock()
_index: _Index | None = None
_index_version: int | None = None
_checked_at = 0.0


def _load() -> _Index:
    from .models import CalendarDay, CalendarYear

    overrides = {d: (k == DayKind.WORKDAY) for d, k in CalendarDay.objects.values_list("date", "kind")}
    published = frozenset(CalendarYear.objects.filter(published=True).values_list("year", flat=True))
    return _Index(overrides, published)


cache_fallbacks = 0


def _current_version() -> int:
    """The calendar's version in the shared cache. With the cache (Redis) down this process keeps the index
    it has (calendar edits are rare; the next check after the cache is back picks them up): counted and
    logged, never an error on a case page (issue 17)."""
    global cache_fallbacks
    try:
        return int(cache.get(_VERSION_KEY) or 0)
    except Exception as exc:  # noqa: BLE001 - any error of the shared cache
        cache_fallbacks += 1
        log.warning("calendar version: shared cache unavailable (%s), keeping this process's index", exc)
        return _index_version if _index_version is not None else -1


def get_index() -> _Index:
    global _index, _index_version, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < CHECK_SECONDS:
        return _index
    with _lock:
        version = _current_version()
        if _index is None or version != _index_version:
            _index = _load()
            _index_version = version
        _checked_at = time.monotonic()
        return _index


def invalidate() -> None:
    """Call after any change to the calendar: drops this process's index and tells the others."""
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0
    try:
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:
            cache.set(_VERSION_KEY, int(time.time()), None)
    except Exception as exc:  # noqa: BLE001 - the shared cache is down: other processes catch up later
        log.warning("calendar version not bumped, shared cache unavailable: %s", exc)


# --- public API ---------------------------------------------------------------------------------


def is_workday(day: datetime.date) -> bool:
    return get_index().is_workday(day)


def is_provisional(day: datetime.date) -> bool:
    """True when ``day`` lies in a year whose official schedule has not been entered."""
    return day.year not in get_index().published


def _range_provisional(start: datetime.date, end: datetime.date) -> bool:
    published = get_index().published
    return any(y not in published for y in range(start.year, end.year + 1))


def _check_unit(unit: str) -> None:
    if unit not in (LimitUnit.WORKING, LimitUnit.NATURAL):
        raise CalendarError(f"unknown limit unit {unit!r}")


def _normalised(suspensions: Iterable[Suspension], today: datetime.date | None) -> list[tuple[int, int]]:
    """Suspensions as ordinal half-open intervals (F, T]; an open one (T=None) runs to ``today``."""
    out: list[tuple[int, int]] = []
    for start, stop in suspensions:
        end = stop if stop is not None else (today or start)
        if end > start:
            out.append((start.toordinal(), end.toordinal()))
    out.sort()
    merged: list[tuple[int, int]] = []
    for f, t in out:
        if merged and f <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], t))
        else:
            merged.append((f, t))
    return merged


def _counted(idx: _Index, a: int, b: int, unit: str) -> int:
    """Counted days d with a < d <= b (ordinals), suspensions ignored."""
    if b <= a:
        return 0
    if unit == LimitUnit.NATURAL:
        return b - a
    da = datetime.date.fromordinal(a)
    db = datetime.date.fromordinal(b)
    return idx.workdays_upto(db) - idx.workdays_upto(da)


def count_days(
    start: datetime.date,
    end: datetime.date,
    *,
    unit: str = LimitUnit.WORKING,
    suspensions: Sequence[Suspension] = (),
) -> int:
    """Counted days d with start < d <= end, skipping suspended intervals. 0 when end <= start."""
    _check_unit(unit)
    idx = get_index()
    a, b = start.toordinal(), end.toordinal()
    total = _counted(idx, a, b, unit)
    for f, t in _normalised(suspensions, end):
        lo, hi = max(f, a), min(t, b)
        if hi > lo:
            total -= _counted(idx, lo, hi, unit)
    return total


def add_days(
    start: datetime.date,
    n: int,
    *,
    unit: str = LimitUnit.WORKING,
    suspensions: Sequence[Suspension] = (),
) -> DueDate:
    """The first day D at which the counted days after ``start`` reach ``n`` (D = start for n = 0).

    Closed suspensions push the date out by the counted days they take; an open suspension
    (resume date None) is taken to last until the due date is reached, i.e. it has no end yet: the
    caller recomputes on resumption.
    """
    _check_unit(unit)
    if n < 0:
        raise CalendarError("the number of days must not be negative")
    if n == 0:
        return DueDate(start, is_provisional(start))
    idx = get_index()
    intervals = _normalised([(f, t) for f, t in suspensions if t is not None], None)
    a = start.toordinal()
    remaining = n
    cursor = a
    for f, t in intervals:
        if t <= cursor:
            continue
        seg_end = max(f, cursor)
        available = _counted(idx, cursor, seg_end, unit)
        if available >= remaining:
            break
        remaining -= available
        cursor = max(t, cursor)
    due_ord = _nth_after(idx, cursor, remaining, unit)
    due = datetime.date.fromordinal(due_ord)
    return DueDate(due, _range_provisional(start, due))


def _nth_after(idx: _Index, cursor: int, n: int, unit: str) -> int:
    """Ordinal of the n-th counted day after ``cursor`` (n >= 1), ignoring suspensions."""
    if n <= 0:
        return cursor
    if unit == LimitUnit.NATURAL:
        return cursor + n
    already = idx.workdays_upto(datetime.date.fromordinal(cursor))
    target = already + n  # cum value to reach
    pos = bisect.bisect_left(idx.workday_ordinals, cursor + 1)
    # workday_ordinals[k] is the (k+1)-th working day of the span; we need the one with rank `target`.
    k = target - 1
    if k >= len(idx.workday_ordinals) or pos > k:
        raise CalendarError("due date falls after the calendar's span")
    return idx.workday_ordinals[k]
