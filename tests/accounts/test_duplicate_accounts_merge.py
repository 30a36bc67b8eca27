"""The migration that adds the unique constraints (one account per resident ID number, usernames
regardless of case) first resolves the duplicates an older database may hold (issue 17, failure 7):
the oldest account keeps the number and the name, a later account with the same number is deactivated
and renamed for the office to find, a later one with the same name in other case is renamed and stays
usable, nobody's applications are lost — and then the constraints can be added."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from intake.models import Application
from portal.accounts.models import User
from tests.factories import ApplicationFactory, citizen

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
ID = "11010519491231002X"
migration = importlib.import_module("portal.accounts.migrations.0006_user_unique_username_ci_and_id_number")


@pytest.fixture
def without_the_constraints():
    """The table as it was before the migration (PostgreSQL rolls the DDL back with the test)."""
    constraints = User._meta.constraints
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.remove_constraint(User, constraint)
    yield
    connection.check_constraints()  # the deferred foreign-key checks, before altering the table again
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.add_constraint(User, constraint)  # fails if a duplicate is left


def test_duplicates_are_resolved_before_the_constraints_without_losing_cases(without_the_constraints):
    now = timezone.now()
    first = citizen(username="wangwu", id_number=ID, date_joined=now - timedelta(days=30))
    second = citizen(username="wangwu2", id_number=ID, date_joined=now - timedelta(days=3))
    third = citizen(username="wangwu3", id_number=ID, date_joined=now - timedelta(days=1))
    racer = citizen(username="Racer3", date_joined=now - timedelta(days=10))
    racer_later = citizen(username="raCer3", date_joined=now - timedelta(days=2))
    kept_case = ApplicationFactory(applicant=first)
    later_case = ApplicationFactory(applicant=third)
    assert User.objects.filter(id_number_hash=first.id_number_hash).count() == 3

    lines: list[str] = []
    changes = migration.resolve_duplicate_accounts(User, log=lines.append)

    assert len(changes) == 3 and len(lines) == 3
    for user in (first, second, third, racer, racer_later):
        user.refresh_from_db()
    # the oldest keeps the number, the name and its sign-in
    assert (first.username, first.is_active, first.id_number) == ("wangwu", True, ID)
    assert User.objects.get(id_number_hash=first.id_number_hash) == first
    # the later ones with that number are deactivated, named for the office to find, their cases kept
    assert (second.username, second.is_active) == (f"wangwu2.merged-into-{first.pk}", False)
    assert (third.username, third.is_active, third.id_number_hash) == (
        f"wangwu3.merged-into-{first.pk}",
        False,
        "",
    )
    assert Application.objects.get(pk=later_case.pk).applicant == third
    assert Application.objects.get(pk=later_case.pk).applicant_id_number == ID
    assert Application.objects.get(pk=kept_case.pk).applicant == first
    # one name in two cases: the oldest keeps it, the later one is renamed and can still act
    assert racer.username == "Racer3"
    assert (racer_later.username, racer_later.is_active) == (f"raCer3.{racer_later.pk}", True)
    assert any(f"'raCer3' -> 'raCer3.{racer_later.pk}'" in line for line in lines)
    # run again: nothing left to do
    assert migration.resolve_duplicate_accounts(User, log=lines.append) == []
