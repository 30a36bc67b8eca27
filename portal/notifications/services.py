"""Notification outbox services (DESIGN §7).

``notify`` writes the rows inside the caller's transaction and queues delivery on commit. ``deliver``
sends one delivery under a row lock with its idempotency key, records the attempt and marks the row.
``sweep`` re-queues what a lost task or a dead broker left unsent.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache, partial
from typing import Any

from celery import signature
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone

from portal.accounts.models import User
from portal.compiled_sql import insert_with_children
from portal.sms import GatewayError, get_sms_gateway, sms_fit

from .catalog import DEFAULTS, GENERIC
from .constants import DELIVER_TASK, MAX_ATTEMPTS, ChannelKind, DeliveryStatus
from .models import Delivery, DeliveryAttempt, MessageTemplate, Notification, SendingHold

log = logging.getLogger(__name__)
SWEEP_GRACE = timedelta(seconds=getattr(settings, "NOTIFICATION_SWEEP_GRACE_SECONDS", 120))


# The admins' active message templates, all of them (≈ 200 rows), read from the database once per edit
# instead of once per notification (every online submission writes a receipt). Each process keeps its own
# copy, tagged with a version token that the shared cache holds: a notification reads only the token (one
# short string, where unpickling the whole set from the cache was ≈ 0.8 M instructions a receipt) and uses
# its copy while the token is the one it loaded under. Any save or delete of a template drops the token
# at once and again when its transaction commits (``templates_changed``: the receivers in apps.py), so the
# next notification in every process reads the rows as edited; the timeout bounds what a reader that
# loaded the rows before such a commit and set a token after it could keep.
TEMPLATES_KEY = "notifications:templates"
TEMPLATES_TIMEOUT = 300
# this process's copy: (version, rows), replaced as a whole (a thread never sees half of one)
_held: list[tuple[str, dict[tuple[str, str, str], tuple[str, str]]]] = []


def _active_templates() -> dict[tuple[str, str, str], tuple[str, str]]:
    from django.core.cache import cache

    version = cache.get(TEMPLATES_KEY)
    held = _held[0] if _held else None
    if version is not None and held is not None and held[0] == version:
        return held[1]
    rows = {
        (t.event, t.channel, t.language): (t.subject, t.body)
        for t in MessageTemplate.objects.filter(active=True).only(
            "event", "channel", "language", "subject", "body"
        )
    }
    if version is None:  # read after the last edit's drop: this copy is the current one
        version = uuid.uuid4().hex
        cache.set(TEMPLATES_KEY, version, TEMPLATES_TIMEOUT)
    # (a token set by another process before this read: these rows are at least as new as its copy)
    _held[:] = [(version, rows)]
    return rows


def templates_changed() -> None:
    """A message template was saved or deleted: the next render reads them again (now and on commit)."""
    from django.core.cache import cache

    cache.delete(TEMPLATES_KEY)
    transaction.on_commit(partial(cache.delete, TEMPLATES_KEY))


def render(*, event: str, channel: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    language = language if language in ("zh-hans", "en") else "zh-hans"
    found = _active_templates().get((event, channel, language))
    if found is not None:
        subject, body = found
    else:
        subject, body = DEFAULTS.get(event, GENERIC).get(language) or GENERIC[language]
    ctx = Context(context, autoescape=False)
    return _compiled(subject).render(ctx).strip(), _compiled(body).render(ctx).strip()


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """A message template compiled once per process (compiling is most of rendering). Keyed by its text:
    an edited template is a new key; a compiled Template keeps no state between renders."""
    return Template(source)


def _channels(recipient: User, event: str, requested: list[str] | None) -> list[tuple[str, str]]:
    wanted = set(requested or [ChannelKind.INBOX, ChannelKind.SMS, ChannelKind.EMAIL])
    out = [(ChannelKind.INBOX.value, "")]  # the inbox always keeps a copy (decisions must reach it)
    if ChannelKind.SMS in wanted and recipient.notify_sms and recipient.phone:
        out.append((ChannelKind.SMS.value, recipient.phone))
    if ChannelKind.EMAIL in wanted and recipient.notify_email and recipient.email:
        out.append((ChannelKind.EMAIL.value, recipient.email))
    return out


def notify(
    *,
    recipient: User,
    event: str,
    context: dict[str, Any] | None = None,
    case: Any = None,
    channels: list[str] | None = None,
    queue: bool = True,
) -> list[Delivery]:
    """Write the outbox rows for one event to one recipient, inside the caller's transaction, and queue
    their delivery on commit. Returns the deliveries written."""
    return notify_each(
        recipients=[recipient], event=event, context=context, case=case, channels=channels, queue=queue
    )


def notify_each(
    *,
    recipients: Iterable[User],
    event: str,
    context: dict[str, Any] | None = None,
    case: Any = None,
    channels: list[str] | None = None,
    queue: bool = True,
) -> list[Delivery]:
    """``notify`` for every one of ``recipients`` (e.g. every clerk told of a new submission): the same
    rows — one notification each, in the recipient's language, and its deliveries — written with one
    insert for the notifications and one for the deliveries, each message template read once per
    language. Returns the deliveries written.

    ``queue`` off: the caller hands the deliveries to the broker itself once the transaction commits (the
    online submission: one task for the receipt and the clerks' notices); one it loses stays pending and
    the sweeper queues it after ``SWEEP_GRACE``."""
    recipients = list(recipients)
    if not recipients:
        return []
    context = dict(context or {})
    reference = context.get("reference") or getattr(case, "reference", "") or ""
    link = (
        f"/cases/{reference}/"
        if reference and event.startswith(("case.", "application.", "staff.", "alert."))
        else ""
    )
    rendered: dict[str, tuple[str, str]] = {}
    notifications = []
    for recipient in recipients:
        language = recipient.preferred_language
        if language not in rendered:
            rendered[language] = render(
                event=event, channel=ChannelKind.INBOX, language=language, context=context
            )
        subject, body = rendered[language]
        notifications.append(
            Notification(
                recipient=recipient,
                event=event,
                context=context,
                subject=subject,
                body=body,
                case_reference=reference,
                link=link,
            )
        )
    if len(notifications) == 1:
        # one recipient (the applicant's receipt in every online submission): one statement on PostgreSQL
        deliveries = _deliveries(recipients[0], notifications[0], event, channels, timezone.now())
        insert_with_children(notifications[0], deliveries, link="notification", match="idempotency_key")
    else:
        Notification.objects.bulk_create(notifications)
        now = timezone.now()
        deliveries = [
            delivery
            for recipient, notification in zip(recipients, notifications, strict=True)
            for delivery in _deliveries(recipient, notification, event, channels, now)
        ]
        Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        if queue and delivery.channel != ChannelKind.INBOX:
            transaction.on_commit(partial(enqueue, delivery.pk))
    return deliveries


def _deliveries(
    recipient: User, notification: Notification, event: str, channels: list[str] | None, now: Any
) -> list[Delivery]:
    out = []
    for channel, address in _channels(recipient, event, channels):
        inbox = channel == ChannelKind.INBOX
        out.append(
            Delivery(
                notification=notification,
                channel=channel,
                address=address,
                # Unique for all time, not "<notification id>:<channel>": ids start again after a
                # restore from backup and the gateway would drop new messages as "already sent"
                # (issue 17).
                idempotency_key=f"{uuid.uuid4().hex}:{channel}",
                status=DeliveryStatus.SENT if inbox else DeliveryStatus.PENDING,
                sent_at=now if inbox else None,
            )
        )
    return out


def enqueue(delivery_id: int) -> bool:
    """Hand a delivery to the broker. If the broker is down the row simply stays pending: the sweeper
    queues it again later, so a submission never fails because Redis is away.

    The task is named, not imported: ``tasks.deliver`` wraps ``deliver`` below, and a module that imports
    the tasks wrapping it would be an import cycle."""
    try:
        signature(DELIVER_TASK, args=[delivery_id]).apply_async(retry=False)
        return True
    except Exception as exc:  # noqa: BLE001 (any broker error: kombu, redis, OS)
        log.warning("broker unavailable, delivery %s left for the sweeper: %s", delivery_id, exc)
        return False


class RetryLater(Exception):
    def __init__(self, attempts: int) -> None:
        super().__init__(attempts)
        self.attempts = attempts


SENDING_LEASE = timedelta(seconds=getattr(settings, "NOTIFICATION_SENDING_LEASE_SECONDS", 60))
GIVE_UP_AFTER = timedelta(hours=getattr(settings, "NOTIFICATION_GIVE_UP_HOURS", 72))
EMAIL_MAX_RESENDS = 1  # after a hand-off of unknown outcome, an e-mail is sent again at most once


def message_id(delivery: Delivery) -> str:
    """The e-mail's Message-ID, the same for every attempt: a mail system that sees it twice may drop the
    second copy, and the office can find the message in the mail server's log."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "portal.invalid"
    return f"<{delivery.idempotency_key.replace(':', '.')}@{domain}>"


def _record(delivery_id: int, *, ok: bool, detail: str) -> Delivery:
    """Phase 3: the outcome of a hand-off, in its own transaction."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        DeliveryAttempt.objects.create(delivery=delivery, ok=ok, provider_answer=detail[:2000])
        if ok:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        else:
            delivery.last_error = detail[:2000]
            delivery.status = (
                DeliveryStatus.FAILED if delivery.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
            )
        delivery.save()
        return delivery


def _hand_off(delivery: Delivery, note: Notification) -> str:
    if delivery.channel == ChannelKind.SMS:
        _subject, text = render(
            event=note.event,
            channel=ChannelKind.SMS,
            language=note.recipient.preferred_language,
            context=note.context,
        )
        answer = get_sms_gateway().send(
            phone=delivery.address,
            text=sms_fit(f"【政务服务】{text}"),
            idempotency_key=delivery.idempotency_key,
        )
        return str(answer.detail)
    if delivery.channel == ChannelKind.EMAIL:
        subject, text = render(
            event=note.event,
            channel=ChannelKind.EMAIL,
            language=note.recipient.preferred_language,
            context=note.context,
        )
        EmailMessage(
            subject,
            text,
            to=[delivery.address],
            headers={"Message-ID": message_id(delivery), "X-Idempotency-Key": delivery.idempotency_key},
        ).send()
        return "accepted by the e-mail backend"
    return "inbox"


def deliver(delivery_id: int) -> str:
    """Send one delivery at most once (SMS) or at most twice (e-mail, only after a crash mid-hand-off).

    Phase 1 marks the row "sending" in its own commit (GOV.UK Notify's status guard), phase 2 hands the
    message to the gateway outside any transaction, phase 3 records the outcome. A row found "sending"
    past SENDING_LEASE was left by a worker that died during the hand-off: its outcome is unknown. SMS is
    sent again with the same idempotency key (the provider drops a duplicate); e-mail is sent again once
    with the same Message-ID and the row counts it (``unknown_outcomes``); after that it counts as sent.
    A delivery still unsent 72 hours after it was written is given up as failed, with the reason, for the
    office to see (admin, 投递). Raises RetryLater when the gateway failed and attempts remain."""
    if SendingHold.objects.exists():
        # a database restored from a backup: nothing leaves before `manage.py after_restore` (the row
        # stays pending; the sweeper queues it again once the hold is gone)
        log.error("sending is on hold (restored from a backup? run manage.py after_restore): %s", delivery_id)
        return "held"
    with transaction.atomic():  # phase 1: claim
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification", "notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
            return "skipped"
        now = timezone.now()
        if delivery.created_at < now - GIVE_UP_AFTER:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = f"gave up: not sent within {GIVE_UP_AFTER.total_seconds() / 3600:.0f} h"
            delivery.save()
            DeliveryAttempt.objects.create(delivery=delivery, ok=False, provider_answer=delivery.last_error)
            log.error("delivery %s given up after %s", delivery.pk, GIVE_UP_AFTER)
            return "failed"
        if delivery.status == DeliveryStatus.SENDING:
            if delivery.updated_at > now - SENDING_LEASE:
                return "in progress"  # another worker is handing it off right now
            delivery.unknown_outcomes += 1
            log.warning(
                "delivery %s: outcome of a hand-off unknown (worker died?), %s so far",
                delivery.pk,
                delivery.unknown_outcomes,
            )
            if delivery.channel == ChannelKind.EMAIL and delivery.unknown_outcomes > EMAIL_MAX_RESENDS:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = now
                delivery.last_error = (
                    "outcome unknown; handed to the mail server at least twice, not sent again"
                )
                delivery.save()
                return "sent"
        delivery.attempts += 1
        delivery.status = DeliveryStatus.SENDING
        delivery.save()
        attempts = delivery.attempts
        note = delivery.notification
    try:  # phase 2: hand-off, no transaction and no lock held
        detail = _hand_off(delivery, note)
    except (GatewayError, OSError) as exc:
        if _record(delivery_id, ok=False, detail=str(exc)).status == DeliveryStatus.FAILED:
            return "failed"
        raise RetryLater(attempts) from exc
    _record(delivery_id, ok=True, detail=detail)
    return "sent"


def sweep(*, grace: timedelta | None = None) -> int:
    """Queue again every delivery still unsent after the grace period (lost task, dead broker, killed worker).

    While the broker is down the sweep stops at the first refused hand-off (each costs the Redis client's
    retries, ~0.4 s: a thousand rows would hold beat for minutes) and leaves the rest for the next sweep."""
    cutoff = timezone.now() - (SWEEP_GRACE if grace is None else grace)
    ids = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], updated_at__lte=cutoff
        )
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:5000]
    )
    queued = 0
    for pk in ids:
        if not enqueue(pk):
            log.warning(
                "broker unavailable: sweep stopped, %s deliveries left for the next", len(ids) - queued
            )
            break
        queued += 1
    return queued


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> None:
    """Admin action: give a failed delivery a fresh set of attempts (same key: the gateway still dedupes)."""
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, updated_at=timezone.now()
    )
    transaction.on_commit(lambda: enqueue(delivery.pk))


def inbox_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


DIGEST_PROVIDERS: list[Any] = []  # callables(user) -> list[str]; other apps register at ready()


def send_daily_digests() -> int:
    sent = 0
    staff = User.objects.filter(
        is_active=True, groups__name__in=["clerk", "reviewer", "decider", "head", "inspector"]
    ).distinct()
    for user in staff.iterator():
        lines: list[str] = []
        for provider in DIGEST_PROVIDERS:
            lines.extend(provider(user))
        if not lines:
            continue
        with transaction.atomic():
            notify(
                recipient=user,
                event="staff.daily_digest",
                context={"items": lines},
                channels=["inbox", "email"],
            )
        sent += 1
    return sent
