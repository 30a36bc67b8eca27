"""Real threads on PostgreSQL: 20 clerks calling "next" at the same moment on one business type get 20
different numbers, none twice and none lost; 20 kiosks issuing at the same moment get A001…A020."""

import threading

import pytest
from django.db import connection

from hall.constants import TicketState
from hall.models import Ticket
from tests.factories import WindowFactory, staff

from .conftest import Hall, at

N = 20


def _run(n, work):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def go(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clerks_call_next_at_once_and_get_twenty_different_numbers():
    hall = Hall()
    windows = [WindowFactory.create(number=10 + i, name=f"窗口{i}") for i in range(N)]
    hall.group.windows.add(*windows)
    clerks = [staff("clerk", window=w, username=f"c{i}") for i, w in enumerate(windows)]
    with at(2026, 10, 12, 9, tick=True):
        for _ in range(N):
            hall.api().post("/api/v1/hall/tickets/", {"business_type": "A"})

        def call(i):
            r = hall.api(clerks[i]).post(f"/api/v1/hall/windows/{windows[i].number}/call-next/")
            return r.status_code, r.json().get("number")

        results = _run(N, call)
    assert [s for s, _ in results] == [200] * N, results
    numbers = [n for _, n in results]
    assert len(set(numbers)) == N  # none twice
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, N + 1)]  # none lost
    called = Ticket.objects.filter(state=TicketState.CALLED)
    assert called.count() == N and called.values("window").distinct().count() == N


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_kiosks_at_once_issue_each_number_once():
    hall = Hall()
    with at(2026, 10, 12, 9, tick=True):
        results = _run(
            N, lambda i: hall.api().post("/api/v1/hall/tickets/", {"business_type": "A"}).json()["number"]
        )
    assert sorted(results) == [f"A{i:03d}" for i in range(1, N + 1)]
