"""Handing out the result (统一出件 / 送达, DESIGN §11): at the window, by post (with its tracking number) or
electronically. A case with 容缺 materials still missing gets no result."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.services import notify

from ..constants import CaseAction, DeliveryMethod
from ..models import Case
from .common import base_context, lock_case, record_transition


@transaction.atomic
def case_deliver(*, case: Case, actor: User, method: str, tracking_number: str = "", place: str = "") -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.DELIVER)
    if method == DeliveryMethod.POST and not tracking_number:
        raise ApplicationError(
            _("邮寄送达须填写邮寄单号。"), extra={"tracking_number": [_("此项为必填项。")]}
        )
    case.deliver()
    case.delivery_method = method
    case.tracking_number = tracking_number
    case.delivered_at = timezone.now()
    case.current_step = ""
    case.step_due = None
    record_transition(
        case=case,
        action=CaseAction.DELIVER,
        from_state=from_state,
        actor=actor,
        data={"method": case.delivery_method, "tracking_number": case.tracking_number},
    )
    context = {
        **base_context(case),
        "method": case.get_delivery_method_display(),
        "place": place,
        "tracking_number": case.tracking_number,
    }
    notify(recipient=case.applicant, event="case.result_ready", context=context, case=case)
    return case
