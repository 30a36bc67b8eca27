"""Notification outbox services (DESIGN §7). The notifications issue (#5) owns this module."""
from typing import Any

from portal.accounts.models import User


def notify(
    *,
    recipient: User,
    event: str,
    context: dict[str, Any] | None = None,
    case: Any = None,
    channels: list[str] | None = None,
) -> list[Any]:
    """Write the outbox rows for one event to one recipient, inside the caller's transaction, and
    queue their delivery on commit. Returns the rows written.

    Placeholder until issue #5 lands the outbox: it records nothing yet.
    """
    return []
