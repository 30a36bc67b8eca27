"""Retries do not duplicate (issue 17, failure 8): POST /api/v1/applications/ and the draft's submit/
with an ``Idempotency-Key`` header answer a retry with the first answer (kept 24 h per user and key)."""

import datetime
import json
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import Case
from intake.models import Application
from tests.factories import citizen

from .test_api_applications import PDF, PNG, item, media  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def submit(user, item, key=None, shop="青禾小馆"):  # noqa: F811
    client = APIClient()
    client.force_authenticate(user)
    data = {
        "item": item.code,
        "form_data": json.dumps({"shop_name": shop, "area": "80", "category": "餐饮"}),
        f"material_{item.m_license.pk}": ("a.pdf", PDF),
        f"material_{item.m_site.pk}": ("b.png", PNG),
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {k: SimpleUploadedFile(*v) if isinstance(v, tuple) else v for k, v in data.items()}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/applications/", data, format="multipart", **headers)


def test_twenty_identical_submissions_with_one_key_make_one_application(item):  # noqa: F811
    user = citizen()
    answers = [submit(user, item, key="3f1c8a52-5d0e-4c49-9a57-0c1bde0a7d11") for _ in range(20)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["reference"] for a in answers}) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in answers[1:]] == ["true"] * 19
    assert Application.objects.count() == 1 and Case.objects.count() == 1


def test_without_a_key_each_request_is_a_new_application(item):  # noqa: F811
    user = citizen()
    assert submit(user, item).status_code == 201 and submit(user, item).status_code == 201
    assert Application.objects.count() == 2


def test_a_key_reused_for_another_request_is_a_409_and_stores_nothing(item):  # noqa: F811
    user = citizen()
    assert submit(user, item, key="k-1").status_code == 201
    r = submit(user, item, key="k-1", shop="另一家店")
    assert r.status_code == 409 and "Idempotency-Key" in r.json()["detail"]
    assert Application.objects.count() == 1


def test_keys_are_per_user(item):  # noqa: F811
    a, b = citizen(), citizen()
    ra, rb = submit(a, item, key="same"), submit(b, item, key="same")
    assert ra.status_code == rb.status_code == 201 and ra.json()["reference"] != rb.json()["reference"]


def test_a_refused_request_is_not_kept_so_the_corrected_one_goes_through(item):  # noqa: F811
    user = citizen(phone="")
    client = APIClient()
    client.force_authenticate(user)
    r = client.post("/api/v1/applications/", {"item": "NO-SUCH"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert r.status_code == 400
    assert submit(user, item, key="k-2").status_code == 201


def test_a_bad_key_is_a_400_with_a_message(item):  # noqa: F811
    r = submit(citizen(), item, key="含中文的键")
    assert r.status_code == 400 and "Idempotency-Key" in r.json()
    assert Application.objects.count() == 0


def test_a_key_is_kept_24_hours(item):  # noqa: F811
    user = citizen()
    first = submit(user, item, key="k-3").json()["reference"]
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        second = submit(user, item, key="k-3")
    assert second.status_code == 201 and second.json()["reference"] != first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_parallel_retries_with_one_key_make_one_application(item):  # noqa: F811
    user = citizen()
    barrier = threading.Barrier(5)
    answers = []

    def send():
        try:
            barrier.wait(timeout=10)
            answers.append(submit(user, item, key="parallel-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(a.status_code for a in answers) == [201] * 5, [a.content[:200] for a in answers]
    assert len({a.json()["reference"] for a in answers}) == 1
    assert Application.objects.count() == 1


def test_beat_purges_the_answers_kept_past_24_hours_and_keeps_the_recent_ones(item):  # noqa: F811
    from portal.accounts.models import IdempotencyRecord
    from portal.accounts.tasks import purge_idempotency_records
    from portal.schedule import BEAT_SCHEDULE

    assert any(e["task"] == "portal.accounts.tasks.purge_idempotency_records" for e in BEAT_SCHEDULE.values())
    user = citizen()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = submit(user, item, key="old-key")
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        recent = submit(user, item, key="recent-key", shop="第二家店")
    assert old.status_code == recent.status_code == 201
    with time_machine.travel(start + datetime.timedelta(hours=24, minutes=30), tick=False):
        assert purge_idempotency_records.apply().get() == 1  # the task beat runs, in this process
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent-key"]
        # the recent key still answers a retry with its first answer and creates nothing
        again = submit(user, item, key="recent-key", shop="第二家店")
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json()["reference"] == recent.json()["reference"]
        assert Application.objects.count() == 2
