"""Signals other apps listen to (complaints, supervision). Sent by approvals.services inside the
transaction of the transition, after the case is saved and the transition logged."""

from django.dispatch import Signal

# kwargs: case, name (transition name), from_state, to_state, actor (User or None)
case_transitioned = Signal()
