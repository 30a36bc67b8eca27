from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("投诉与评价")

    def ready(self) -> None:
        """The history of ratings, tickets and complaints says in words why each row was written."""
        from portal.audit import register_reason_labels

        from .models import Complaint
        from .services import TICKET_ACTIONS

        register_reason_labels(
            {
                **TICKET_ACTIONS,
                "rate": _("申请人评价"),
                "opened on a bad rating": _("差评自动生成整改工单"),
                "rated on the hall's rating device": _("在大厅评价器上评价"),
                "appeal": _("窗口提出申诉"),
                "appeal decided": _("申诉复核"),
                "file": _("登记投诉"),
                "assign": _("分派承办人"),
                "investigate": _("开始调查"),
                "conclude": _("办结投诉"),
                "unpublish": _("撤回公示"),
                "rate handling": _("投诉人评价处理结果"),
                "reopen": _("投诉人不认可处理结果，重新办理"),
            }
        )
        register_reason_labels({"publish": _("公示处理结果")}, models=[Complaint])
