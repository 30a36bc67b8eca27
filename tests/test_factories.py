import pytest

from approvals.constants import CaseState
from tests.factories import CaseFactory, UserFactory


@pytest.mark.django_db
def test_user_factory_puts_user_in_role_group():
    user = UserFactory(role="clerk")
    assert user.has_role("clerk")
    assert user.check_password("demo12345")


@pytest.mark.django_db
def test_case_factory_traits_give_dated_cases():
    case = CaseFactory(concluded=True)
    assert case.state == CaseState.APPROVED
    assert case.accepted_on < case.concluded_on <= case.promised_due
    assert case.application.item == case.item
