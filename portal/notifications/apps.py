from typing import Any

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

        from django.db.models.signals import post_delete, post_save

        from .models import MessageTemplate
        from .services import templates_changed

        def changed(sender: Any, **kwargs: Any) -> None:
            templates_changed()

        post_save.connect(
            changed, sender=MessageTemplate, weak=False, dispatch_uid="notifications.templates.save"
        )
        post_delete.connect(
            changed, sender=MessageTemplate, weak=False, dispatch_uid="notifications.templates.delete"
        )
