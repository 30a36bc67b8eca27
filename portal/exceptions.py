"""Domain errors. Services raise these; the API handler and page views turn them into answers."""

from typing import Any


class ApplicationError(Exception):
    """Bad input or a broken business rule: 400 with a message (and field messages in ``extra``)."""

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionDeniedError(ApplicationError):
    """The acting user may not do this: 403."""

    status_code = 403


class ConflictError(ApplicationError):
    """The object's state does not allow this now (or someone else changed it first): 409."""

    status_code = 409
