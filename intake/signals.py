"""Intake announces submissions; the approvals app (which depends on intake, not the other way)
opens the case in the same database transaction. Receivers must not swallow errors: a failure
rolls the submission back."""

from django.dispatch import Signal

# Sent inside the submitting transaction with ``application`` and ``actor``.
application_submitted = Signal()
