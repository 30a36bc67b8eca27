"""Ratings, rectification tickets and complaints: every write goes through here (DESIGN §6)."""

import datetime
import hmac
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from approvals.constants import DECIDED_STATES
from approvals.models import Case
from intake.models import Item
from intake.services.references import next_reference
from portal.accounts.constants import Role
from portal.accounts.models import Department, User, Window
from portal.audit import audited_save
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.services import notify
from portal.workcalendar import services as calendar

from . import permissions as perm
from .constants import (
    ASSIGN_LIMIT_DAYS,
    BAD_RATING_MAX,
    COMPLAINT_LIMIT_DAYS,
    REMINDER_AFTER_DAYS,
    TICKET_LIMIT_DAYS,
    AppealState,
    ComplaintChannel,
    Finding,
    RatingChannel,
    TicketState,
)
from .models import Complaint, ComplaintAttachment, Rating, RatingInvitation, RectificationTicket

RATING_LINK_SALT = "complaints.rating-link"
RATING_LINK_MAX_AGE = 60 * 60 * 24 * 90  # the invitation link works for 90 days
COMPLAINANT_NAME_MAX = 50  # Complaint.complainant_name
SUBJECT_MAX = 120  # Complaint.subject
CONTENT_MAX = 5000  # Complaint.content (a text column: bounded here)


def _head_and_office(department_id: int | None) -> list[User]:
    qs = User.objects.filter(is_active=True)
    heads = list(qs.filter(groups__name=Role.HEAD, department_id=department_id)) if department_id else []
    return heads + list(qs.filter(groups__name=Role.INSPECTOR))


# --- ratings ---------------------------------------------------------------------------------


def rating_link_token(case: Case) -> str:
    # Bound to the case's random secret, not only its reference: a reference handed out again after a
    # restore from backup belongs to another case, whose secret differs (issue 17).
    return signing.dumps({"ref": case.reference, "s": case.link_secret}, salt=RATING_LINK_SALT)


def rating_link_url(case: Case) -> str:
    return f"{getattr(settings, 'PORTAL_BASE_URL', '')}{reverse('complaints:rate_link', args=[rating_link_token(case)])}"


def _signed_case(token: str, *, salt: str, max_age: int, expired: str) -> Case:
    """The case a signed rating address names, checked against the case's own link secret (a restored
    backup's case with the same reference has another secret); ``expired`` says what to do when it is old."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ApplicationError(expired) from None
    except signing.BadSignature:
        raise ApplicationError(_("评价链接无效。")) from None
    case = Case.objects.filter(reference=data.get("ref")).select_related("department", "item").first()
    if case is None or not hmac.compare_digest(str(data.get("s", "")), case.link_secret):
        raise ApplicationError(_("评价链接无效。"))
    return case


def rating_link_case(token: str) -> Case:
    return _signed_case(
        token,
        salt=RATING_LINK_SALT,
        max_age=RATING_LINK_MAX_AGE,
        expired=_("评价链接已过期，请登录后在办件页面评价。"),
    )


# The window's rating device (评价器) for a decided case: the clerk's page hands the case to the counter
# tablet by this signed address; the rating is tapped there, never in the clerk's own session.
WINDOW_DEVICE_SALT = "complaints.window-device"
WINDOW_DEVICE_MAX_AGE = 30 * 60


def window_rating_token(case: Case) -> str:
    return signing.dumps({"ref": case.reference, "s": case.link_secret}, salt=WINDOW_DEVICE_SALT)


def window_rating_case(token: str) -> Case:
    return _signed_case(
        token,
        salt=WINDOW_DEVICE_SALT,
        max_age=WINDOW_DEVICE_MAX_AGE,
        expired=_("评价器的页面已超时，请窗口工作人员重新打开。"),
    )


def rater_may_rate(*, rater: Any, applicant_id: int | None) -> None:
    """A rating is the applicant's (DESIGN §6): a staff member signed in on the rating device or the
    invitation link is refused, so a clerk cannot rate their own service (issue 15)."""
    if rater is None or not getattr(rater, "is_authenticated", False) or rater.pk == applicant_id:
        return
    if rater.is_portal_staff:
        raise PermissionDeniedError(
            _("评价由办事群众在评价器上作出，工作人员登录时不能评价（不能给自己的服务评价）。")
        )


def _scores(data: dict[str, Any]) -> dict[str, int]:
    out, errors = {}, {}
    for key in ("overall", "efficiency", "attitude", "guide_accuracy"):
        raw: Any = data.get(key, data.get("overall") if key != "overall" else None)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[key] = [_("请选择1到5分。")]
            continue
        if not 1 <= value <= 5:
            errors[key] = [_("请选择1到5分。")]
            continue
        out[key] = value
    if errors:
        raise ApplicationError(_("评价内容有误。"), extra=errors)
    return out


@transaction.atomic
def rating_submit(*, case: Case, actor: User | None, data: dict[str, Any], channel: str) -> Rating:
    """One rating per case, by its applicant: signed in (online), by the invitation link, or tapped on the
    window's rating device (``actor`` is whoever is signed in there, if anyone; never a staff member)."""
    case = Case.objects.select_for_update().select_related("department", "item").get(pk=case.pk)
    if channel in (RatingChannel.WINDOW, RatingChannel.LINK):
        rater_may_rate(rater=actor, applicant_id=case.applicant_id)
    elif channel == RatingChannel.ONLINE and (actor is None or actor.pk != case.applicant_id):
        raise PermissionDeniedError(_("只有申请人本人可以评价该办件。"))
    if case.state not in DECIDED_STATES:
        raise ConflictError(_("办件办结后才能评价。"))
    if Rating.objects.filter(case=case).exists():
        raise ConflictError(_("该办件已经评价过了（一事一评）。"))
    scores = _scores(data)
    comment = str(data.get("comment") or "")[:2000]
    if scores["overall"] <= BAD_RATING_MAX and not comment.strip():
        raise ApplicationError(
            _("差评请写明不满意的原因，以便整改。"), extra={"comment": [_("此项为必填项。")]}
        )
    try:
        rating = Rating(
            case=case,
            applicant_id=case.applicant_id,
            comment=comment,
            channel=channel,
            department_id=case.department_id,
            item_id=case.item_id,
            window_id=case.window_id,
            clerk_id=case.clerk_id,
            accepted_on=case.accepted_on,
            **scores,
        )
        with transaction.atomic():  # a savepoint: a duplicate is a 409, not a broken transaction
            audited_save(rating, actor=actor, reason="rate")
    except IntegrityError:
        raise ConflictError(_("该办件已经评价过了（一事一评）。")) from None
    if rating.is_bad:
        _ticket_open_for_bad(rating=rating, reference=case.reference)
    return rating


