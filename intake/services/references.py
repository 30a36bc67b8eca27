"""Human-readable, unique, race-free reference numbers: ``SP-20261122-000123`` (per-day serial)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError
from portal.notifications.models import SendingHold

from ..models import ReferenceCounter


class RestorePending(ApplicationError):
    status_code = 503


def next_reference(prefix: str = "SP", day: datetime.date | None = None, width: int = 6) -> str:
    """Must run inside the caller's transaction: the counter row stays locked until it commits.

    Refused (503) while the database is a restored backup that `manage.py after_restore` has not moved on
    yet: the counters may be behind numbers already sent to citizens (docs/operations.md)."""
    if SendingHold.objects.exists():
        raise RestorePending(_("系统正在维护，暂时不能提交，请稍后再试。"))
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
