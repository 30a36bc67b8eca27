from typing import Any

from django.contrib import admin

from portal.history_admin import HistoryAdmin

from . import writes
from .models import CalendarDay, CalendarYear

# Every edit here (a revert from the history included) goes through the calendar's one write path
# (writes.py): history with the admin's name, and the running cases' due dates recomputed on commit.


@admin.register(CalendarYear)
class CalendarYearAdmin(HistoryAdmin):
    list_display = ["year", "published", "source", "note"]
    list_filter = ["published", "source"]

    def save_model(self, request: Any, obj: CalendarYear, form: Any, change: bool) -> None:
        writes.year_save(year=obj, actor=request.user)

    def delete_model(self, request: Any, obj: CalendarYear) -> None:
        writes.year_delete(year=obj, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            writes.year_delete(year=obj, actor=request.user)


@admin.register(CalendarDay)
class CalendarDayAdmin(HistoryAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request: Any, obj: CalendarDay, form: Any, change: bool) -> None:
        writes.day_save(day=obj, actor=request.user)

    def delete_model(self, request: Any, obj: CalendarDay) -> None:
        writes.day_delete(day=obj, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            writes.day_delete(day=obj, actor=request.user)