def _ticket_open_for_bad(*, rating: Rating, reference: str) -> RectificationTicket:
    """A rating of 1 or 2 (差评) opens a rectification ticket for its department (DESIGN §6)."""
    ticket = RectificationTicket(
        number=next_reference("ZG", width=4), rating=rating, department_id=rating.department_id
    )
    audited_save(ticket, actor=None, reason="opened on a bad rating")
    for user in _head_and_office(rating.department_id):
        notify(
            recipient=user, event="ticket.opened", context={"number": ticket.number, "reference": reference}
        )
    return ticket


@transaction.atomic
def rating_submit_visit(
    *,
    visit: str,
    department: Department,
    window: Window | None,
    clerk: User | None,
    applicant: User | None,
    item: Item | None,
    data: dict[str, Any],
) -> Rating:
    """A rating of a visit to the hall, tapped on the counter's rating device (评价器) bound to that visit
    (the hall app checks the device's one-time token, never the clerk's session). The same scale and
    rules as a case's rating: a 1 or 2 needs a reason and opens a rectification ticket."""
    scores = _scores(data)
    comment = str(data.get("comment") or "")[:2000]
    if scores["overall"] <= BAD_RATING_MAX and not comment.strip():
        raise ApplicationError(
            _("差评请写明不满意的原因，以便整改。"), extra={"comment": [_("此项为必填项。")]}
        )
    rating = Rating(
        visit=visit,
        applicant=applicant,
        comment=comment,
        channel=RatingChannel.WINDOW,
        department=department,
        item=item,
        window=window,
        clerk=clerk,
        **scores,
    )
    audited_save(rating, actor=None, reason="rated on the hall's rating device")
    if rating.is_bad:
        _ticket_open_for_bad(rating=rating, reference=visit)
    return rating


def rating_invitation_send(*, case: Case) -> bool:
    """Invite the applicant to rate a decided case, once. Called by the decision itself, in its
    transaction (``approvals.services.decision`` → ``portal.flows.case_decided``)."""
    invitation, created = RatingInvitation.objects.get_or_create(case=case)
    if not created:
        return False
    url = rating_link_url(case)
    notify(
        recipient=case.applicant,
        event="rating.invitation",
        context={"reference": case.reference, "item_name": case.item.name, "url": url},
        case=case,
    )
    return True


