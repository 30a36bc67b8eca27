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
        self._register_reason_labels()

    @staticmethod
    def _register_reason_labels() -> None:
        """The history of a case, its suspensions and co-approvals says in words why each row was written."""
        from portal.audit import register_reason_labels

        from .constants import CaseAction
        from .services.scans import CALENDAR_CHANGED

        register_reason_labels(dict(CaseAction.choices))
        register_reason_labels(
            {
                CALENDAR_CHANGED: _("工作日历调整，重新计算期限"),
                "check_materials": _("核验材料"),
                "answer": _("协办部门答复"),
                "resolve": _("牵头部门处理协办分歧"),
                "deemed consent": _("协办部门逾期未答复，视为同意"),
            }
        )
