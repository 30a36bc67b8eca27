from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("审批办件")

    def ready(self) -> None:
        from portal.notifications.services import DIGEST_PROVIDERS

        from .selectors import digest_lines

        if digest_lines not in DIGEST_PROVIDERS:
            DIGEST_PROVIDERS.append(digest_lines)
