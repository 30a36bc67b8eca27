"""Inbox notifications and their deliveries in each state of the outbox (for the readers and the
sweeper); tests of sending go through portal.notifications.services."""

import uuid

import factory
from django.utils import timezone

from portal.notifications.constants import ChannelKind, DeliveryStatus
from portal.notifications.models import Delivery, Notification
from tests.factories import citizen


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))

    recipient = factory.LazyFunction(citizen)
    event = "case.accepted"
    subject = "您的申请已受理"
    body = "您的申请已受理。"


class DeliveryFactory(factory.django.DjangoModelFactory[Delivery]):
    """An SMS delivery: ``pending`` (the default), ``sending``, ``sent`` or ``failed``."""

    class Meta:
        model = Delivery

    class Params:
        pending = factory.Trait(status=DeliveryStatus.PENDING)
        sending = factory.Trait(status=DeliveryStatus.SENDING, attempts=1)
        sent = factory.Trait(
            status=DeliveryStatus.SENT, attempts=1, sent_at=factory.LazyFunction(timezone.now)
        )
        failed = factory.Trait(status=DeliveryStatus.FAILED, attempts=5, last_error="provider unreachable")

    notification = factory.SubFactory(NotificationFactory)
    channel = ChannelKind.SMS
    address = "13912345678"
    status = DeliveryStatus.PENDING
    idempotency_key = factory.LazyAttribute(lambda o: f"{uuid.uuid4().hex}:{o.channel}")
