"""Every factory trait builds a valid row (``full_clean``) in the state it names, with the fields that state
implies."""

import pytest

from approvals.constants import CaseState
from complaints.constants import AppealState, ComplaintState, TicketState
from portal.notifications.constants import DeliveryStatus
from supervision.constants import AlertState
from tests.approvals.factories import CaseFactory
from tests.complaints.factories import ComplaintFactory, RatingFactory, TicketFactory
from tests.factories import UserFactory
from tests.notifications.factories import DeliveryFactory
from tests.supervision.factories import AlertFactory

pytestmark = pytest.mark.django_db


def test_user_factory_puts_user_in_role_group():
    user = UserFactory(role="clerk")
    assert user.has_role("clerk")
    assert user.check_password("demo12345")


def test_case_factory_traits_give_dated_cases():
    case = CaseFactory(concluded=True)
    assert case.state == CaseState.APPROVED
    assert case.accepted_on < case.concluded_on <= case.promised_due
    assert case.application.item == case.item


@pytest.mark.parametrize("state", list(CaseState.values))
def test_one_case_trait_per_state(state):
    case = CaseFactory(**{state: True})
    assert case.state == state
    case.full_clean(exclude=["state"])  # a valid row (the protected FSM field cannot be assigned by clean)
    accepted = state not in ("draft", "submitted", "correction_requested", "not_accepted", "withdrawn")
    assert (case.accepted_on is not None) == accepted
    assert (case.concluded_on is not None) == (state in ("approved", "denied", "delivered", "revoked"))


@pytest.mark.parametrize(
    ("factory", "states", "field"),
    [
        (TicketFactory, TicketState.values, "state"),
        (ComplaintFactory, ComplaintState.values, "state"),
        (AlertFactory, AlertState.values, "state"),
        (DeliveryFactory, DeliveryStatus.values, "status"),
        (RatingFactory, [s for s in AppealState.values if s], "appeal_state"),
    ],
)
def test_one_trait_per_state_of_every_life_cycle(factory, states, field):
    traits = {"voided": "appeal_voided"}  # a rating's "voided" is also a field of its own
    for state in states:
        obj = factory(**{traits.get(state, state): True})
        assert getattr(obj, field) == state
        obj.full_clean(exclude=[field])  # a valid row (a protected FSM field cannot be assigned by clean)
