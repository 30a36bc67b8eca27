"""The case list API reads a page in a fixed number of queries, whatever the page holds, and its rows still
carry every field (the list reads only the columns it shows: a column left out would cost a query a row)."""

from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIClient

from approvals import deadlines, selectors
from approvals.apis import CaseListApi
from approvals.constants import CaseState
from approvals.serializers import CaseListSerializer
from portal.workcalendar import services as calendar_services
from tests.approvals.factories import CaseFactory
from tests.factories import ApplicationFactory, citizen

FIELDS = {
    "reference",
    "state",
    "state_label",
    "mode",
    "item_code",
    "item_name",
    "department",
    "submitted_at",
    "accepted_on",
    "promised_due",
    "statutory_due",
    "due_provisional",
    "current_step",
    "step_due",
    "concluded_on",
    "elapsed_days_now",
    "remaining_days",
    "due_colour",
    "ended_on",
    "answer_by",
}


def _cases(user, n, **kwargs):
    return [CaseFactory(application=ApplicationFactory(applicant=user), **kwargs) for _ in range(n)]


def _list(user):
    api = APIClient()
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/cases/")
    assert response.status_code == 200
    return response.json(), len(queries)


def test_a_full_page_costs_the_same_queries_as_a_short_one(db, monkeypatch):
    # The work calendar's index re-checks its version every CHECK_SECONDS: on a slow machine that may fall
    # between the two requests compared here (and reload it if another test cleared the cache).
    monkeypatch.setattr(calendar_services, "CHECK_SECONDS", 3600)
    user = citizen()
    _cases(user, 1)
    _cases(user, 1, accepted=True)
    _cases(user, 1, concluded=True)
    _list(user)  # the first request loads the work calendar and the user's roles, once
    short, few = _list(user)
    assert short["count"] == 3
    _cases(user, 22, accepted=True)
    full, many = _list(user)
    assert full["count"] == 25 and len(full["results"]) == 20
    assert many == few


def test_rows_carry_every_field_with_the_state_label_and_due_figures(db):
    user = citizen()
    (submitted,) = _cases(user, 1)
    (accepted,) = _cases(user, 1, accepted=True)
    rows = {row["reference"]: row for row in _list(user)[0]["results"]}
    assert all(set(row) == FIELDS for row in rows.values())
    assert (
        rows[submitted.reference]["state_label"]
        == submitted.get_state_display()
        == str(CaseState.SUBMITTED.label)
    )
    row = rows[accepted.reference]
    assert row["state"] == CaseState.ACCEPTED and row["state_label"] == accepted.get_state_display()
    assert row["item_name"] == accepted.item.name and row["department"] == accepted.department.name
    assert row["elapsed_days_now"] is not None and row["due_colour"]


def test_rows_are_what_drf_gives_value_for_value_in_english_too(db):
    """The list builds its rows without DRF's per-field machinery (portal.api.PlainRowsMixin): the same
    keys in the same order and the same values as DRF's own serialiser, for a case in each phase."""
    user = citizen()
    _cases(user, 1)
    _cases(user, 1, accepted=True)
    _cases(user, 1, concluded=True)
    view = CaseListApi()
    view.request = SimpleNamespace(user=user)  # get_queryset reads the user only
    for language in ("zh-hans", "en"):
        api = APIClient()
        api.force_authenticate(user)
        rows = api.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        cases = deadlines.annotate_times(list(view.get_queryset()), selectors.today())
        with translation.override(language):
            drf = [serializers.Serializer.to_representation(CaseListSerializer(), c) for c in cases]
        assert len(rows) == 3 and CaseListSerializer._plain_plan  # the plain path served them
        assert [list(row) for row in rows] == [list(row) for row in drf]
        assert rows == drf  # DRF's values are JSON's already: strings, numbers, booleans and None
