import pytest

from portal.accounts.constants import Role
from tests.factories import DepartmentFactory, citizen, staff


@pytest.mark.django_db
def test_factory_users_have_their_roles():
    dept = DepartmentFactory()
    clerk = staff(Role.CLERK, dept)
    assert clerk.has_role(Role.CLERK) and not clerk.has_role(Role.REVIEWER)
    assert citizen().is_applicant
    assert clerk.check_password("demo12345")
