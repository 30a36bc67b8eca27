"""Proof on the real stack: PostgreSQL, Redis and a real Celery worker process started by the test."""

import datetime
import json

import pytest
import redis
from django.db import transaction

from approvals.services.intake import NEW_SUBMISSION_WAKE_KEY, new_submission_notice_sweep
from portal.celery import app as celery_app
from portal.notifications import services
from portal.notifications.models import Delivery, Notification
from portal.sms import FileSmsGateway
from tests.worker import Worker, producer_at, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sms(settings, tmp_path):
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    celery_app.control.purge()
    # a purged drain leaves its wake-up key until it expires (the sweeps cover that in production)
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(NEW_SUBMISSION_WAKE_KEY)
    return FileSmsGateway(settings.SMS_FILE_DIR)


@pytest.fixture
def worker(tmp_path, sms):
    w = Worker(tmp_path)
    yield w
    w.stop()


def _texts(sms: FileSmsGateway, phone: str) -> list[dict]:
    rows = [json.loads(p.read_text()) for p in (sms.directory / "messages").glob("*.json")]
    # keys are UUIDs (issue 17): the order is the notifications' order
    order = dict(Delivery.objects.values_list("idempotency_key", "notification_id"))
    return sorted((r for r in rows if r["phone"] == phone), key=lambda r: order.get(r["key"], 0))


def test_a_case_life_sends_exactly_the_expected_messages_once_each(worker, sms):
    from approvals.models import Case
    from approvals.services.decision import case_approve
    from approvals.services.delivery import case_deliver
    from approvals.services.intake import case_accept
    from approvals.services.review import case_send_to_decision, case_start_review
    from intake.services.applications import application_create_draft, application_submit
    from tests.approvals.conftest import World

    world = World()
    worker.start()
    app = application_create_draft(item=world.item, applicant=world.citizen, actor=world.citizen)
    app = application_submit(application=app, actor=world.citizen)
    case = Case.objects.get(application=app)
    case = case_accept(case=case, actor=world.clerk)
    case = case_start_review(case=case, actor=world.reviewer)
    case = case_send_to_decision(case=case, actor=world.reviewer, opinion="符合")
    case = case_approve(case=case, actor=world.decider)
    case = case_deliver(case=case, actor=world.clerk, method="window", place="7号窗口")
    phone = world.citizen.phone
    assert wait_for(
        lambda: (
            Delivery.objects.filter(channel="sms", status="sent").count()
            == Delivery.objects.filter(channel="sms").count()
        ),
        timeout=90,
    )
    events = list(
        Notification.objects.filter(recipient=world.citizen).order_by("id").values_list("event", flat=True)
    )
    assert events == [
        "application.received",
        "case.accepted",
        "case.approved",
        "rating.invitation",
        "case.result_ready",
    ]
    texts = [r["text"] for r in _texts(sms, phone)]
    assert len(texts) == 5
    assert case.reference in texts[0] and "已受理" in texts[1] and "准予许可" in texts[2]
    assert "/complaints/rate/link/" in texts[3] and "7号窗口" in texts[4]
    # Staff heard of new work: reviewers on acceptance, deciders when sent to decision.
    assert Notification.objects.filter(recipient=world.reviewer, event="staff.new_work").count() == 1
    assert Notification.objects.filter(recipient=world.decider, event="staff.new_work").count() == 1


def test_broker_down_while_submitting_the_message_goes_out_after_it_is_back(worker, sms, settings):
    from intake.services.applications import application_create_draft, application_submit
    from tests.approvals.conftest import World

    world = World()
    with producer_at("redis://127.0.0.1:1/0"):  # nothing listens there: the broker is down
        app = application_create_draft(item=world.item, applicant=world.citizen, actor=world.citizen)
        app = application_submit(application=app, actor=world.citizen)  # succeeds regardless
    assert app.reference
    sms_row = Delivery.objects.get(notification__recipient=world.citizen, channel="sms")
    assert sms_row.status == "pending"
    # the applicant's SMS; the window clerks' notices of a new online submission (DESIGN §7) are written
    # by a task queued on commit, refused by the dead broker: their sweep writes them
    assert not Notification.objects.filter(event="staff.new_submission").exists()
    pending = Delivery.objects.filter(status="pending").count()
    assert pending >= 1
    worker.start()
    assert services.sweep(grace=datetime.timedelta(0)) == pending
    assert wait_for(lambda: Delivery.objects.get(pk=sms_row.pk).status == "sent", timeout=60)
    assert len(_texts(sms, world.citizen.phone)) == 1
    assert new_submission_notice_sweep(grace=datetime.timedelta(0)) == 1
    assert new_submission_notice_sweep(grace=datetime.timedelta(0)) == 0
    told = Notification.objects.filter(event="staff.new_submission", case_reference=app.reference)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [world.clerk.pk, world.clerk_lead.pk]
    )


