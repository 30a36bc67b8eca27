"""Two clerks fire transitions on one case at the same moment: exactly one wins, the other gets 409."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from approvals.constants import CaseState
from approvals.models import Case, CaseTransition

from .conftest import World


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["accept", "request_correction"])
def test_two_clerks_at_once_exactly_one_wins(second):
    world = World()
    other_clerk = world.clerk_lead
    case = world.case()
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def fire(user, name, data):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            r = client.post(f"/api/v1/cases/{case.reference}/transitions/{name}/", data, format="json")
            results[user.username] = r.status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=fire, args=(world.clerk, "accept", {})),
        threading.Thread(
            target=fire, args=(other_clerk, second, {"materials": [{"name": "营业执照", "problem": "缺少"}]})
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == [200, 409], results
    case = Case.objects.get(pk=case.pk)
    assert case.state in (CaseState.ACCEPTED, CaseState.CORRECTION_REQUESTED)
    assert CaseTransition.objects.filter(case=case).exclude(name="submit").count() == 1
