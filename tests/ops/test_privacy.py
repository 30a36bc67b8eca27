"""Privacy on shared terminals and in logs (issue 17, failure 10): ``Cache-Control: private, no-store`` on
personal answers; the progress query by POST; the log mask touches checksum-valid ID numbers only (no
more mangled Celery durations) and masks mobile numbers."""

import logging

import pytest
from rest_framework.test import APIClient

from portal.pii import MaskResidentIdFilter
from portal.pii import mask_valid_ids as mask_text
from tests.approvals.factories import CaseFactory
from tests.factories import citizen

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    value = response.get("Cache-Control", "")
    return "no-store" in value and "private" in value


def test_personal_pages_and_api_answers_are_private_no_store(client):
    user = citizen()
    # the public catalogue API is the same for everyone and cached with an ETag (issue 19): not no-store;
    # a personal API answer is
    assert not no_store(APIClient().get("/api/v1/items/"))
    api = APIClient()
    api.force_authenticate(user)
    assert no_store(api.get("/api/v1/cases/"))
    assert no_store(
        client.post("/cases/progress/", {"reference": "SP-20260101-000001", "phone": "13912345678"})
    )
    client.force_login(user)
    assert no_store(client.get("/cases/mine/"))
    assert no_store(client.get("/"))
    client.logout()
    assert not no_store(client.get("/items/"))  # the public catalogue, nobody signed in: cacheable


def test_the_progress_query_by_post_keeps_the_phone_out_of_the_url():
    case = CaseFactory()
    phone = case.application.contact_phone or case.applicant.phone
    r = APIClient().post("/api/v1/progress/", {"reference": case.reference, "phone": phone}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["reference"] == case.reference
    r = APIClient().post(
        "/api/v1/progress/", {"reference": case.reference, "phone": "13900000000"}, format="json"
    )
    assert r.status_code == 404
    r = APIClient().post("/api/v1/progress/", {"reference": {"a": 1}, "phone": phone}, format="json")
    assert r.status_code == 400


def test_the_log_mask_leaves_durations_alone_and_masks_ids_and_phones():
    assert mask_text("Task succeeded in 0.02451234567895458s") == "Task succeeded in 0.02451234567895458s"
    assert mask_text("id 11010519491231002X") == "id 1101**********002X"
    assert mask_text("serial 110105194912310021") == "serial 110105194912310021"  # checksum fails
    record = logging.LogRecord(
        "x",
        logging.INFO,
        "",
        0,
        "GET /api/v1/progress/?phone=%s took %ss",
        ("13912345678", "0.13912345678"),
        None,
    )
    MaskResidentIdFilter().filter(record)
    assert record.getMessage() == "GET /api/v1/progress/?phone=139****5678 took 0.13912345678s"
