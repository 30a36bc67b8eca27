"""Every periodic task of the portal, in one place (Celery beat).

Each entry is a scan of the database; none relies on long ETAs (Redis would redeliver them).
The task names are a contract: the app named in the task path implements it in its ``tasks.py``.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # notifications: re-queue outbox rows still unsent after the grace period (lost task, dead broker)
    "notifications-sweep": {"task": "portal.notifications.tasks.sweep_outbox", "schedule": 60.0},
    # notifications: each staff member's daily digest of what is due, at 08:00 Asia/Shanghai
    "notifications-daily-digest": {
        "task": "portal.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    # accounts: the first answers kept for an Idempotency-Key go after 24 hours
    "accounts-idempotency-purge": {
        "task": "portal.accounts.tasks.purge_idempotency_records",
        "schedule": crontab(minute=50),
    },
    # accounts: expired API tokens go (every request still refuses them; portal/accounts/auth.py)
    "accounts-expired-tokens-purge": {
        "task": "portal.accounts.tasks.purge_expired_tokens",
        "schedule": crontab(minute=40),
    },
    # approvals: submitted applications unanswered for 5 working days count as accepted (Art. 32)
    "approvals-deemed-acceptance": {
        "task": "approvals.tasks.deem_accepted_scan",
        "schedule": crontab(minute=15),
    },
    # approvals: 容缺 cases whose deferred materials are overdue are terminated
    "approvals-deferred-overdue": {
        "task": "approvals.tasks.deferred_overdue_scan",
        "schedule": crontab(hour=1, minute=5),
    },
    # approvals: the clerks' notices of an online submission whose after-commit task was lost (broker down)
    "approvals-new-submission-notices": {
        "task": "approvals.tasks.new_submission_notice_sweep",
        "schedule": 60.0,
    },
    # approvals: 并联 co-departments silent past their own due date have consented (缺席默认), recorded
    "approvals-co-approval-deemed-consent": {
        "task": "approvals.tasks.co_approval_deemed_consent_scan",
        "schedule": crontab(hour=0, minute=20),
    },
    # supervision: raise / close yellow, red, statutory, step and conduct alerts
    "supervision-alert-scan": {"task": "supervision.tasks.alert_scan", "schedule": 300.0},
    # supervision: sum the newly settled cases into the figures rollup (the dashboards read it)
    "supervision-figures-rollup": {"task": "supervision.tasks.refresh_figures_rollup", "schedule": 600.0},
    # complaints: rating reminders after 3 days, overdue rectification tickets and complaints
    "complaints-rating-reminders": {
        "task": "complaints.tasks.rating_reminder_scan",
        "schedule": crontab(minute=30),
    },
    "complaints-overdue-scan": {"task": "complaints.tasks.overdue_scan", "schedule": crontab(minute=45)},
    # hall: SMS reminders for tomorrow's appointments (a scan, every hour from 10:00 to 20:00, so a slot
    # booked or changed later in the day is reminded too; each appointment once per slot), missed slots
    # become no-shows, and the waiting-time alert
    "hall-appointment-reminders": {
        "task": "hall.tasks.appointment_reminder_scan",
        "schedule": crontab(hour="10-20", minute=0),
    },
    "hall-no-show-scan": {"task": "hall.tasks.no_show_scan", "schedule": crontab(minute="*/15")},
    "hall-wait-alert-scan": {"task": "hall.tasks.wait_alert_scan", "schedule": 60.0},
}
