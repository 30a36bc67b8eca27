"""The public progress query's answer (issue 19): its row is read with SQL compiled once per process on
PostgreSQL (``approvals.progress.lookup``); the answer is the one the case itself gives, in both
languages, for a case just submitted and for one accepted and concluded."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from approvals.models import Case
from approvals.progress import lookup
from portal import compiled_sql

from .conftest import at

pytestmark = pytest.mark.django_db


def _from_the_case(case: Case) -> dict:
    """What the answer says, read off the model instance as a page would."""
    case = Case.objects.select_related("item", "department").get(pk=case.pk)

    def iso(day):
        return day.isoformat() if day else None

    return {
        "reference": case.reference,
        "item_name": case.item.name,
        "department": case.department.name,
        "state": case.state,
        "state_label": case.get_state_display(),
        "submitted_on": iso(case.received_on),
        "accepted_on": iso(case.accepted_on),
        "promised_due": iso(case.promised_due),
        "statutory_due": iso(case.statutory_due),
        "concluded_on": iso(case.concluded_on),
    }


def test_the_answer_is_the_cases_own_in_both_languages(world):
    with at(2026, 9, 24):
        fresh = world.case()
        done = world.case()
    Case.objects.filter(pk=done.pk).update(
        state="approved",
        accepted_on=datetime.date(2026, 9, 25),
        promised_due=datetime.date(2026, 10, 20),
        statutory_due=datetime.date(2026, 11, 2),
        concluded_on=datetime.date(2026, 10, 9),
    )
    for case in (fresh, done):
        phone = case.application.contact_phone
        for language in ("zh-hans", "en"):
            with translation.override(language):
                assert lookup(reference=case.reference.lower(), phone=f" {phone} ") == _from_the_case(case)
    assert lookup(reference=fresh.reference, phone="13000000000") is None
    assert lookup(reference="SP-20260924-999999", phone=fresh.application.contact_phone) is None
    with translation.override("en"):
        assert (
            lookup(reference=done.reference, phone=done.application.contact_phone)["state_label"]
            == "Approved"
        )


@pytest.mark.postgres
def test_on_postgresql_the_query_is_compiled_once_and_is_one_statement(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    with at(2026, 9, 24):
        first, second = world.case(), world.case()
    compiled_sql._SQL.clear()
    assert (
        lookup(reference=first.reference, phone=first.application.contact_phone)["reference"]
        == first.reference
    )
    [(key, entry)] = [(k, v) for k, v in compiled_sql._SQL.items() if k[0] == "progress-lookup"]
    assert entry is not None
    with CaptureQueriesContext(connection) as queries:
        found = lookup(reference=second.reference, phone=second.application.contact_phone)
    assert found == _from_the_case(second)
    assert len(queries) == 1 and queries[0]["sql"].startswith("SELECT")
    assert compiled_sql._SQL[key] is entry
