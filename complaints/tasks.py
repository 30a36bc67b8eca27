from celery import shared_task

from . import services


@shared_task(acks_late=True)
def rating_reminder_scan() -> int:
    return services.rating_reminder_scan()


@shared_task(acks_late=True)
def overdue_scan() -> int:
    return services.overdue_scan()
