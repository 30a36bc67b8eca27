"""Cases with hand-set dates for the supervision tests, and alerts in each of their states."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from approvals.constants import CaseState
from supervision.constants import AlertLevel, AlertState
from supervision.models import Alert
from tests.approvals.factories import CaseFactory
from tests.factories import ApplicationFactory

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


class AlertFactory(factory.django.DjangoModelFactory[Alert]):
    """An alert on a running case, in each state of its life: ``AlertFactory(explained=True)``,
    ``AlertFactory(reviewed=True)``, ``AlertFactory(closed=True)`` (the case concluded)."""

    class Meta:
        model = Alert

    class Params:
        raised = factory.Trait(state=AlertState.RAISED)
        explained = factory.Trait(
            state=AlertState.EXPLAINED,
            explanation="专家评审延误，已督办",
            explained_at=factory.LazyFunction(timezone.now),
            explained_by=factory.LazyAttribute(lambda o: o.case.holder),
        )
        reviewed = factory.Trait(
            explained=True,
            state=AlertState.REVIEWED,
            review_note="情况属实",
            reviewed_at=factory.LazyFunction(timezone.now),
        )
        closed = factory.Trait(closed_at=factory.LazyFunction(timezone.now))

    case = factory.SubFactory(CaseFactory, in_review=True)
    level = AlertLevel.RED
    department = factory.LazyAttribute(lambda o: o.case.department)
    due = factory.LazyAttribute(lambda o: o.case.promised_due)
    state = AlertState.RAISED
    raised_at = factory.LazyFunction(timezone.now)
