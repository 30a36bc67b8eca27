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
from intake.models import Material
from portal.notifications.models import Notification
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


def _submit_by_api(world):
    material = Material.objects.create(item=world.item, name="申请书", mandatory=True)
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
