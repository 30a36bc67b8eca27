"""Issue 19, seventh pass: the coalesced wake-up after an online submission's commit, on the real Redis broker
(the PostgreSQL + Redis pass). After its commit a submission sets a key on the broker's Redis; only the
one that set it publishes the drain task, which deletes the key before it reads the cases, tells the clerks
of every recent online submission not told yet and queues each one's receipt. No wake-up is lost, nothing
is told or sent twice, and a broker that refuses the task leaves everything to the sweeps."""

import datetime
import json
from typing import Any

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.services import intake
from approvals.services.intake import (
    NEW_SUBMISSION_DRAIN_TASK,
    NEW_SUBMISSION_WAKE_KEY,
    new_submission_notice_sweep,
)
from approvals.tasks import tell_clerks_of_new_submissions
from intake.models import Material
from portal.celery import app as celery_app
from portal.notifications.constants import DELIVER_TASK
from portal.notifications.models import Delivery, Notification
from portal.notifications.services import sweep
from tests.files import PDF
from tests.worker import producer_at

pytestmark = pytest.mark.postgres  # the Redis broker is configured in the PostgreSQL + Redis pass

EVENT = "staff.new_submission"


@pytest.fixture
def broker_redis(settings, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (CELERY_BROKER_URL=redis://…)")
    settings.MEDIA_ROOT = tmp_path / "private"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(NEW_SUBMISSION_WAKE_KEY)
    celery_app.control.purge()
    yield client
    client.delete(NEW_SUBMISSION_WAKE_KEY)
    celery_app.control.purge()  # no worker here: what this test published must not reach a later one


def _drains(published) -> int:
    return sum(1 for name, _ in published if name == NEW_SUBMISSION_DRAIN_TASK)


def _queued_deliveries(published) -> list[int]:
    return [args[0] for name, args in published if name == DELIVER_TASK]


def _submit(world, material, capture) -> str:
    """An online submission through the API; its commit's callbacks run as a commit would run them."""
    client = APIClient()
    client.force_authenticate(world.citizen)
    with capture(execute=True):
        r = client.post(
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


def _with_sms(world):
    world.citizen.phone, world.citizen.notify_sms = "13912345678", True
    world.citizen.save(update_fields=["phone", "notify_sms"])


def _receipt_sms(reference: str) -> int:
    return Delivery.objects.get(
        notification__event="application.received", notification__case_reference=reference, channel="sms"
    ).pk


def _told(reference: str) -> list[str]:
    rows = Notification.objects.filter(event=EVENT, case_reference=reference)
    return sorted(rows.values_list("recipient__username", flat=True))


def test_one_publish_wakes_one_drain_for_every_submission_committed_before_it_reads(
    world, broker_redis, published, django_capture_on_commit_callbacks
):
    _with_sms(world)
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    first = _submit(world, material, django_capture_on_commit_callbacks)
    assert _drains(published) == 1 and broker_redis.exists(NEW_SUBMISSION_WAKE_KEY)
    assert _queued_deliveries(published) == []  # nothing sent before the drain runs
    second = _submit(world, material, django_capture_on_commit_callbacks)
    third = _submit(world, material, django_capture_on_commit_callbacks)
    assert _drains(published) == 1  # the key was set: the drain already queued reads them too
    assert tell_clerks_of_new_submissions.apply().get() == 3  # the worker runs the one drain
    assert not broker_redis.exists(NEW_SUBMISSION_WAKE_KEY)
    for reference in (first, second, third):
        assert _told(reference) == ["clerk", "clerk_lead"]
    # each receipt's SMS queued once, in the order of the submissions
    assert _queued_deliveries(published) == [_receipt_sms(r) for r in (first, second, third)]
    # the next submission finds no key: it publishes at once (a lone submission is not held back)
    fourth = _submit(world, material, django_capture_on_commit_callbacks)
    assert _drains(published) == 2
    assert tell_clerks_of_new_submissions.apply().get() == 1
    assert _told(fourth) == ["clerk", "clerk_lead"]


def test_a_submission_committed_while_a_drain_reads_wakes_another_drain(
    world, broker_redis, published, django_capture_on_commit_callbacks, monkeypatch
):
    """The interleaving that could lose a wake-up: a drain has deleted the key and a submission commits
    before or while the drain reads. The submission sets the key again and publishes; whichever drain
    reads it first tells its clerks and queues its receipt, the other finds it told: once each."""
    _with_sms(world)
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    first = _submit(world, material, django_capture_on_commit_callbacks)
    real_read = intake._untold_online_submissions
    late: list[str] = []

    def read_after_a_commit(**kwargs: Any) -> list[int]:
        if not late:  # between the drain's delete of the key and its read
            assert not broker_redis.exists(NEW_SUBMISSION_WAKE_KEY)
            late.append(_submit(world, material, django_capture_on_commit_callbacks))
        return real_read(**kwargs)

    monkeypatch.setattr(intake, "_untold_online_submissions", read_after_a_commit)
    assert tell_clerks_of_new_submissions.apply().get() == 2
    assert _drains(published) == 2  # the late submission woke a drain of its own
    monkeypatch.setattr(intake, "_untold_online_submissions", real_read)
    assert tell_clerks_of_new_submissions.apply().get() == 0  # that drain finds nothing left
    for reference in (first, late[0]):
        assert _told(reference) == ["clerk", "clerk_lead"]
    assert sorted(_queued_deliveries(published)) == sorted(_receipt_sms(r) for r in (first, late[0]))


def test_drains_run_twice_or_side_by_side_tell_and_queue_each_case_once(
    world, broker_redis, published, django_capture_on_commit_callbacks
):
    _with_sms(world)
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    reference = _submit(world, material, django_capture_on_commit_callbacks)
    assert tell_clerks_of_new_submissions.apply().get() == 1
    assert tell_clerks_of_new_submissions.apply().get() == 0  # redelivered or a second drain
    assert new_submission_notice_sweep(grace=datetime.timedelta(0)) == 0  # and the sweep after them
    assert _told(reference) == ["clerk", "clerk_lead"]
    assert _queued_deliveries(published) == [_receipt_sms(reference)]


def test_a_refused_publish_leaves_the_case_to_the_sweeps_and_the_next_submission_tries_again(
    world, broker_redis, published, django_capture_on_commit_callbacks
):
    _with_sms(world)
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    with producer_at("redis://127.0.0.1:1/0"):  # nothing listens there: the broker is down
        lost = _submit(world, material, django_capture_on_commit_callbacks)  # succeeds regardless
    assert _told(lost) == [] and broker_redis.llen("celery") == 0  # the drain was refused
    assert not broker_redis.exists(NEW_SUBMISSION_WAKE_KEY)  # no drain holds it: released
    # the sweeps, as before: the receipt by the outbox's, the clerks by theirs
    assert sweep(grace=datetime.timedelta(0)) == 1
    assert _queued_deliveries(published) == [_receipt_sms(lost)]
    assert new_submission_notice_sweep(grace=datetime.timedelta(0)) == 1
    assert _told(lost) == ["clerk", "clerk_lead"]
    # the broker is back: the next submission publishes its drain at once
    tried = _drains(published)
    _submit(world, material, django_capture_on_commit_callbacks)
    assert _drains(published) == tried + 1


def test_an_eager_configuration_runs_the_drain_at_once_without_the_key(
    world, broker_redis, eager_tasks, django_capture_on_commit_callbacks
):
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    references = [_submit(world, material, django_capture_on_commit_callbacks) for _ in range(2)]
    for reference in references:  # each told by the drain run in this process at its commit
        assert _told(reference) == ["clerk", "clerk_lead"]
    assert not broker_redis.exists(NEW_SUBMISSION_WAKE_KEY)


def test_a_drain_reads_batch_after_batch_until_every_waiting_submission_is_told(
    world, broker_redis, published, django_capture_on_commit_callbacks
):
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    references = [_submit(world, material, django_capture_on_commit_callbacks) for _ in range(5)]
    assert _drains(published) == 1  # the other four counted on that drain
    assert intake.new_submissions_drained(batch=2) == 5
    for reference in references:
        assert _told(reference) == ["clerk", "clerk_lead"]


def test_a_case_the_window_accepts_before_its_drain_runs_still_gets_its_receipt_at_once(
    world, broker_redis, published, django_capture_on_commit_callbacks
):
    """A busy worker: the clerk opens the new case from the queue and accepts it before the drain reads.
    The case has left the intake queue, so no clerk is told of it, but the applicant's receipt SMS is
    queued by that drain, not left pending for the outbox sweep's grace (CI caught the SMS left behind)."""
    from approvals.models import Case
    from approvals.services.intake import case_accept

    _with_sms(world)
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
    reference = _submit(world, material, django_capture_on_commit_callbacks)
    case_accept(case=Case.objects.get(reference=reference), actor=world.clerk)
    assert tell_clerks_of_new_submissions.apply().get() == 0
    assert _told(reference) == []  # out of the intake queue: nobody to tell
    assert _queued_deliveries(published) == [_receipt_sms(reference)]
