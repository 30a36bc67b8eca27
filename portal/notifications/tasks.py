"""Celery tasks: thin wrappers around the services. ``acks_late``: a task whose worker dies is redelivered;
the row lock and the idempotency key make the redelivery harmless."""

from celery import Task, shared_task

from . import services
from .constants import DELIVER_TASK, MAX_ATTEMPTS


@shared_task(bind=True, name=DELIVER_TASK, acks_late=True, max_retries=MAX_ATTEMPTS)
def deliver(self: Task[[int], str], delivery_id: int) -> str:
    try:
        return services.deliver(delivery_id)
    except services.RetryLater as exc:
        # Exponential back-off: 2, 4, 8, 16 s … (far below the broker's visibility timeout).
        raise self.retry(countdown=min(2**exc.attempts, 300)) from None


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    return services.sweep()


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    return services.send_daily_digests()