def test_a_clerk_sees_the_new_submission_written_by_the_worker_once(worker, sms, settings, tmp_path):
    """The clerks' notices of an online submission come from a task queued when it commits (issue 19):
    submitted through the API, a real worker writes them, once, and the clerk finds theirs in the inbox
    (and gets the SMS they chose). The applicant's receipt is there as soon as the request answers."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from intake.models import Material
    from tests.approvals.conftest import World
    from tests.files import PDF

    settings.MEDIA_ROOT = tmp_path / "private"
    world = World()
    world.clerk.phone, world.clerk.notify_sms = "13700000077", True
    world.clerk.save(update_fields=["phone", "notify_sms"])
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    worker.start()
    citizen_api = APIClient()
    citizen_api.force_authenticate(world.citizen)
    r = citizen_api.post(
        "/api/v1/applications/",
        {
            "item": world.item.code,
            "form_data": "{}",
            f"material_{material.pk}": SimpleUploadedFile("a.pdf", PDF),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    reference = r.json()["reference"]
    assert Notification.objects.filter(recipient=world.citizen, case_reference=reference).exists()
    clerk_api = APIClient()
    clerk_api.force_authenticate(world.clerk)

    def clerk_notes():
        rows = clerk_api.get("/api/v1/notifications/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        return [n for n in rows if n["event"] == "staff.new_submission" and n["case_reference"] == reference]

    assert wait_for(lambda: len(clerk_notes()) == 1, timeout=60)
    assert wait_for(lambda: len(_texts(sms, world.clerk.phone)) == 1, timeout=60)
    assert Notification.objects.filter(event="staff.new_submission").count() == 2  # clerk and clerk_lead


def test_worker_killed_mid_batch_every_message_sent_exactly_once(worker, sms, tmp_path):
    from tests.factories import citizen

    user = citizen(phone="13700000000")
    worker.start()
    with transaction.atomic():
        for n in range(1000):
            services.notify(
                recipient=user,
                event="case.withdrawn",
                context={"reference": f"SP-20261123-{n:06d}"},
                channels=["sms"],
            )
    assert wait_for(lambda: len(sms.sent_keys()) >= 100, timeout=120)
    worker.kill()
    sent_before = len(sms.sent_keys())
    assert sent_before < 1000, "the kill came too late to prove anything"
    restarted = Worker(tmp_path).start()

    def everything_sent() -> bool:
        services.sweep(grace=datetime.timedelta(seconds=5))
        return Delivery.objects.filter(channel="sms").exclude(status="sent").count() == 0

    try:
        assert wait_for(everything_sent, timeout=240, interval=3)
    finally:
        restarted.stop()
    keys = sms.sent_keys()
    assert len(keys) == 1000 == len(set(keys))  # each message once at the gateway, however often its task ran
    texts = {json.loads(p.read_text())["text"] for p in (sms.directory / "messages").glob("*.json")}
    assert len(texts) == 1000  # and each of them complete


def test_submissions_in_a_row_each_tell_the_clerks_once_and_send_the_receipt_once(
    worker, sms, settings, tmp_path
):
    """The coalesced wake-up on a real worker (issue 19, seventh pass): five online submissions in a row,
    whichever of them publish a drain, every one's clerks are told once and every receipt SMS is sent
    once."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from intake.models import Material
    from tests.approvals.conftest import World
    from tests.files import PDF

    settings.MEDIA_ROOT = tmp_path / "private"
    world = World()
    world.citizen.phone, world.citizen.notify_sms = "13912345678", True
    world.citizen.save(update_fields=["phone", "notify_sms"])
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    worker.start()
    api = APIClient()
    api.force_authenticate(world.citizen)
    references = []
    for _ in range(5):
        r = api.post(
            "/api/v1/applications/",
            {
                "item": world.item.code,
                "form_data": "{}",
                f"material_{material.pk}": SimpleUploadedFile("a.pdf", PDF),
            },
            format="multipart",
        )
        assert r.status_code == 201, r.json()
        references.append(r.json()["reference"])
    told = Notification.objects.filter(event="staff.new_submission")
    assert wait_for(lambda: told.count() == 10, timeout=60)
    assert wait_for(lambda: len(_texts(sms, world.citizen.phone)) == 5, timeout=60)
    for reference in references:
        assert sorted(
            told.filter(case_reference=reference).values_list("recipient__username", flat=True)
        ) == [
            "clerk",
            "clerk_lead",
        ]
    texts = _texts(sms, world.citizen.phone)
    assert sorted(r for r in references if any(r in t["text"] for t in texts)) == sorted(references)
    assert not Delivery.objects.filter(notification__event="application.received", status="pending").exists()