def rating_reminder_scan(*, now: datetime.datetime | None = None) -> int:
    """One reminder, 3 days after the invitation, to applicants who have not rated."""
    now = now or timezone.now()
    due = RatingInvitation.objects.filter(
        reminded_at__isnull=True,
        invited_at__lte=now - datetime.timedelta(days=REMINDER_AFTER_DAYS),
        case__rating__isnull=True,
    ).select_related("case", "case__applicant")
    sent = 0
    for invitation in due:
        with transaction.atomic():
            updated = RatingInvitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not updated:
                continue
            case = invitation.case
            url = rating_link_url(case)
            notify(
                recipient=case.applicant,
                event="rating.reminder",
                context={"reference": case.reference, "item_name": case.item.name, "url": url},
                case=case,
            )
            sent += 1
    return sent


@transaction.atomic
def rating_appeal(*, rating: Rating, actor: User, reason: str) -> Rating:
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not perm.may_appeal_rating(rating, actor):
        raise PermissionDeniedError(_("只有被评价部门的负责人可以申诉。"))
    if rating.appeal_state:
        raise ConflictError(_("该评价已申诉过。"))
    if not reason.strip():
        raise ApplicationError(_("请写明申诉理由。"), extra={"reason": [_("此项为必填项。")]})
    rating.appeal_state = AppealState.APPEALED
    rating.appeal_reason = reason
    audited_save(rating, actor=actor, reason="appeal")
    return rating


@transaction.atomic
def rating_appeal_decide(*, rating: Rating, actor: User, void: bool, decision: str) -> Rating:
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not perm.is_efficiency_office(actor):
        raise PermissionDeniedError(_("申诉由效能办复核。"))
    if rating.appeal_state != AppealState.APPEALED:
        raise ConflictError(_("该评价没有待复核的申诉。"))
    rating.appeal_state = AppealState.VOIDED if void else AppealState.UPHELD
    rating.appeal_decision = decision
    if void:
        rating.voided = True
        rating.voided_at = timezone.now()
    audited_save(rating, actor=actor, reason="appeal decided")
    if void:
        _ticket_cancel_for_voided(rating=rating, actor=actor, decision=decision)
    return rating


def _ticket_cancel_for_voided(*, rating: Rating, actor: User, decision: str) -> None:
    """A voided rating leaves nothing to rectify: its open ticket is cancelled, with the reason recorded
    on the ticket and in its history, and the department is told."""
    ticket = RectificationTicket.objects.select_for_update().filter(rating=rating).first()
    if ticket is None or not can_proceed(ticket.cancel):
        return
    ticket.cancel()
    ticket.closed_at = timezone.now()
    reason = _("评价经申诉复核作废，工单撤销。复核意见：%(d)s") % {"d": decision.strip() or "—"}
    ticket.resolution = f"{ticket.resolution}\n{reason}".strip()
    audited_save(ticket, actor=actor, reason=reason[:100])
    for user in _head_and_office(ticket.department_id):
        notify(
            recipient=user,
            event="ticket.cancelled",
            context={
                "number": ticket.number,
                "reference": rating.case.reference if rating.case else rating.visit,
                "reason": reason,
            },
        )


# --- rectification tickets ---------------------------------------------------------------------

TICKET_ACTIONS = {
    "callback": _("记录回访"),
    "fix": _("立行立改"),
    "put_on_ledger": _("列入整改台账"),
    "explain": _("解释说明（诉求无政策依据）"),
    "verify": _("核实整改"),
    "close": _("办结工单"),
}


def ticket_actions_for(*, ticket: RectificationTicket, user: User) -> list[str]:
    """The actions ``user`` may take on ``ticket`` now (the ticket's state and ``permission=``)."""
    return [action for action in TICKET_ACTIONS if has_transition_perm(getattr(ticket, action), user)]


