"""A worker that dies between the gateway's acceptance and the commit (issue 17, failure 4): the delivery
was marked "sending" in its own commit first, so the next attempt knows the outcome is unknown. SMS goes
again with the same idempotency key (the gateway drops the copy); e-mail goes again at most once, with the
same Message-ID, and the row counts it; a delivery unsent after 72 hours is given up as failed."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from portal.notifications import services
from portal.notifications.models import Delivery
from portal.sms import FileSmsGateway
from tests.factories import citizen

pytestmark = pytest.mark.django_db
SENT_MAIL: list = []


class WorkerKilled(BaseException):
    """kill -9 between the hand-off and the commit (nothing after it runs)."""


class AcceptThenDie:
    """An e-mail backend: the mail server accepts the message, then the worker dies."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        SENT_MAIL.extend(messages)
        raise WorkerKilled


class SmsAcceptThenDie(FileSmsGateway):
    def send(self, **kwargs):
        super().send(**kwargs)
        raise WorkerKilled


@pytest.fixture(autouse=True)
def gateways(settings, tmp_path):
    SENT_MAIL.clear()
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path / "sms"


def one(channel: str) -> Delivery:
    user = citizen(phone="13912345678", notify_sms=True, notify_email=True, email="a@example.cn")
    services.notify(recipient=user, event="case.approved", context={"reference": "SP-20261204-000001"})
    return Delivery.objects.get(channel=channel)


def later(minutes: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_an_email_whose_hand_off_died_is_sent_again_once_with_the_same_message_id(settings, mailoutbox):
    delivery = one("email")
    settings.EMAIL_BACKEND = "tests.notifications.test_unknown_outcome.AcceptThenDie"
    with pytest.raises(WorkerKilled):
        services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "sending"  # committed before the hand-off
    assert services.deliver(delivery.pk) == "in progress"  # within the lease: another worker has it
    with later(2), pytest.raises(WorkerKilled):
        services.deliver(delivery.pk)  # unknown outcome: the one re-send (and it dies again)
    with later(4):
        assert services.deliver(delivery.pk) == "sent"  # no third copy
    delivery.refresh_from_db()
    assert len(SENT_MAIL) == 2 and delivery.unknown_outcomes == 2 and delivery.status == "sent"
    ids = {m.extra_headers["Message-ID"] for m in SENT_MAIL}
    assert ids == {services.message_id(delivery)}
    assert "outcome unknown" in delivery.last_error


def test_an_email_resent_after_a_crash_is_recorded_sent(settings, mailoutbox):
    delivery = one("email")
    settings.EMAIL_BACKEND = "tests.notifications.test_unknown_outcome.AcceptThenDie"
    with pytest.raises(WorkerKilled):
        services.deliver(delivery.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with later(2):
        assert services.deliver(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert len(SENT_MAIL) + len(mailoutbox) == 2 and delivery.unknown_outcomes == 1  # one re-send, counted


def test_an_sms_whose_hand_off_died_is_not_duplicated(settings, gateways):
    delivery = one("sms")
    settings.SMS_BACKEND = "tests.notifications.test_unknown_outcome.SmsAcceptThenDie"
    with pytest.raises(WorkerKilled):
        services.deliver(delivery.pk)
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    with later(2):
        assert services.deliver(delivery.pk) == "sent"
    files = list((gateways / "messages").glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["key"] == delivery.idempotency_key
    delivery.refresh_from_db()
    assert delivery.unknown_outcomes == 1 and "duplicate" in delivery.attempt_log.last().provider_answer


def test_a_delivery_unsent_after_72_hours_is_given_up_as_failed_with_the_reason(settings):
    delivery = one("sms")
    with later(73 * 60):
        assert services.deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "72 h" in delivery.last_error
