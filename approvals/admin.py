from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Case, CaseTransition, SubApproval, Suspension


class TransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    can_delete = False
    readonly_fields = ["at", "name", "from_state", "to_state", "actor", "reason", "data"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    """Read-only: cases change only through their transitions (services), never by hand."""

    list_display = [
        "reference",
        "item",
        "department",
        "state",
        "accepted_on",
        "promised_due",
        "statutory_due",
        "concluded_on",
    ]
    list_filter = ["state", "mode", "department"]
    search_fields = ["reference", "item__name"]
    date_hierarchy = "accepted_on"
    inlines = [TransitionInline]
    list_select_related = ["item", "department"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Suspension)
class SuspensionAdmin(SimpleHistoryAdmin):
    list_display = ["case", "kind", "started_on", "resumed_on", "expected_days"]
    list_filter = ["kind"]
    readonly_fields = ["case", "kind", "reason", "expected_days", "started_on", "resumed_on", "started_by"]


@admin.register(SubApproval)
class SubApprovalAdmin(SimpleHistoryAdmin):
    list_display = ["case", "department", "due_on", "answer", "answered_at"]
    list_filter = ["answer", "department"]
    readonly_fields = ["case", "department", "due_on", "answer", "opinion", "answered_by", "answered_at"]
