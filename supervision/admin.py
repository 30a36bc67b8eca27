from django.contrib import admin

from portal.history_admin import HistoryAdmin
from portal.readonly_admin import ReadOnlyHistoryAdmin

from .models import AccountabilityFinding, Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(HistoryAdmin):
    list_display = ["level", "department", "item", "days", "active", "note"]
    list_filter = ["level", "active"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["item"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyHistoryAdmin):
    """An alert changes through its services (explain, review, close): read-only here."""

    list_display = ["case", "level", "step", "department", "due", "state", "raised_at", "closed_at"]
    list_filter = ["level", "state", "department"]
    search_fields = ["case__reference"]
    raw_id_fields = ["case", "explained_by", "reviewed_by"]
    readonly_fields = ["case", "level", "step", "department", "due", "raised_at", "closed_at", "scan_token"]
    date_hierarchy = "raised_at"


@admin.register(AccountabilityFinding)
class AccountabilityFindingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["recorded_at", "department", "person", "kind", "recorded_by"]
    list_filter = ["kind", "department"]
    raw_id_fields = ["alert", "case", "person", "recorded_by"]
