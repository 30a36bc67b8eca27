"""Human-readable, unique, race-free reference numbers: ``SP-20261122-000123`` (per-day serial)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ReferenceCounter


def next_reference(prefix: str = "SP", day: datetime.date | None = None, width: int = 6) -> str:
    """Must run inside the caller's transaction: the counter row stays locked until it commits."""
    day = day or timezone.localdate()
    counter = ReferenceCounter.objects.select_for_update().filter(prefix=prefix, day=day).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, day=day, last=0)
        except IntegrityError:
            pass  # another transaction created it first
        counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{day:%Y%m%d}-{counter.last:0{width}d}"
