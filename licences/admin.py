from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

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
    # the printed fields as a table under their labels, the PDF through the permission-checked download
    # (uploads have no public address: a plain file field would fail to draw its link)
    exclude = ["fields", "pdf"]
    readonly_fields = ["printed_fields", "pdf_link"]

    @admin.display(description=_("证面内容"))
    def printed_fields(self, obj: Licence) -> SafeString | str:
        rows = [(f.get("label", ""), f.get("value", "")) for f in obj.fields or [] if isinstance(f, dict)]
        if not rows:
            return "—"
        body = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', rows)
        return format_html('<table class="portal-snapshot" tabindex="0">{}</table>', body)

    @admin.display(description=_("证照文件"))
    def pdf_link(self, obj: Licence) -> SafeString | str:
        if not obj.pdf:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("licences:download", args=[obj.number]), _("下载证照（PDF）")
        )
