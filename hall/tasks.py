"""Beat scans of the service hall (declared in portal/schedule.py)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def appointment_reminder_scan() -> int:
    return services.appointment_reminder_scan()


@shared_task(acks_late=True)
def no_show_scan() -> int:
    return services.no_show_scan()


@shared_task(acks_late=True)
def wait_alert_scan() -> int:
    return services.wait_alert_scan()
