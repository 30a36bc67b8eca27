"""Cases in any of their 14 states, with the dates that state implies, set directly: for tests of the
readers (lists, figures, alerts, exports). Tests of the state machine itself go through the services.

``CaseFactory(accepted=True)``, ``CaseFactory(in_review=True)`` … one trait per state
(``approvals.constants.CaseState``); ``concluded=True`` is the same as ``approved=True``. Accepted
Mon 2026-03-02, promised due 03-09, statutory due 03-30; decided Fri 03-06 (4 working days).
"""

import datetime

import factory
from django.utils import timezone

from approvals.constants import CaseState, DeliveryMethod, Outcome
from approvals.models import Case
from tests.factories import ApplicationFactory


def _at(day_field: str, hour: int) -> factory.LazyAttribute:
    return factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(getattr(o, day_field), datetime.time(hour)))
    )


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    class Params:
        # --- before acceptance
        draft = factory.Trait(state=CaseState.DRAFT, submitted_at=None, received_on=None)
        submitted = factory.Trait(state=CaseState.SUBMITTED)
        correction_requested = factory.Trait(state=CaseState.CORRECTION_REQUESTED)
        not_accepted = factory.Trait(state=CaseState.NOT_ACCEPTED, outcome=Outcome.NOT_ACCEPTED)
        withdrawn = factory.Trait(state=CaseState.WITHDRAWN, outcome=Outcome.WITHDRAWN)
        # --- accepted: the clock runs
        accepted = factory.Trait(
            state=CaseState.ACCEPTED,
            accepted_on=datetime.date(2026, 3, 2),
            accepted_at=_at("accepted_on", 10),
            promised_due=datetime.date(2026, 3, 9),
            statutory_due=datetime.date(2026, 3, 30),
            current_step="审查",
        )
        in_review = factory.Trait(accepted=True, state=CaseState.IN_REVIEW)
        suspended = factory.Trait(
            accepted=True, state=CaseState.SUSPENDED, suspended_from=CaseState.IN_REVIEW
        )
        awaiting_decision = factory.Trait(
            accepted=True, state=CaseState.AWAITING_DECISION, current_step="决定"
        )
        terminated = factory.Trait(accepted=True, state=CaseState.TERMINATED, outcome=Outcome.TERMINATED)
        # --- decided
        approved = factory.Trait(
            accepted=True,
            state=CaseState.APPROVED,
            outcome=Outcome.APPROVED,
            concluded_on=datetime.date(2026, 3, 6),
            concluded_at=_at("concluded_on", 16),
            elapsed_days=4,
            current_step="送达",
        )
        concluded = factory.Trait(approved=True)
        denied = factory.Trait(
            approved=True,
            state=CaseState.DENIED,
            outcome=Outcome.DENIED,
            decision_reasons="不符合法定条件",
            remedies="可依法申请行政复议或者提起行政诉讼。",
        )
        delivered = factory.Trait(
            approved=True,
            state=CaseState.DELIVERED,
            delivery_method=DeliveryMethod.WINDOW,
            delivered_at=_at("concluded_on", 17),
            current_step="",
        )
        revoked = factory.Trait(
            approved=True,
            mode="commitment",
            state=CaseState.REVOKED,
            after_check_due=datetime.date(2026, 4, 3),
            after_checked_at=factory.LazyFunction(timezone.now),
        )

    application = factory.SubFactory(ApplicationFactory)
    reference = factory.LazyAttribute(lambda o: o.application.reference)
    item = factory.LazyAttribute(lambda o: o.application.item)
    department = factory.LazyAttribute(lambda o: o.item.department)
    applicant = factory.LazyAttribute(lambda o: o.application.applicant)
    state = CaseState.SUBMITTED
    statutory_limit = factory.LazyAttribute(lambda o: o.item.statutory_limit)
    promised_limit = factory.LazyAttribute(lambda o: o.item.promised_limit)
    submitted_at = factory.LazyAttribute(lambda o: o.application.submitted_at)
    received_on = factory.LazyAttribute(
        lambda o: timezone.localdate(o.submitted_at) if o.submitted_at else None
    )
