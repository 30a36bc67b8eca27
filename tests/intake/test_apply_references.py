"""Reference numbers are unique under concurrency: the per-day counter row is locked (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from intake.models import ReferenceCounter
from intake.services.references import next_reference


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_share_a_reference():
    day = datetime.date(2026, 11, 23)
    start = threading.Barrier(8)
    got: list[str] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    got.append(next_reference("SP", day))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(got) == [f"SP-20261123-{n:06d}" for n in range(1, 41)]
    assert ReferenceCounter.objects.get(prefix="SP", day=day).last == 40


def test_reference_format_and_per_day_serial(db):
    day = datetime.date(2026, 1, 2)
    with transaction.atomic():
        assert next_reference("SP", day) == "SP-20260102-000001"
        assert next_reference("SP", day) == "SP-20260102-000002"
        assert next_reference("SP", day + datetime.timedelta(days=1)) == "SP-20260103-000001"
