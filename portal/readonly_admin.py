"""Admin classes for the record: what happened to a case (the case, its transition log, suspensions,
sub-approvals, the application behind it, alerts, findings, ratings, tickets and complaints) is shown in
the admin, history included, but changed by nobody there — the superuser included. It changes only through
its services and transitions, which record who, when and why (DESIGN §3: "no screen, the admin included,
changes a case except through its transitions").

simple-history's "revert" saves a historical version back over the object with no transition recorded;
here the history can be read but a POST to a version page is refused."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from portal.history_admin import HistoryAdmin


class ReadOnlyAdminMixin:
    """No add, change or delete for anyone: view permission (which a superuser has) shows the object."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """The history list and each version can be viewed; nothing can be reverted."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
