"""Human-readable, unique, race-free reference numbers: ``SP-20261122-000123`` (per-day serial)."""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.compiled_sql import bound_cursor
from portal.exceptions import ApplicationError
from portal.notifications.models import SendingHold

from ..models import ReferenceCounter


class RestorePending(ApplicationError):
    status_code = 503


def next_reference(prefix: str = "SP", day: datetime.date | None = None, width: int = 6) -> str:
    """Must run inside the caller's transaction: the counter row stays locked until it commits.

    Refused (503) while the database is a restored backup that `manage.py after_restore` has not moved on
    yet: the counters may be behind numbers already sent to citizens (docs/operations.md)."""
    day = day or timezone.localdate()
    last = _advance(prefix, day)
    while last is None:  # on hold, or the day's first number
        if SendingHold.objects.exists():
            raise RestorePending(_("系统正在维护，暂时不能提交，请稍后再试。"))
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, day=day, last=0)
        except IntegrityError:
            pass  # another transaction created it first
        last = _advance(prefix, day)
    return f"{prefix}-{day:%Y%m%d}-{last:0{width}d}"


def _advance(prefix: str, day: datetime.date) -> int | None:
    """The day's counter moved on by one, its row locked until the caller's transaction ends, and its new
    value; None (nothing changed) while a sending hold exists or when the day has no counter row yet.

    One statement instead of three (the hold's check, the row read ``FOR UPDATE``, its update): the same
    lock, the same numbers (an UPDATE that waits for another transaction's lock re-reads the row it then
    updates). UPDATE … RETURNING: PostgreSQL, and SQLite from 3.35."""
    qn = connection.ops.quote_name
    counters = qn(ReferenceCounter._meta.db_table)
    holds = qn(SendingHold._meta.db_table)
    # the same text every time: prepared on PostgreSQL (portal.compiled_sql.bound_cursor)
    with bound_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {counters} SET {qn('last')} = {qn('last')} + 1"  # noqa: S608 - names, not input
            f" WHERE {qn('prefix')} = %s AND {qn('day')} = %s AND NOT EXISTS (SELECT 1 FROM {holds})"
            f" RETURNING {qn('last')}",
            [prefix, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])