@transaction.atomic
def ticket_act(
    *, ticket: RectificationTicket, actor: User, action: str, note: str = ""
) -> RectificationTicket:
    if action not in TICKET_ACTIONS:
        raise ApplicationError(_("未知的操作。"), extra={"action": [_("未知的操作。")]})
    ticket = RectificationTicket.objects.select_for_update().get(pk=ticket.pk)
    method = getattr(ticket, action)
    if not can_proceed(method):
        raise ConflictError(_("工单当前状态为“%(s)s”，不能执行此操作。") % {"s": ticket.get_state_display()})
    if not has_transition_perm(method, actor):
        raise PermissionDeniedError(_("您无权处理该工单。"))
    if action in ("callback", "fix", "explain") and not note.strip():
        raise ApplicationError(_("请填写情况说明。"), extra={"note": [_("此项为必填项。")]})
    method()
    now = timezone.now()
    if action == "callback":
        ticket.callback_at = now
        ticket.callback_outcome = note
    elif action == "put_on_ledger":
        ticket.due_on = calendar.add_days(timezone.localdate(now), TICKET_LIMIT_DAYS).date
        ticket.resolution = note
    elif action in ("fix", "explain"):
        ticket.resolution = note
    elif action == "verify":
        ticket.verified_by = actor
    elif action == "close":
        ticket.closed_at = now
    audited_save(ticket, actor=actor, reason=f"{action}: {note}")
    return ticket


# --- complaints --------------------------------------------------------------------------------


def _round_robin_handler() -> User | None:
    return (
        User.objects.filter(is_active=True, groups__name=Role.INSPECTOR)
        .annotate(open_n=Count("handled_complaints"))
        .order_by("open_n", "pk")
        .first()
    )


@transaction.atomic
def complaint_file(
    *,
    actor: User | None,
    channel: str,
    name: str,
    phone: str,
    subject: str,
    content: str,
    reference: str = "",
    department_id: int | None = None,
    window_id: int | None = None,
    person_id: int | None = None,
    anonymous: bool = False,
    attachments: list[Any] | None = None,
) -> Complaint:
    from django.core.exceptions import ValidationError

    from intake.services.uploads import inspect_batch, inspect_upload, stored_file
    from portal.accounts.validators import validate_mobile

    errors: dict[str, list[str]] = {}
    # Every text bounded by its column (the page passes request.POST straight here): issue 17.
    for field, value, limit in (
        ("name", name, COMPLAINANT_NAME_MAX),
        ("phone", phone, 11),
        ("subject", subject, SUBJECT_MAX),
        ("content", content, CONTENT_MAX),
        ("reference", reference, 40),
    ):
        if not isinstance(value, str):
            errors[field] = [_("请输入文字。")]
        elif len(value.strip()) > limit:
            errors[field] = [_("内容过长（最多%(n)s字）。") % {"n": limit}]
    if errors:
        raise ApplicationError(_("投诉内容有误，请修改后重试。"), extra=errors)
    if channel not in ComplaintChannel.values:
        errors["channel"] = [_("不是有效的选项。")]
    if channel in (ComplaintChannel.PHONE, ComplaintChannel.WINDOW) and not (actor and actor.is_portal_staff):
        errors["channel"] = [_("电话和窗口投诉由工作人员登记。")]
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = list(exc.messages)
    if not name.strip() and not (actor and actor.is_authenticated and actor.is_applicant):
        errors["name"] = [_("此项为必填项。")]
    if not subject.strip():
        errors["subject"] = [_("此项为必填项。")]
    if len(content.strip()) < 5:
        errors["content"] = [_("请具体描述投诉的事项（至少5个字）。")]
    case = None
    if reference:
        case = Case.objects.filter(reference=reference.strip().upper()).first()
        if case is None:
            errors["reference"] = [_("没有这个申报号。")]
    batch_errors = inspect_batch([("attachments", upload) for upload in attachments or []])
    errors.update(batch_errors)
    facts = (
        []
        if batch_errors
        else [(upload, inspect_upload(upload, field="attachments")) for upload in attachments or []]
    )
    if errors:
        raise ApplicationError(_("投诉内容有误，请修改后重试。"), extra=errors)
    now = timezone.now()
    today = timezone.localdate(now)
    complainant = actor if actor is not None and actor.is_authenticated and actor.is_applicant else None
    complaint = Complaint(
        number=next_reference("TS", today, width=4),
        channel=channel,
        complainant=complainant,
        complainant_name=name.strip()
        or (complainant.display_name[:COMPLAINANT_NAME_MAX] if complainant else ""),
        complainant_phone=phone.strip(),
        anonymous=anonymous or complainant is None,
        registered_by=actor
        if actor is not None and actor.is_authenticated and actor.is_portal_staff
        else None,
        received_at=now,
        received_on=today,
        assign_due_on=calendar.add_days(today, ASSIGN_LIMIT_DAYS).date,
        due_on=calendar.add_days(today, COMPLAINT_LIMIT_DAYS).date,
        case=case,
        department_id=department_id or (case.department_id if case else None),
        window_id=window_id or (case.window_id if case else None),
        person_id=person_id,
        subject=subject.strip()[:120],
        content=content.strip(),
    )
    registrar = actor if actor is not None and actor.is_authenticated else None
    audited_save(complaint, actor=registrar, reason="file")
    for upload, fact in facts:
        row = ComplaintAttachment(
            complaint=complaint,
            original_name=fact["original_name"],
            content_type=fact["content_type"],
            size=fact["size"],
        )
        upload.seek(0)
        row.file.save(f"{fact['token']}{fact['extension']}", stored_file(upload, fact), save=False)
        row.save()
    handler = _round_robin_handler()
    if handler is not None:
        complaint.assign()
        complaint.handler = handler
        complaint.assigned_at = now
        audited_save(complaint, actor=None, reason="assign")  # the system's round robin
        notify(recipient=handler, event="complaint.assigned", context={"number": complaint.number})
    if complainant is not None:
        notify(recipient=complainant, event="complaint.registered", context={"number": complaint.number})
    return complaint


