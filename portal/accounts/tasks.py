"""Celery tasks of the accounts: thin wrappers around the services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def purge_idempotency_records() -> int:
    return services.idempotency_records_purge()


@shared_task(acks_late=True)
def purge_expired_tokens() -> int:
    return services.api_tokens_expired_purge()
