"""``portal.compiled_sql.prepared_values`` (issue 19): the values the compiled inserts send are the ORM's
own — ``get_db_prep_save(pre_save(obj, add=True))`` — for every field of every model of the portal, for
the values a row really holds and for the values that must take the ORM's conversions."""

import datetime
import decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, ForeignKey
from django.utils.translation import gettext_lazy

from portal.compiled_sql import as_is_type, prepared_values, value_plan

pytestmark = pytest.mark.django_db

# values of the types a field may hold: its own, and others a caller could set (a lazy translation, a
# number as text, a bool in an integer column)
SAMPLES = [
    None,
    "",
    "文本",
    "12",
    gettext_lazy("受理"),
    0,
    7,
    True,
    False,
    decimal.Decimal("1.50"),
    datetime.date(2026, 12, 4),
]


def _orm_value(field, obj):
    return field.get_db_prep_save(field.pre_save(obj, True), connection=connection)


def _fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if as_is_type(field) is not None:
                yield model, field


def test_the_fields_written_as_they_are_are_plain_text_number_flag_and_key_columns():
    kinds = {type(field).__name__ for _, field in _fields()}
    assert kinds <= {
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "URLField",
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BooleanField",
        "ForeignKey",
        "OneToOneField",
    }
    # the portal's own field classes (the state machine's, the encrypted ones) always take the ORM's calls
    from portal.fsm import StateField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, StateField) or type(field).__module__.startswith("portal"):
                assert as_is_type(field) is None, field


@pytest.mark.parametrize("sample", SAMPLES, ids=repr)
def test_every_value_is_the_orms(sample):
    checked = 0
    for model, field in _fields():
        obj = model()
        try:
            setattr(obj, field.attname, sample)
            expected = _orm_value(field, obj)
        except (TypeError, ValueError, ValidationError, decimal.InvalidOperation):
            continue  # the ORM refuses it too; prepared_values must not write it either
        got = prepared_values(value_plan([field]), obj, connection)
        assert got == [expected], (model, field.name, sample)
        assert type(got[0]) is type(expected), (model, field.name, sample)
        checked += 1
    assert checked > 50


def test_a_value_the_orm_refuses_is_refused():
    from intake.models import ApplicationMaterial

    field = ApplicationMaterial._meta.get_field("size")
    obj = ApplicationMaterial(size="many")
    with pytest.raises(ValueError):
        prepared_values(value_plan([field]), obj, connection)


def test_a_key_to_an_integer_id_is_written_as_it_is_and_others_convert():
    from approvals.models import Case

    applicant = Case._meta.get_field("applicant")
    assert isinstance(applicant, ForeignKey)
    assert as_is_type(applicant) is int
    case = Case(applicant_id="12")  # text: the ORM's int()
    assert prepared_values(value_plan([applicant]), case, connection) == [12]
    [written] = prepared_values(
        value_plan([applicant]), Case(applicant_id=345), connection
    )  # an id: as it is
    assert written == 345 and type(written) is int


def test_an_expression_leaves_the_row_to_the_orm():
    from approvals.models import Case

    field = Case._meta.get_field("statutory_limit")
    assert prepared_values(value_plan([field]), Case(statutory_limit=F("promised_limit")), connection) is None


def test_after_an_expression_the_later_fields_are_still_prepared_for_the_orm():
    """The ORM then writes the row as it is (raw): an automatic timestamp after the expression must have
    been stamped."""
    from portal.notifications.models import Notification

    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    plan = value_plan(fields)
    row = Notification(event=F("subject"), subject="s", body="b", context={})
    assert row.created_at is None
    assert prepared_values(plan, row, connection) is None
    assert row.created_at is not None
