"""Satisfaction and complaint figures from complaints.models.Rating / Complaint (skipped until the
complaints app has them)."""

import datetime

import pytest
from django.apps import apps

from approvals.constants import CaseState
from supervision.figures import Rate, figures
from tests.factories import DepartmentFactory, ItemFactory, WindowFactory

from .factories import at, make_case

D = datetime.date
AS_OF = at(D(2026, 4, 30), 12)


def _model(name: str, field: str):
    try:
        model = apps.get_model("complaints", name)
        model._meta.get_field(field)
    except Exception:  # noqa: BLE001
        pytest.skip(f"complaints.{name} not there yet")
    return model


def _make(model, **kwargs):
    names = {f.name for f in model._meta.get_fields()}
    obj = model(**{k: v for k, v in kwargs.items() if k in names})
    obj.save()
    # auto_now_add timestamps are set back to the moment of the story
    stamps = {k: v for k, v in kwargs.items() if k in ("created_at", "received_at") and k in names}
    if stamps:
        model.objects.filter(pk=obj.pk).update(**stamps)
    return obj


def test_satisfaction_and_complaints(db):
    rating_model = _model("Rating", "case")
    complaint_model = _model("Complaint", "received_on")
    d1 = DepartmentFactory(code="RAT1", name="税务局")
    d2 = DepartmentFactory(code="RAT2", name="公安局")
    w = WindowFactory(number=91)
    item = ItemFactory(department=d1)
    item2 = ItemFactory(department=d2)
    cases = [
        make_case(
            item,
            state=CaseState.APPROVED,
            accepted_on=D(2026, 3, 2),
            concluded_on=D(2026, 3, 6),
            elapsed_days=4,
            promised_due=D(2026, 3, 9),
            statutory_due=D(2026, 3, 30),
            window=w,
        )
        for _ in range(5)
    ]
    for case, overall, voided, when in zip(
        cases,
        (5, 3, 2, 1, 4),
        (False, False, False, False, True),
        (D(2026, 3, 7), D(2026, 3, 7), D(2026, 3, 8), D(2026, 5, 2), D(2026, 3, 7)),
        strict=True,
    ):
        _make(
            rating_model,
            case=case,
            applicant=case.applicant,
            overall=overall,
            efficiency=overall,
            attitude=overall,
            guide_accuracy=overall,
            comment="",
            department=case.department,
            item=case.item,
            window=w,
            voided=voided,
            created_at=at(when),
        )

    # ratings: 5, 3, 2 count (1 is after "as of", 4 is voided) → 2 good of 3
    def complaint(n, dept, received, concluded=None):
        return _make(
            complaint_model,
            number=f"TS{n:04d}",
            department=dept,
            received_on=received,
            received_at=at(received, 10),
            due_on=received + datetime.timedelta(days=21),
            concluded_at=at(concluded) if concluded else None,
            window=w,
        )

    complaint(1, d1, D(2026, 3, 3), D(2026, 3, 20))
    complaint(2, d1, D(2026, 3, 10))
    complaint(3, d2, D(2026, 3, 11), D(2026, 5, 10))  # concluded after "as of"
    complaint(4, d1, D(2026, 2, 10), D(2026, 2, 20))  # outside the period
    make_case(item2, accepted_on=D(2026, 3, 2), promised_due=D(2026, 3, 9), statutory_due=D(2026, 3, 30))

    report = figures(accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF)
    row = report.rows[0]
    assert row.satisfaction == Rate(2, 3) and row.ratings == 3
    assert (row.complaints_received, row.complaints_concluded) == (3, 1)
    assert row.complaint_completion_rate == Rate(1, 3)
    by_dept = {
        r.label: r
        for r in figures(
            accepted_from=D(2026, 3, 1), accepted_to=D(2026, 3, 31), as_of=AS_OF, by="department"
        ).rows
    }
    assert by_dept["税务局"].complaints_received == 2 and by_dept["税务局"].satisfaction == Rate(2, 3)
    assert by_dept["公安局"].complaints_received == 1 and by_dept["公安局"].ratings == 0
    assert by_dept["公安局"].complaint_completion_rate == Rate(0, 1)
