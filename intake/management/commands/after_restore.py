"""``manage.py after_restore``: run once after restoring a backup, before the workers start sending.

A backup knows nothing of what happened after it was taken: reference numbers already sent to citizens,
ids already in links. This command
1. moves every reference counter (``SP-…``, ``TS-…``) of the last ``--days`` days and of every day named
   in the gateway log past what may have been issued: at least ``--margin`` further than the backup says,
   and past the highest number seen in the SMS gateway's log (``--gateway-log``; the file gateway's
   directory by default);
2. moves every PostgreSQL sequence (row ids) ``--id-margin`` further, so an id in an old link or URL is
   never given to a new row;
3. lifts the sending hold that ``manage.py backup`` put into the dump, and queues the waiting deliveries.
Delivery idempotency keys are UUIDs and signed links carry a per-case secret, so those need no moving."""

import datetime
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from intake.models import ReferenceCounter
from portal.notifications import services as notifications
from portal.notifications.models import SendingHold

REFERENCE = re.compile(r"\b([A-Z]{2,4})-(\d{8})-(\d{4,6})\b")
PREFIXES = ("SP", "TS")


def references_in_log(path: Path) -> dict[tuple[str, datetime.date], int]:
    """The highest serial per (prefix, day) in the gateway's files (texts of the messages sent)."""
    seen: dict[tuple[str, datetime.date], int] = defaultdict(int)
    files = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
    for file in files:
        if not file.is_file():
            continue
        text = file.read_text("utf-8", errors="replace")  # references are ASCII, also in JSON
        for prefix, day, serial in REFERENCE.findall(text):
            try:
                when = datetime.datetime.strptime(day, "%Y%m%d").date()  # noqa: DTZ007 - a date
            except ValueError:
                continue
            seen[(prefix, when)] = max(seen[(prefix, when)], int(serial))
    return dict(seen)


class Command(BaseCommand):
    help = "After restoring a backup: move reference counters and sequences on, then allow sending again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--margin", type=int, default=getattr(settings, "RESTORE_REFERENCE_MARGIN", 500))
        parser.add_argument("--id-margin", type=int, default=getattr(settings, "RESTORE_ID_MARGIN", 100_000))
        parser.add_argument("--days", type=int, default=7, help="recent days whose counters are moved")
        parser.add_argument(
            "--gateway-log",
            default=str(getattr(settings, "SMS_FILE_DIR", "")),
            help="the SMS gateway's log or export (a file or a directory); '' for none",
        )

    def handle(
        self, *args: Any, margin: int, id_margin: int, days: int, gateway_log: str, **options: Any
    ) -> None:
        seen = references_in_log(Path(gateway_log)) if gateway_log else {}
        today = timezone.localdate()
        recent = [today - datetime.timedelta(days=n) for n in range(days + 1)]
        prefixes = set(PREFIXES) | set(ReferenceCounter.objects.values_list("prefix", flat=True))
        prefixes |= {prefix for prefix, _day in seen}
        keys = {(prefix, day) for prefix in prefixes for day in recent} | set(seen)
        moved = 0
        with transaction.atomic():
            for prefix, day in sorted(keys):
                counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                    prefix=prefix, day=day, defaults={"last": 0}
                )
                target = max(counter.last + margin, seen.get((prefix, day), 0))
                if target != counter.last:
                    counter.last = target
                    counter.save(update_fields=["last"])
                    moved += 1
            sequences = 0
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT schemaname, sequencename FROM pg_sequences")
                    for schema, name in cursor.fetchall():
                        cursor.execute(
                            "SELECT setval(%s, COALESCE((SELECT last_value FROM pg_sequences "
                            "WHERE schemaname = %s AND sequencename = %s), 0) + %s)",
                            [f'"{schema}"."{name}"', schema, name, id_margin],
                        )
                        sequences += 1
            lifted, _per_model = SendingHold.objects.all().delete()
        queued = notifications.sweep(grace=datetime.timedelta(0))
        self.stdout.write(
            f"reference counters moved: {moved} (margin {margin}, {len(seen)} day(s) seen in the gateway log); "
            f"sequences moved: {sequences} (+{id_margin}); sending holds lifted: {lifted}; deliveries queued: {queued}"
        )
