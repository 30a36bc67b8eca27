"""Cases with hand-set dates for the supervision tests."""

import datetime
from typing import Any

from django.utils import timezone

from approvals.constants import CaseState
from tests.factories import ApplicationFactory, CaseFactory

SH = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SH)


def make_case(
    item: Any,
    *,
    state: str = CaseState.ACCEPTED,
    accepted_on: datetime.date,
    promised_due: datetime.date | None = None,
    statutory_due: datetime.date | None = None,
    concluded_on: datetime.date | None = None,
    elapsed_days: int | None = None,
    **extra: Any,
) -> Any:
    app = ApplicationFactory(item=item)
    kwargs: dict[str, Any] = dict(
        application=app,
        state=state,
        accepted_on=accepted_on,
        accepted_at=at(accepted_on, 10) if accepted_on else None,
        promised_due=promised_due,
        statutory_due=statutory_due,
        concluded_on=concluded_on,
        concluded_at=at(concluded_on) if concluded_on else None,
        elapsed_days=elapsed_days,
        outcome={"approved": "approved", "denied": "denied", "delivered": "approved"}.get(state, ""),
    )
    kwargs.update(extra)
    return CaseFactory(**kwargs)


def now_sh() -> datetime.datetime:
    return timezone.now().astimezone(SH)
