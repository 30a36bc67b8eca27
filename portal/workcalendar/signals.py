"""Keep the in-memory calendar index fresh when a calendar row changes (whatever writes it: the admin,
an import, a seed). A cache side effect, nothing more: moving the running cases' due dates after a
calendar change is an explicit call (``writes`` → ``portal.flows.calendar_changed``)."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarDay, CalendarYear
from .services import invalidate


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="workcalendar.day_changed")
@receiver([post_save, post_delete], sender=CalendarYear, dispatch_uid="workcalendar.year_changed")
def _calendar_row_changed(sender: Any, **kwargs: Any) -> None:
    invalidate()