def _handler_or_office(complaint: Complaint, actor: User) -> None:
    if not perm.is_office(complaint, actor):
        raise PermissionDeniedError(_("投诉由效能办办理。"))


@transaction.atomic
def complaint_assign(*, complaint: Complaint, actor: User, handler: User) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _handler_or_office(complaint, actor)
    if not handler.has_role(Role.INSPECTOR):
        raise ApplicationError(
            _("只能分派给效能办工作人员。"), extra={"handler": [_("不是效能办工作人员。")]}
        )
    if not can_proceed(complaint.assign):
        raise ConflictError(_("该投诉已分派。"))
    complaint.assign()
    complaint.handler = handler
    complaint.assigned_at = timezone.now()
    audited_save(complaint, actor=actor, reason="assign")
    notify(recipient=handler, event="complaint.assigned", context={"number": complaint.number})
    return complaint


@transaction.atomic
def complaint_investigate(*, complaint: Complaint, actor: User) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _handler_or_office(complaint, actor)
    if not can_proceed(complaint.investigate):
        raise ConflictError(_("该投诉当前不能开始调查。"))
    complaint.investigate()
    audited_save(complaint, actor=actor, reason="investigate")
    return complaint


@transaction.atomic
def complaint_conclude(*, complaint: Complaint, actor: User, finding: str, action: str) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _handler_or_office(complaint, actor)
    if not can_proceed(complaint.conclude):
        raise ConflictError(_("该投诉当前不能办结。"))
    errors = {}
    if finding not in Finding.values:
        errors["finding"] = [_("请选择调查结论。")]
    if not action.strip():
        errors["action"] = [_("请填写处理情况。")]
    if errors:
        raise ApplicationError(_("办结信息不完整。"), extra=errors)
    complaint.conclude()
    complaint.finding = finding
    complaint.action = action.strip()
    complaint.concluded_at = timezone.now()
    # the public wording starts masked and waits for the office's review (complaint_publish)
    complaint.public_subject = complaint_mask(complaint, complaint.subject)[:120]
    complaint.public_action = complaint_mask(complaint, complaint.action)
    complaint.published, complaint.published_at, complaint.published_by = False, None, None
    audited_save(complaint, actor=actor, reason="conclude")
    if complaint.complainant is not None:
        notify(
            recipient=complaint.complainant,
            event="complaint.concluded",
            context={
                "number": complaint.number,
                "finding": complaint.get_finding_display(),
                "action": complaint.action,
            },
        )
    return complaint


def complaint_mask(complaint: Complaint, text: str) -> str:
    """``text`` with personal data masked: numbers and addresses by their shape, and the names the
    complaint itself knows (the complainant, the staff member complained about, the case's applicant)."""
    from portal.pii import mask_public_text

    names = [complaint.complainant_name]
    for person in (complaint.complainant, complaint.person):
        if person is not None:
            names += [person.real_name, person.display_name]
    if complaint.case is not None:
        names.append(complaint.case.application.applicant_name)
    return mask_public_text(text, names=names)


