"""Keep the in-memory index fresh and tell listeners (approvals recomputes open cases) on changes."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import CalendarDay, CalendarYear
from .services import invalidate

# Sent (once per change batch) after the calendar changed; approvals connects its recompute task.
calendar_changed = Signal()


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="workcalendar.day_changed")
@receiver([post_save, post_delete], sender=CalendarYear, dispatch_uid="workcalendar.year_changed")
def _calendar_row_changed(sender: Any, **kwargs: Any) -> None:
    invalidate()
