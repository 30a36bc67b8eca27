from django.contrib import admin

from portal.history_admin import HistoryAdmin
from portal.readonly_admin import ReadOnlyHistoryAdmin

from .models import Licence, LicenceType


@admin.register(LicenceType)
class LicenceTypeAdmin(HistoryAdmin):
    list_display = ["code", "title", "numbering_pattern", "validity_years", "issuing_department"]
    search_fields = ["code", "title"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyHistoryAdmin):
    """Read-only: licences change only through their services (issue, revoke, re-issue)."""

    list_display = [
        "number",
        "title",
        "holder_name",
        "issuing_department",
        "issued_on",
        "valid_until",
        "status",
    ]
    list_filter = ["status", "licence_type"]
    search_fields = ["number", "holder_name"]
