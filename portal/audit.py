"""Who changed a row and why, for django-simple-history (STYLE "History and audit").

Every service that saves a model with history says who acted and why in one call::

    audited_save(case, actor=actor, reason="accept")

``actor=None`` means the system (a Celery task, a scan): the history row then has no user. The reason is
the short name of what happened (a transition's name, "appeal", "publish"); longer explanations belong in
the model's own fields or the case's transition log.
"""

from typing import Any

from django.db import models

# simple-history's column for the reason is a CharField(max_length=100).
REASON_MAX_LENGTH = 100


def set_audit(obj: models.Model, *, actor: Any, reason: str) -> None:
    """Mark ``obj`` so that its next history row records ``actor`` and ``reason`` (for a save that goes
    through another API, such as a form's or a resource's)."""
    marked: Any = obj  # simple-history reads these two attributes when it writes the history row
    marked._history_user = actor
    marked._change_reason = reason[:REASON_MAX_LENGTH]


def audited_save(obj: models.Model, *, actor: Any, reason: str, **save_kwargs: Any) -> None:
    """Save ``obj`` with a history row that says who acted (``None``: the system) and why."""
    set_audit(obj, actor=actor, reason=reason)
    obj.save(**save_kwargs)
