"""Ratings, tickets and complaints in the admin: read-only for everyone, history viewable, never reverted;
they change through their services (portal/readonly_admin.py)."""

from django.contrib import admin

from portal.readonly_admin import ReadOnlyHistoryAdmin

from .models import Complaint, Rating, RectificationTicket


@admin.register(Rating)
class RatingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["case", "overall", "channel", "department", "created_at", "voided", "appeal_state"]
    list_filter = ["overall", "channel", "voided", "appeal_state", "department"]
    readonly_fields = [f.name for f in Rating._meta.fields]


@admin.register(RectificationTicket)
class TicketAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "department", "state", "due_on", "created_at"]
    list_filter = ["state", "department"]
    readonly_fields = [f.name for f in RectificationTicket._meta.fields]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "number",
        "subject",
        "state",
        "channel",
        "masked_phone",
        "received_on",
        "due_on",
        "concluded_at",
    ]
    list_filter = ["state", "channel", "finding"]
    search_fields = ["number", "subject"]
    exclude = ["complainant_phone"]
    readonly_fields = ["number", "state", "received_at", "received_on", "concluded_at"]

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Complaint) -> str:
        from portal.accounts.validators import mask_phone

        return mask_phone(obj.complainant_phone)
