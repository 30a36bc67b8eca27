"""Throughput of the outbox through a real worker, as a ratio to calling the gateway directly.

    DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… .venv/bin/python bench/notifications_throughput.py --count 10000

Baseline (same run): the file gateway called N times in this process. Measured: N notify() rows committed,
queued, and sent by a worker started here, until the last one is marked sent.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    import os

    os.environ["SMS_FILE_DIR"] = str(tmp / "sms")
    os.environ["SMS_BACKEND"] = "portal.sms.FileSmsGateway"
    setup_django()
    from django.conf import settings
    from django.db import transaction

    from portal.accounts.models import User
    from portal.notifications import services
    from portal.notifications.models import Delivery
    from portal.sms import FileSmsGateway
    from tests.worker import Worker, wait_for

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        sys.exit("set CELERY_BROKER_URL=redis://… (and DATABASE_URL to PostgreSQL) for this benchmark")
    direct = FileSmsGateway(tmp / "direct")
    start = time.perf_counter()
    for n in range(args.count):
        direct.send(phone="13700000000", text=f"基准短信 {n}", idempotency_key=f"direct:{n}")
    baseline = time.perf_counter() - start

    user, _ = User.objects.get_or_create(
        username="bench-sms", defaults={"phone": "13700000000", "notify_sms": True}
    )
    worker = Worker(tmp, concurrency=args.concurrency).start()
    try:
        start = time.perf_counter()
        for chunk in range(0, args.count, 500):
            with transaction.atomic():
                for n in range(chunk, min(chunk + 500, args.count)):
                    services.notify(
                        recipient=user,
                        event="case.withdrawn",
                        context={"reference": f"B-{n}"},
                        channels=["sms"],
                    )
        wait_for(
            lambda: (
                Delivery.objects.filter(notification__recipient=user, status="sent").count() >= args.count
            ),
            timeout=3600,
            interval=0.5,
        )
        measured = time.perf_counter() - start
    finally:
        worker.stop()
        Delivery.objects.filter(notification__recipient=user).delete()
        user.notifications.all().delete()
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{args.count} messages: direct gateway {baseline:.2f} s ({args.count / baseline:.0f}/s); "
        f"through outbox + worker {measured:.2f} s ({args.count / measured:.0f}/s)"
    )
    print(f"throughput ratio (outbox+worker / direct) = {baseline / measured:.3f}")


if __name__ == "__main__":
    main()
