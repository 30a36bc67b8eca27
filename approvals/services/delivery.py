"""Handing out the result (统一出件 / 送达, DESIGN §11): at the window, by post (free of charge, with its carrier
and tracking number) or electronically. The applicant chooses when applying and may change the choice until
the result is delivered. Electronic delivery happens with the approval itself: the licence is available at
once. A case with 容缺 materials still missing gets no result."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.services.applications import check_delivery
from portal.accounts.models import User
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify

from ..constants import DECIDED_STATES, CaseAction, CaseState, DeliveryMethod
from ..models import Case
from .common import base_context, lock_case, log_transition, record_transition

# 免费寄: the carrier the government's free postal service uses, unless the clerk names another.
DEFAULT_CARRIER = "中国邮政EMS"
# The log line of an applicant's change of delivery (not a transition of the state machine).
CHANGE_DELIVERY = "change_delivery"
# A choice can still change while the result has not gone out (and the case may still produce one).
CHANGEABLE_STATES = {
    CaseState.SUBMITTED,
    CaseState.CORRECTION_REQUESTED,
    CaseState.ACCEPTED,
    CaseState.IN_REVIEW,
    CaseState.SUSPENDED,
    CaseState.AWAITING_DECISION,
    CaseState.APPROVED,
    CaseState.DENIED,
}


def _delivered(case: Case, *, from_state: str, actor: User | None, place: str = "") -> Case:
    case.delivered_at = timezone.now()
    case.current_step = ""
    case.step_due = None
    record_transition(
        case=case,
        action=CaseAction.DELIVER,
        from_state=from_state,
        actor=actor,
        data={
            "method": case.delivery_method,
            "carrier": case.carrier,
            "tracking_number": case.tracking_number,
        },
    )
    context = {
        **base_context(case),
        "method": case.get_delivery_method_display(),
        "place": place,
        "carrier": case.carrier,
        "tracking_number": case.tracking_number,
    }
    notify(recipient=case.applicant, event="case.result_ready", context=context, case=case)
    return case


def together_blocks(case: Case) -> str:
    """Why the result of ``case`` waits (one pick-up, one parcel for the package): "" when it may go."""
    bundle = case.application.package_application if case.application.package_application_id else None
    if bundle is None or not bundle.deliver_together:
        return ""
    open_ = (
        Case.objects.filter(application__package_application=bundle)
        .exclude(pk=case.pk)
        .exclude(
            state__in=[*DECIDED_STATES, CaseState.WITHDRAWN, CaseState.TERMINATED, CaseState.NOT_ACCEPTED]
        )
        .select_related("item")
        .first()
    )
    if open_ is None:
        return ""
    return str(
        _("申请人选择一件事结果一并送达：事项“%(item)s”尚未办结，办结后一起送达。")
        % {"item": open_.item.name}
    )


@transaction.atomic
def case_deliver(
    *,
    case: Case,
    actor: User,
    method: str,
    tracking_number: str = "",
    place: str = "",
    carrier: str = "",
) -> Case:
    case, from_state = lock_case(case=case, actor=actor, action=CaseAction.DELIVER)
    waiting = together_blocks(case)
    if waiting:
        raise ConflictError(waiting)
    if method == DeliveryMethod.POST and not tracking_number:
        raise ApplicationError(
            _("邮寄送达须填写邮寄单号。"), extra={"tracking_number": [_("此项为必填项。")]}
        )
    case.deliver()
    case.delivery_method = method
    case.tracking_number = tracking_number
    case.carrier = (
        (carrier.strip() or getattr(settings, "DELIVERY_CARRIER", DEFAULT_CARRIER))
        if method == DeliveryMethod.POST
        else ""
    )
    return _delivered(case, from_state=from_state, actor=actor, place=place)


def deliver_electronically_on_approval(case: Case) -> None:
    """Called by the approval, in its transaction, on the locked case it has just approved: if the
    applicant chose electronic delivery (and no 容缺 material is still missing), the result is delivered at
    once — the licence is already in "my licences"."""
    if case.application.delivery_method != DeliveryMethod.ELECTRONIC or case.awaiting_deferred:
        return
    from_state = str(case.state)
    case.deliver()
    case.delivery_method = DeliveryMethod.ELECTRONIC
    case.tracking_number = ""
    case.carrier = ""
    _delivered(case, from_state=from_state, actor=None)


@transaction.atomic
def case_delivery_change(*, case: Case, actor: User, method: str, address: str = "") -> Case:
    """The applicant changes how the result reaches them, until it is delivered (DESIGN §11). Post needs
    an address. Changing to electronic after the approval delivers at once."""
    locked = Case.objects.select_for_update().select_related("application", "item").get(pk=case.pk)
    if actor.pk != locked.applicant_id:
        raise PermissionDeniedError(_("只有申请人本人可以修改送达方式。"))
    if locked.delivered_at is not None:
        raise ConflictError(
            _("办理结果已于 %(at)s 送达，不能再修改送达方式。")
            % {"at": timezone.localtime(locked.delivered_at).strftime("%Y-%m-%d %H:%M")},
            extra={"delivery_method": [_("办理结果已经送达，送达方式不能再改。")]},
        )
    if locked.state not in CHANGEABLE_STATES:
        raise ConflictError(
            _("办件当前状态为“%(state)s”，不能再修改送达方式。") % {"state": locked.get_state_display()},
            extra={"delivery_method": [_("办件已结束，送达方式不能再改。")]},
        )
    method, address = check_delivery(method, address)
    if method == DeliveryMethod.POST and not address:
        raise ApplicationError(
            _("选择邮寄送达的，请填写邮寄地址。"), extra={"delivery_address": [_("此项为必填项。")]}
        )
    application = locked.application
    before = {"method": application.delivery_method, "address": application.delivery_address}
    if before == {"method": method, "address": address}:
        return locked  # nothing changed: no line in the log
    application.delivery_method, application.delivery_address = method, address
    application.save(update_fields=["delivery_method", "delivery_address", "updated_at"])
    # who, when, from what to what: a line of the case's append-only log (the clerk's timeline)
    log_transition(
        case=locked,
        action=CHANGE_DELIVERY,
        from_state=str(locked.state),
        actor=actor,
        data={"from": before, "to": {"method": method, "address": address}},
    )
    if locked.state == CaseState.APPROVED and method == DeliveryMethod.ELECTRONIC:
        deliver_electronically_on_approval(locked)
    return locked
