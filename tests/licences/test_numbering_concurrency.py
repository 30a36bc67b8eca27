"""Two deciders approve two cases of one licence type at the same moment: the counter row lock gives them
consecutive numbers, no gap and no duplicate (PostgreSQL: SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from approvals.models import Case
from licences.models import Licence, LicenceType
from tests.factories import staff

from ..approvals.conftest import World


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_take_consecutive_numbers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    world = World()
    world.item.licence_type = LicenceType.objects.create(code="SPJY", title="食品经营许可证")
    world.item.save()
    decider_2 = staff("decider", world.dept, username="decider_2")
    cases = [world.case(), world.case()]
    for case in cases:
        for user, name, data in [
            (world.clerk, "accept", {}),
            (world.reviewer, "start_review", {}),
            (world.reviewer, "send_to_decision", {"opinion": "符合"}),
        ]:
            client = APIClient()
            client.force_authenticate(user)
            r = client.post(f"/api/v1/cases/{case.reference}/transitions/{name}/", data, format="json")
            assert r.status_code == 200, r.json()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def approve(user, case):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            r = client.post(f"/api/v1/cases/{case.reference}/transitions/approve/", {}, format="json")
            results.append(r.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(world.decider, cases[0])),
        threading.Thread(target=approve, args=(decider_2, cases[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [200, 200], results
    numbers = sorted(Licence.objects.values_list("number", flat=True))
    assert [n[-6:] for n in numbers] == ["000001", "000002"] and numbers[0][:-6] == numbers[1][:-6], numbers
    assert Case.objects.filter(state="approved").count() == 2
