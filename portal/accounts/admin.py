from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal import pii
from portal.history_admin import HistoryAdmin

from .constants import Role
from .models import ApiToken, Department, RoleGroup, User, Window
from .validators import validate_resident_id


@admin.register(Department)
class DepartmentAdmin(HistoryAdmin):
    list_display = ["code", "name", "short_name", "is_efficiency_office", "is_active", "is_legacy"]
    list_filter = ["is_active", "is_efficiency_office", "is_legacy"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "is_active"]


class PortalUserChangeForm(UserChangeForm):
    """The resident ID number is never shown in full to staff: the form shows it masked and takes a
    corrected number (validated, stored encrypted) only when one is typed in."""

    id_number_correction = forms.CharField(
        label=_("更正居民身份证号码"),
        max_length=18,
        required=False,
        help_text=_("仅在需要更正时填写；已登记的号码只以脱敏形式显示。"),
    )

    def clean_id_number_correction(self) -> str:
        value = pii.normalise(self.cleaned_data.get("id_number_correction"))
        if value:
            validate_resident_id(value)
        return value

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("id_number_correction"):
            self.instance.id_number = self.cleaned_data["id_number_correction"]
        return super().save(commit=commit)


def role_label(name: str) -> str:
    """A role's group by the role's Chinese name (the group is named by the role's code)."""
    return str(Role(name).label) if name in Role.values else name


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Role.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Personal data is masked in lists and on the form; an exact ID number finds the account by its hash.
    form = PortalUserChangeForm
    list_display = [
        "username",
        "shown_name",
        "masked_id",
        "masked_phone_number",
        "department",
        "window",
        "is_active",
    ]
    list_filter = [RoleFilter, "department", "applicant_kind", "is_active"]
    search_fields = ["username", "real_name", "enterprise_name", "phone", "credit_code"]
    readonly_fields = ["masked_id"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("实名信息与岗位"),
            {
                "fields": (
                    "applicant_kind",
                    "real_name",
                    "masked_id",
                    "id_number_correction",
                    "enterprise_name",
                    "credit_code",
                    "phone",
                    "department",
                    "window",
                    "is_window_supervisor",
                    "preferred_language",
                    "notify_sms",
                    "notify_email",
                )
            },
        ),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = pii.normalise(search_term)
        if pii.RESIDENT_ID_RE.fullmatch(term):
            results |= queryset.filter(id_number_hash__in=pii.lookup_hashes(term))
        return results, may_have_duplicates

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: role_label(group.name)  # type: ignore[method-assign,assignment]  # per-instance label, as Django documents
        if db_field.name == "user_permissions" and field is not None:
            permissions_in_words(field)
        return field

    @admin.display(description=_("姓名或名称"))
    def shown_name(self, obj: User) -> str:
        return obj.display_name

    @admin.display(description=_("证件号码"))
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number

    @admin.display(description=_("手机号码"))
    def masked_phone_number(self, obj: User) -> str:
        return obj.masked_phone


# The permissions an admin grants, in words: the portal's own models only (not Django's sessions, log entries
# or the history tables), each as 「app｜model｜action」 by their Chinese names, as ticked checkboxes.
PERMISSION_ACTIONS = {"add": _("新增"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}
PORTAL_APPS = {
    "accounts",
    "workcalendar",
    "notifications",
    "intake",
    "approvals",
    "supervision",
    "complaints",
    "licences",
    "hall",
}


def permission_label(permission: Permission) -> str:
    from django.apps import apps

    model = permission.content_type.model_class()
    if model is None:
        return str(permission.name)
    action, _sep, _rest = permission.codename.partition("_")
    app = apps.get_app_config(permission.content_type.app_label).verbose_name
    if action in PERMISSION_ACTIONS and permission.codename == f"{action}_{model._meta.model_name}":
        return f"{app}｜{model._meta.verbose_name}｜{PERMISSION_ACTIONS[action]}"
    return f"{app}｜{model._meta.verbose_name}｜{permission.name}"


def permissions_in_words(field: Any) -> Any:
    field.queryset = (
        field.queryset.filter(content_type__app_label__in=PORTAL_APPS)
        .exclude(content_type__model__startswith="historical")
        .select_related("content_type")
    )
    field.widget = forms.CheckboxSelectMultiple(choices=field.widget.choices)
    field.label_from_instance = permission_label
    field.help_text = ""
    return field


class RoleGroupAdmin(GroupAdmin):
    """Django's groups, one per role, listed by the role's Chinese name (the group keeps the role's code)."""

    list_display = ["role"]
    filter_horizontal = ()

    @admin.display(description=_("角色"), ordering="name")
    def role(self, obj: Group) -> str:
        return role_label(obj.name)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest | None = None, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return permissions_in_words(field) if db_field.name == "permissions" and field is not None else field


admin.site.unregister(Group)
admin.site.register(RoleGroup, RoleGroupAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Devices' API tokens: seen and revoked (deleted) here, made only by signing in through the API."""

    list_display = ["key", "owner", "issued", "expires"]
    search_fields = ["token_key", "user__username"]
    readonly_fields = ("key", "owner", "issued", "expires")
    fields = tuple(readonly_fields)
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("令牌前缀"))
    def key(self, obj: ApiToken) -> str:
        return f"{obj.token_key}…"

    @admin.display(description=_("用户"), ordering="user__username")
    def owner(self, obj: ApiToken) -> str:
        return str(obj.user)

    @admin.display(description=_("签发时间"), ordering="created")
    def issued(self, obj: ApiToken) -> Any:
        return obj.created

    @admin.display(description=_("到期时间"), ordering="expiry")
    def expires(self, obj: ApiToken) -> Any:
        return obj.expiry or _("长期有效")


# knox's own admin and DRF's token admin name their models in English; DRF's tokens are no longer accepted
# (portal/settings.py), knox's are listed above under 用户与组织
def _unregister_token_admins() -> None:
    from knox.models import AuthToken
    from rest_framework.authtoken.models import TokenProxy

    for model in (AuthToken, TokenProxy):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_token_admins()