@transaction.atomic
def complaint_publish(*, complaint: Complaint, actor: User, subject: str, action: str) -> Complaint:
    """The efficiency office confirms the public wording of a concluded complaint and publishes it; the
    wording is masked again (personal data never reaches the public page), and who published it when is
    recorded on the complaint and in its history."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not actor.has_role(Role.INSPECTOR):
        raise PermissionDeniedError(_("公示文本由效能办审核发布。"))
    if complaint.concluded_at is None:
        raise ConflictError(_("投诉办结后才能公示。"))
    errors = {}
    if not subject.strip():
        errors["public_subject"] = [_("此项为必填项。")]
    if not action.strip():
        errors["public_action"] = [_("此项为必填项。")]
    if len(subject.strip()) > 120:
        errors["public_subject"] = [_("最多120个字。")]
    if errors:
        raise ApplicationError(_("公示文本不完整。"), extra=errors)
    complaint.public_subject = complaint_mask(complaint, subject.strip())[:120]
    complaint.public_action = complaint_mask(complaint, action.strip())
    complaint.published = True
    complaint.published_at = timezone.now()
    complaint.published_by = actor
    audited_save(complaint, actor=actor, reason="publish")
    return complaint


@transaction.atomic
def complaint_unpublish(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """Take a complaint off the public page (recorded with the reason)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not actor.has_role(Role.INSPECTOR):
        raise PermissionDeniedError(_("公示文本由效能办审核发布。"))
    if not complaint.published:
        raise ConflictError(_("该投诉没有公示。"))
    if not reason.strip():
        raise ApplicationError(_("请写明撤回公示的理由。"), extra={"reason": [_("此项为必填项。")]})
    complaint.published, complaint.published_at, complaint.published_by = False, None, None
    audited_save(complaint, actor=actor, reason=f"unpublish: {reason.strip()}"[:100])
    return complaint


def _own(complaint: Complaint, actor: User) -> None:
    if not perm.is_own_complainant(complaint, actor):
        raise PermissionDeniedError(_("只有投诉人本人可以操作。"))


@transaction.atomic
def complaint_rate_handling(*, complaint: Complaint, actor: User, score: Any) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _own(complaint, actor)
    if complaint.concluded_at is None:
        raise ConflictError(_("投诉办结后才能评价处理情况。"))
    if complaint.handling_rating is not None:
        raise ConflictError(_("已经评价过了。"))
    value = _scores({"overall": score})["overall"]
    complaint.handling_rating = value
    audited_save(complaint, actor=actor, reason="rate handling")
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _own(complaint, actor)
    if not reason.strip():
        raise ApplicationError(_("请写明不认可处理结果的理由。"), extra={"reason": [_("此项为必填项。")]})
    if not can_proceed(complaint.reopen):
        raise ConflictError(_("该投诉只能重新办理一次，或尚未办结。"))
    complaint.reopen()
    complaint.concluded_at = None
    complaint.finding = ""
    complaint.published, complaint.published_at, complaint.published_by = (
        False,
        None,
        None,
    )  # off the public page
    complaint.content = f"{complaint.content}\n\n【投诉人不认可处理结果】{reason.strip()}"
    audited_save(complaint, actor=actor, reason="reopen")
    if complaint.handler is not None:
        notify(recipient=complaint.handler, event="complaint.assigned", context={"number": complaint.number})
    return complaint


def overdue_scan(*, today: datetime.date | None = None) -> int:
    """Complaints past their limit and ledger tickets past their deadline raise one alert each."""
    today = today or timezone.localdate()
    now = timezone.now()
    raised = 0
    for complaint in Complaint.objects.filter(
        concluded_at__isnull=True, due_on__lt=today, overdue_alerted_at__isnull=True
    ):
        with transaction.atomic():
            if Complaint.objects.filter(pk=complaint.pk, overdue_alerted_at__isnull=True).update(
                overdue_alerted_at=now
            ):
                for user in _head_and_office(complaint.department_id):
                    notify(
                        recipient=user,
                        event="alert.raised",
                        context={
                            "reference": complaint.number,
                            "level": "complaint_overdue",
                            "level_label": _("投诉超期"),
                            "due": complaint.due_on.isoformat(),
                        },
                    )
                raised += 1
    for ticket in RectificationTicket.objects.filter(
        state=TicketState.ON_LEDGER, due_on__lt=today, overdue_alerted_at__isnull=True
    ):
        with transaction.atomic():
            if RectificationTicket.objects.filter(pk=ticket.pk, overdue_alerted_at__isnull=True).update(
                overdue_alerted_at=now
            ):
                for user in _head_and_office(ticket.department_id):
                    notify(
                        recipient=user,
                        event="alert.raised",
                        context={
                            "reference": ticket.number,
                            "level": "ticket_overdue",
                            "level_label": _("整改超期"),
                            "due": ticket.due_on.isoformat() if ticket.due_on else None,
                        },
                    )
                raised += 1
    return raised
