"""Ratings, rectification tickets and complaints in each of their states, fields set directly (for the
readers: lists, figures, exports). Tests of the life cycles go through complaints.services.

``RatingFactory(bad=True)``, ``RatingFactory(appealed=True)``, ``RatingFactory(appeal_voided=True)``; ``TicketFactory(on_ledger=True)``;
``ComplaintFactory(investigating=True)``: one trait per state."""

import datetime

import factory
from django.utils import timezone

from complaints.constants import (
    AppealState,
    ComplaintChannel,
    ComplaintState,
    Finding,
    RatingChannel,
    TicketState,
)
from complaints.models import Complaint, Rating, RectificationTicket
from tests.approvals.factories import CaseFactory


class RatingFactory(factory.django.DjangoModelFactory[Rating]):
    """A rating of a decided case: 5 on every question unless ``bad``; its appeal in each state."""

    class Meta:
        model = Rating

    class Params:
        good = factory.Trait(overall=5)
        bad = factory.Trait(
            overall=1, efficiency=1, attitude=2, guide_accuracy=2, comment="等了很久，没人解释"
        )
        # the appeal's states (申诉复核): none (the default), appealed, upheld, voided (``appeal_voided``)
        appealed = factory.Trait(bad=True, appeal_state=AppealState.APPEALED, appeal_reason="与办件无关")
        upheld = factory.Trait(appealed=True, appeal_state=AppealState.UPHELD, appeal_decision="维持")
        appeal_voided = factory.Trait(
            appealed=True,
            appeal_state=AppealState.VOIDED,
            appeal_decision="经核实属恶意评价",
            voided=True,
            voided_at=factory.LazyFunction(timezone.now),
        )

    case = factory.SubFactory(CaseFactory, approved=True)
    applicant = factory.LazyAttribute(lambda o: o.case.applicant)
    department = factory.LazyAttribute(lambda o: o.case.department)
    item = factory.LazyAttribute(lambda o: o.case.item)
    window = factory.LazyAttribute(lambda o: o.case.window)
    clerk = factory.LazyAttribute(lambda o: o.case.clerk)
    overall = 5
    efficiency = factory.LazyAttribute(lambda o: o.overall)
    attitude = factory.LazyAttribute(lambda o: o.overall)
    guide_accuracy = factory.LazyAttribute(lambda o: o.overall)
    channel = RatingChannel.ONLINE


class TicketFactory(factory.django.DjangoModelFactory[RectificationTicket]):
    """The rectification ticket of a bad rating, in each state of its life."""

    class Meta:
        model = RectificationTicket

    class Params:
        opened = factory.Trait(state=TicketState.OPENED)
        called_back = factory.Trait(
            state=TicketState.CALLED_BACK,
            callback_at=factory.LazyFunction(timezone.now),
            callback_outcome="已电话回访申请人",
        )
        fixed = factory.Trait(called_back=True, state=TicketState.FIXED, resolution="已当场整改")
        on_ledger = factory.Trait(
            called_back=True,
            state=TicketState.ON_LEDGER,
            resolution="列入整改台账",
            due_on=datetime.date(2026, 3, 23),
        )
        explained = factory.Trait(called_back=True, state=TicketState.EXPLAINED, resolution="诉求无政策依据")
        verified = factory.Trait(fixed=True, state=TicketState.VERIFIED)
        closed = factory.Trait(
            verified=True, state=TicketState.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )
        cancelled = factory.Trait(rating__appeal_voided=True, state=TicketState.CANCELLED)

    number = factory.Sequence(lambda n: f"ZG-20260302-{n:04d}")
    rating = factory.SubFactory(RatingFactory, bad=True)
    department = factory.LazyAttribute(lambda o: o.rating.department)
    state = TicketState.OPENED


class ComplaintFactory(factory.django.DjangoModelFactory[Complaint]):
    """An online efficiency complaint about a case, in each state of its life."""

    class Meta:
        model = Complaint

    class Params:
        registered = factory.Trait(state=ComplaintState.REGISTERED)
        assigned = factory.Trait(
            state=ComplaintState.ASSIGNED, assigned_at=factory.LazyFunction(timezone.now)
        )
        investigating = factory.Trait(assigned=True, state=ComplaintState.INVESTIGATING)
        concluded = factory.Trait(
            investigating=True,
            state=ComplaintState.CONCLUDED,
            finding=Finding.SUBSTANTIATED,
            action="已约谈窗口负责人并整改",
            concluded_at=factory.LazyFunction(timezone.now),
        )

    number = factory.Sequence(lambda n: f"TS-20260302-{n:04d}")
    state = ComplaintState.REGISTERED
    channel = ComplaintChannel.ONLINE
    case = factory.SubFactory(CaseFactory, approved=True)
    complainant = factory.LazyAttribute(lambda o: o.case.applicant)
    complainant_name = factory.LazyAttribute(lambda o: o.complainant.display_name)
    complainant_phone = "13912345678"
    department = factory.LazyAttribute(lambda o: o.case.department)
    received_at = factory.LazyFunction(timezone.now)
    received_on = factory.LazyAttribute(lambda o: timezone.localdate(o.received_at))
    due_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=21))
    subject = "窗口排队时间过长"
    content = "窗口排队时间太长，希望改进。"
