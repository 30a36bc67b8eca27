from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("用户与组织")

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from portal import admin_booleans
        from portal.clamav import check_scanner
        from portal.pii import check_key

        from .roles import sync_role_groups

        admin_booleans.install()  # the admin's yes/no icons say 是/否, not True/False
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        checks.register(check_key, checks.Tags.security, deploy=True)
        checks.register(check_scanner, checks.Tags.security, deploy=True)
