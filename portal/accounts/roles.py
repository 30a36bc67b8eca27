"""Role groups and their model permissions, kept in sync after every migrate.

Apps add the codenames their roles need here (``app_label.codename``); unknown codenames are ignored
so that a role can name a permission before the model exists.
"""

from typing import Any

from .constants import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CITIZEN: [],
    Role.ENTERPRISE: [],
    Role.CLERK: [],
    Role.REVIEWER: [],
    Role.DECIDER: [],
    Role.HEAD: [],
    Role.INSPECTOR: [],
    Role.CATALOGUE_ADMIN: [
        "intake.view_item",
        "intake.add_item",
        "intake.change_item",
        "intake.delete_item",
        "intake.view_material",
        "intake.add_material",
        "intake.change_material",
        "intake.delete_material",
        "intake.view_step",
        "intake.add_step",
        "intake.change_step",
        "intake.delete_step",
        "intake.view_formfield",
        "intake.add_formfield",
        "intake.change_formfield",
        "intake.delete_formfield",
        "intake.view_theme",
        "intake.add_theme",
        "intake.change_theme",
        "workcalendar.view_calendarday",
        "workcalendar.add_calendarday",
        "workcalendar.change_calendarday",
        "workcalendar.delete_calendarday",
        "workcalendar.view_calendaryear",
        "workcalendar.add_calendaryear",
        "workcalendar.change_calendaryear",
        "accounts.view_department",
        "accounts.view_window",
    ],
}


# Each app may add its own ``<app>/roles.py`` with ``PERMISSIONS: dict[str, list[str]]`` (role → dotted
# codenames); they are merged here so that no app edits another's list.
APP_ROLE_MODULES = [
    "intake.roles",
    "approvals.roles",
    "supervision.roles",
    "complaints.roles",
    "portal.notifications.roles",
    "portal.workcalendar.roles",
]


def all_role_permissions() -> dict[str, list[str]]:
    import importlib

    merged: dict[str, list[str]] = {str(k): list(v) for k, v in ROLE_PERMISSIONS.items()}
    for name in APP_ROLE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for role, perms in getattr(module, "PERMISSIONS", {}).items():
            merged.setdefault(str(role), []).extend(perms)
    return merged


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    table = all_role_permissions()
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = table.get(role.value, [])
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
