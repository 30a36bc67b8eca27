"""Cases in the admin: read-only for every user, the superuser included, history viewable but never
reverted — a case changes only through its transitions (portal/readonly_admin.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.history_admin import HistoryAdmin
from portal.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import Case, CaseTransition, OpinionPhrase, SubApproval, Suspension


class TransitionInline(ReadOnlyTabularInline):
    model = CaseTransition
    readonly_fields = fields = ("at", "action", "from_state", "to_state", "actor", "reason", "data")

    @admin.display(description=_("操作"))
    def action(self, obj: CaseTransition) -> str:
        return obj.action_label


@admin.register(Case)
class CaseAdmin(ReadOnlyHistoryAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnlyAdmin):
    """The transition log: append-only, written by the case services."""

    list_display = ["at", "case", "action", "from_state", "to_state", "actor"]
    list_filter = ["to_state"]
    search_fields = ["case__reference"]
    list_select_related = ["case", "actor"]
    readonly_fields = ["case", "at", "action", "from_state", "to_state", "actor", "reason", "data"]

    @admin.display(description=_("操作"))
    def action(self, obj: CaseTransition) -> str:
        return obj.action_label


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["case", "kind", "started_on", "resumed_on", "expected_days"]
    list_filter = ["kind"]
    readonly_fields = ["case", "kind", "reason", "expected_days", "started_on", "resumed_on", "started_by"]


@admin.register(SubApproval)
class SubApprovalAdmin(ReadOnlyHistoryAdmin):
    list_display = ["case", "department", "due_on", "answer", "answered_at"]
    list_filter = ["answer", "department"]
    readonly_fields = ["case", "department", "due_on", "answer", "opinion", "answered_by", "answered_at"]


@admin.register(OpinionPhrase)
class OpinionPhraseAdmin(HistoryAdmin):
    """The common opinion phrases the reviewer and the decider pick from: catalogue data, edited here with
    history (who, when, what). A phrase no longer offered is retired by unticking 在用, not deleted."""

    list_display = ["text", "transition", "order", "active"]
    list_filter = ["transition", "active"]
    list_editable = ["order", "active"]
    search_fields = ["text"]

    def has_delete_permission(self, request, obj=None):
        return False
