"""supervision_report command and GET /api/v1/supervision/figures/."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from approvals.constants import CaseState
from portal.accounts.constants import Role
from supervision.figures import ROW_KEYS
from tests.factories import DepartmentFactory, ItemFactory, staff

from .factories import make_case

D = datetime.date


@pytest.fixture
def data(db):
    d1 = DepartmentFactory(code="RPT1", name="民政局")
    d2 = DepartmentFactory(code="RPT2", name="卫健委")
    i1 = ItemFactory(department=d1, statutory_limit=20, promised_limit=10)
    i2 = ItemFactory(department=d2, statutory_limit=20, promised_limit=5)
    make_case(
        i1,
        state=CaseState.APPROVED,
        accepted_on=D(2025, 5, 6),
        concluded_on=D(2025, 5, 9),
        elapsed_days=3,
        promised_due=D(2025, 5, 20),
        statutory_due=D(2025, 6, 3),
    )
    make_case(i1, accepted_on=D(2025, 11, 3), promised_due=D(2025, 11, 17), statutory_due=D(2025, 12, 1))
    make_case(
        i2,
        state=CaseState.DENIED,
        accepted_on=D(2025, 7, 1),
        concluded_on=D(2025, 7, 15),
        elapsed_days=10,
        promised_due=D(2025, 7, 8),
        statutory_due=D(2025, 7, 29),
    )
    return {"d1": d1, "d2": d2}


def test_command_json(data):
    out = io.StringIO()
    call_command(
        "supervision_report",
        "--accepted-from",
        "2025-01-01",
        "--accepted-to",
        "2025-12-31",
        "--as-of",
        "2026-01-31T00:00:00",
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert body["promised_speedup"] == 0.625  # 1 − 15/40
    row = body["rows"][0]
    assert list(row) == list(ROW_KEYS)
    assert row["accepted"] == 3 and row["concluded"] == 2
    assert row["completion_rate"] == 0.6667
    assert row["early_rate"] == 0.5 and row["on_time_rate"] == 0.5
    assert row["overdue"] == 2 and row["statutory_breaches"] == 1
    assert row["mean_actual_days"] == 6.5
    assert row["actual_speedup"] == 0.675  # 1 − 13/40


def test_command_by_department(data):
    out = io.StringIO()
    call_command(
        "supervision_report",
        "--accepted-from",
        "2025-01-01",
        "--accepted-to",
        "2025-12-31",
        "--as-of",
        "2026-01-31T00:00:00",
        "--by",
        "department",
        "--json",
        stdout=out,
    )
    rows = {r["label"]: r for r in json.loads(out.getvalue())["rows"]}
    assert rows["民政局"]["accepted"] == 2 and rows["卫健委"]["accepted"] == 1
    assert set(ROW_KEYS) <= set(rows["民政局"])


@pytest.mark.parametrize(
    "args",
    [
        ["--accepted-from", "2025-13-01", "--accepted-to", "2025-12-31"],
        ["--accepted-from", "2025-12-01", "--accepted-to", "2025-01-31"],
        ["--accepted-from", "2025-01-01", "--accepted-to", "2025-12-31", "--by", "galaxy"],
        ["--accepted-from", "2025-01-01", "--accepted-to", "2025-12-31", "--as-of", "yesterday"],
    ],
)
def test_command_bad_arguments_exit_2(db, args):
    with pytest.raises(CommandError) as exc:
        call_command("supervision_report", *args)
    assert exc.value.returncode == 2
    assert "参数有误" in str(exc.value)


URL = "/api/v1/supervision/figures/"
Q = {"accepted_from": "2025-01-01", "accepted_to": "2025-12-31", "as_of": "2026-01-31T00:00:00+08:00"}


def test_api_inspector_head_others(data):
    client = APIClient()
    client.force_authenticate(staff(Role.INSPECTOR))
    body = client.get(URL, {**Q, "by": "department"}).json()
    assert len(body["rows"]) == 2
    assert body["rows"][0]["fractions"]["completion_rate"]
    client.force_authenticate(staff(Role.HEAD, data["d1"]))
    body = client.get(URL, Q).json()
    assert body["rows"][0]["accepted"] == 2
    assert body["promised_speedup"] == 0.5
    client.force_authenticate(staff(Role.CLERK, data["d1"]))
    assert client.get(URL, Q).status_code == 403
    client.force_authenticate(None)
    assert client.get(URL, Q).status_code in (401, 403)


def test_api_bad_params(data):
    client = APIClient()
    client.force_authenticate(staff(Role.INSPECTOR))
    response = client.get(URL, {"accepted_from": "x", "by": "planet"})
    assert response.status_code == 400
    body = response.json()
    assert {"accepted_from", "accepted_to", "by"} <= set(body)
