"""The hall in the Django admin: business types and window groups (windows served, capacity per half-day,
opening hours by weekday) with full history; appointments, numbers and the call log read-only."""

from django.contrib import admin

from portal.history_admin import HistoryAdmin
from portal.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from .models import Appointment, BusinessType, CallRecord, OpeningHours, Ticket, WaitAlert, WindowGroup


@admin.register(BusinessType)
class BusinessTypeAdmin(HistoryAdmin):
    list_display = ["code", "name", "department", "is_active", "order"]
    list_filter = ["is_active", "department"]
    filter_horizontal = ["items"]
    search_fields = ["code", "name"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "morning_from", "morning_to", "afternoon_from", "afternoon_to"]


@admin.register(WindowGroup)
class WindowGroupAdmin(HistoryAdmin):
    list_display = ["name", "morning_capacity", "afternoon_capacity", "is_active"]
    filter_horizontal = ["windows", "business_types"]
    inlines = [OpeningHoursInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["date", "half", "business_type", "group", "state", "created_at"]
    list_filter = ["state", "date", "business_type"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "date",
        "number",
        "state",
        "priority",
        "window",
        "issued_at",
        "first_called_at",
        "finished_at",
    ]
    list_filter = ["date", "state", "business_type"]


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "ticket", "action", "window", "to_window"]
    list_filter = ["action"]


@admin.register(WaitAlert)
class WaitAlertAdmin(ReadOnlyAdmin):
    list_display = ["date", "business_type", "longest_wait_minutes", "raised_at"]
