"""DESIGN §7 "new work in their queue": the clerks' notices of an online submission are written after its
commit by a task (issue 19: the submission's request no longer pays for them), never lost: the task is
queued on commit, and a sweep writes whatever a dead broker left unwritten. The applicant's receipt stays
in the submission's own transaction."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.services.intake import clerks_told_of_new_submission, new_submission_notice_sweep
from approvals.tasks import tell_clerks_of_new_submission
from intake.models import Material
from portal.notifications.constants import DELIVER_TASK, DeliveryStatus
from portal.notifications.models import Delivery, Notification
from portal.notifications.services import deliver, notify, sweep
from tests.files import PDF

from .conftest import at

EVENT = "staff.new_submission"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _submit_by_api(world, material=None):
    material = material or Material.objects.create(item=world.item, name="申请书", mandatory=True)
    r = _api(world.citizen).post(
        "/api/v1/applications/",
        {
            "item": world.item.code,
            "form_data": json.dumps({}),
            f"material_{material.pk}": SimpleUploadedFile("a.pdf", PDF),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    return r.json()["reference"]


def test_a_clerk_finds_the_notice_in_the_inbox_after_an_api_submission(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reference = _submit_by_api(world)
        # the applicant's receipt is written in the submission's transaction, the clerks' after it
        assert Notification.objects.filter(recipient=world.citizen, event="application.received").exists()
        assert not Notification.objects.filter(event=EVENT).exists()
    for clerk in (world.clerk, world.clerk_lead):
        inbox = _api(clerk).get("/api/v1/notifications/").json()
        rows = inbox["results"] if isinstance(inbox, dict) else inbox
        notes = [n for n in rows if n["event"] == EVENT]
        assert len(notes) == 1 and notes[0]["case_reference"] == reference
        assert notes[0]["link"] == f"/cases/{reference}/"
    assert not Notification.objects.filter(recipient=world.reviewer, event=EVENT).exists()


def test_the_task_told_twice_writes_the_notices_once(world):
    with at(2026, 3, 2):
        case = world.case()  # no commit in this test: the task was not queued
    assert clerks_told_of_new_submission(case.pk) == 2
    assert clerks_told_of_new_submission(case.pk) == 0  # redelivered, retried or next to the sweep
    assert Notification.objects.filter(event=EVENT).count() == 2


def test_the_sweep_writes_what_a_dead_broker_left_unwritten_once_and_only_for_the_waiting_queue(world):
    with at(2026, 3, 2):
        lost = world.case()  # the broker was down at the commit: no task
        taken_up = world.case()
        assert world.fire(world.clerk, taken_up, "accept").status_code == 200
    with at(2026, 3, 2, hour=11):
        assert new_submission_notice_sweep(grace=datetime.timedelta(minutes=30)) == 1
        assert new_submission_notice_sweep(grace=datetime.timedelta(minutes=30)) == 0
    told = Notification.objects.filter(event=EVENT)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["clerk", "clerk_lead"]
    assert set(told.values_list("case_reference", flat=True)) == {lost.reference}


def test_the_sweep_waits_for_the_task_during_the_grace_period(world):
    with at(2026, 3, 2):
        world.case()
        assert new_submission_notice_sweep(grace=datetime.timedelta(minutes=2)) == 0
    assert not Notification.objects.filter(event=EVENT).exists()


def test_a_walk_in_registered_by_a_clerk_tells_no_one(world):
    with at(2026, 3, 2):
        case = world.case()
    case.application.registered_by = world.clerk
    case.application.save(update_fields=["registered_by"])
    assert clerks_told_of_new_submission(case.pk) == 0
    with at(2026, 3, 2, hour=11):
        assert new_submission_notice_sweep(grace=datetime.timedelta(minutes=30)) == 0


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    return settings.SMS_FILE_DIR


def _texts(sms_dir):
    path = sms_dir / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _with_sms(world):
    world.citizen.phone, world.citizen.notify_sms = "13912345678", True
    world.citizen.save(update_fields=["phone", "notify_sms"])


def test_one_task_after_the_commit_sends_the_receipt_sms_and_tells_the_clerks(
    world, eager_tasks, sms_dir, published, django_capture_on_commit_callbacks
):
    """Issue 19, fourth pass: an online submission hands one task to the broker (it was two: the receipt's
    SMS and the clerks' task); that task still gets the applicant their SMS and the clerks their notices."""
    _with_sms(world)
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reference = _submit_by_api(world, material)
    assert len(callbacks) == 1  # one hand-off to the broker per online submission
    assert published == [] and _texts(sms_dir) == []  # nothing leaves before the commit
    callbacks[0]()  # the commit: the task (eager here) queues the receipt's SMS and tells the clerks
    receipt = Delivery.objects.get(notification__event="application.received", channel="sms")
    assert published == [(DELIVER_TASK, [receipt.pk])]
    told = Notification.objects.filter(event=EVENT, case_reference=reference)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["clerk", "clerk_lead"]
    deliver(receipt.pk)  # the worker's deliver task
    sent = _texts(sms_dir)
    assert [m["phone"] for m in sent] == ["13912345678"] and reference in sent[0]["text"]
    receipt.refresh_from_db()
    assert receipt.status == DeliveryStatus.SENT


def test_a_receipt_whose_task_the_broker_lost_is_queued_by_the_outbox_sweep(
    world, eager_tasks, sms_dir, published, django_capture_on_commit_callbacks
):
    _with_sms(world)
    with django_capture_on_commit_callbacks(execute=False):
        _submit_by_api(world)  # the task is lost: its callback never runs
    receipt = Delivery.objects.get(notification__event="application.received", channel="sms")
    assert receipt.status == DeliveryStatus.PENDING
    assert sweep(grace=datetime.timedelta(0)) == 1
    assert published == [(DELIVER_TASK, [receipt.pk])]
    assert new_submission_notice_sweep(grace=datetime.timedelta(0)) == 1  # and the clerks by theirs


def test_the_task_retried_does_not_queue_the_receipt_again(world, published):
    _with_sms(world)
    with at(2026, 3, 2):
        case = world.case()
    receipt = notify(
        recipient=world.citizen,
        event="application.received",
        context={"reference": case.reference},
        queue=False,
    )
    sms = [d.pk for d in receipt if d.channel == "sms"]
    assert len(sms) == 1
    tell_clerks_of_new_submission.apply(args=[case.pk], kwargs={"deliveries": sms}, retries=1)
    assert published == []  # a retry (the database was away) leaves the receipt to the first attempt
    tell_clerks_of_new_submission.apply(args=[case.pk], kwargs={"deliveries": sms})
    assert published == [(DELIVER_TASK, sms)]
    assert Notification.objects.filter(event=EVENT, case_reference=case.reference).count() == 2
