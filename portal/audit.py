"""Who changed a row and why, for django-simple-history (STYLE "History and audit").

Every service that saves a model with history says who acted and why in one call::

    audited_save(case, actor=actor, reason="accept")

``actor=None`` means the system (a Celery task, a scan): the history row then has no user. The reason is
the short name of what happened (a transition's name, "appeal", "publish"); longer explanations belong in
the model's own fields or the case's transition log.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

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


# --- the reasons in words ---------------------------------------------------------------------------------
# History keeps the short code a service wrote ("accept", "alert_scan: raised", "callback: 已回访"); the admin's
# history pages and the staff pages show it in words. Each app registers the words of its codes (its
# AppConfig.ready); a code nobody registered is shown as it was written (older rows, free text).

REASON_LABELS: dict[str, Any] = {
    "admin": _("在管理后台修改"),
    "seed": _("系统初始化"),
    "import": _("文件导入"),
}
# the same code meaning something else on one model ("publish": an item is published, a complaint's
# outcome made public): model label ("intake.item") → code → label, looked up first
MODEL_REASON_LABELS: dict[str, dict[str, Any]] = {}


def register_reason_labels(labels: Mapping[str, Any], *, models: Any = ()) -> None:
    """Add the words of an app's reason codes (code → lazy translated label), for every model or only for
    the given model classes."""
    if not models:
        REASON_LABELS.update({str(code): label for code, label in labels.items()})
    for model in models:
        MODEL_REASON_LABELS.setdefault(model._meta.label_lower, {}).update(
            {str(code): label for code, label in labels.items()}
        )


def reason_label(value: str | None, model: Any = None) -> str:
    """A recorded reason in words: a known code → its label; ``"code: note"`` (a code with a note written
    after it) → ``"label：note"``; anything else (already words) as it is. ``model``: the model class the
    history row belongs to, for the codes one model means differently."""
    text = (value or "").strip()
    if not text:
        return ""
    own = MODEL_REASON_LABELS.get(model._meta.label_lower, {}) if model is not None else {}

    def lookup(code: str) -> Any:
        return own.get(code, REASON_LABELS.get(code))

    label = lookup(text)
    if label is not None:
        return str(label)
    code, sep, note = text.partition(":")
    label = lookup(code.strip()) if sep else None
    if label is None:
        return text
    note = note.strip()
    return f"{label}：{note}" if note else str(label)
