from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from portal.ops import register_gauges

        from .metrics import outbox_gauges

        register_gauges("outbox", outbox_gauges)
