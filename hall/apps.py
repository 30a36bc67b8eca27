from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = _("政务服务大厅")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The history of an appointment says in words why each row was written (hall/services.py)."""
        from portal.audit import register_reason_labels

        from .models import Appointment

        register_reason_labels(
            {
                "book": _("预约取号"),
                "cancel": _("取消预约"),
                "change": _("改约"),
                "check_in": _("预约签到"),
            },
            models=[Appointment],
        )
