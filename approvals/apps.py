from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("审批办件")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects intake.signals.application_submitted)
