from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from portal.ops import register_gauges

        from . import rollup  # noqa: F401 - connects the signals that keep the figures rollup true
        from .metrics import supervision_gauges

        register_gauges("supervision", supervision_gauges)

        from django.utils.translation import gettext_lazy as _

        from portal.audit import register_reason_labels

        from .models import AccountabilityFinding, Alert

        # what each history entry of an alert or a finding says (the services record a short code)
        register_reason_labels(
            {
                "alert_scan: raised": _("系统扫描：生成预警"),
                "alert_scan: closed": _("系统扫描：办件已办结，预警关闭"),
                "explain": _("提交情况说明"),
                "review": _("审核情况说明"),
                "record": _("记录效能问责"),
            },
            models=[Alert, AccountabilityFinding],
        )
