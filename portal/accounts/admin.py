from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, User, Window


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "short_name", "is_efficiency_office", "is_active", "is_legacy"]
    list_filter = ["is_active", "is_efficiency_office", "is_legacy"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "is_active"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Personal data is masked in lists; the full value is only on the change form.
    list_display = ["username", "display_name", "masked_id", "masked_phone_number", "department", "window", "is_active"]
    list_filter = ["groups", "department", "applicant_kind", "is_active"]
    search_fields = ["username", "real_name", "enterprise_name", "phone", "id_number", "credit_code"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("实名信息与岗位"), {"fields": ("applicant_kind", "real_name", "id_number", "enterprise_name",
                                       "credit_code", "phone", "department", "window", "preferred_language",
                                       "notify_sms", "notify_email")}),
    )

    @admin.display(description=_("证件号码"))
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number

    @admin.display(description=_("手机号码"))
    def masked_phone_number(self, obj: User) -> str:
        return obj.masked_phone
