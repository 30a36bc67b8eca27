"""The rows an online submission writes (issue 19): the application, its material, the case, the case's
history record and its transition row are written with their INSERTs compiled once per process on
PostgreSQL (``portal.compiled_sql.compiled_insert``) and by the ORM elsewhere. What is stored is what
the ORM stores: the same columns, the same values."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.db.models.sql import InsertQuery
from rest_framework.test import APIClient
from simple_history.models import HistoricalRecords

from approvals.models import Case, CaseTransition
from approvals.models.case import CaseHistoricalRecords
from intake.models import Application, ApplicationMaterial, FormField
from portal import compiled_sql
from tests.factories import ItemFactory, MaterialFactory, citizen
from tests.files import PDF

pytestmark = pytest.mark.django_db

HistoricalCase = Case.history.model

# the columns that differ between any two submissions (their own ids, numbers, moments, random secrets)
VOLATILE = {
    Application: {
        "id",
        "reference",
        "created_at",
        "updated_at",
        "submitted_at",
        "applicant_id_number_encrypted",
    },
    ApplicationMaterial: {"id", "application_id", "token", "file", "uploaded_at"},
    Case: {"id", "application_id", "reference", "link_secret", "submitted_at", "created_at", "updated_at"},
    HistoricalCase: {
        "history_id",
        "id",
        "application_id",
        "reference",
        "link_secret",
        "submitted_at",
        "created_at",
        "history_date",
    },
    CaseTransition: {"id", "case_id", "at"},
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def item(db):
    item = ItemFactory(code="SC-001", name="食品经营许可")
    FormField.objects.create(item=item, key="shop_name", label="店铺名称", kind="text", required=True)
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    return item


def _submit(user, item) -> str:
    client = APIClient()
    client.force_authenticate(user)
    r = client.post(
        "/api/v1/applications/",
        {
            "item": item.code,
            "form_data": json.dumps({"shop_name": "青禾小馆"}),
            f"material_{item.m_license.pk}": SimpleUploadedFile("执照.pdf", PDF),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    return r.json()["reference"]


def _rows(reference: str) -> dict[type, list[dict]]:
    application = Application.objects.get(reference=reference)
    case = Case.objects.get(reference=reference)
    found = {
        Application: Application.objects.filter(pk=application.pk),
        ApplicationMaterial: ApplicationMaterial.objects.filter(application=application),
        Case: Case.objects.filter(pk=case.pk),
        HistoricalCase: HistoricalCase.objects.filter(id=case.pk).order_by("history_id"),
        CaseTransition: CaseTransition.objects.filter(case=case).order_by("id"),
    }
    return {
        model: [{k: v for k, v in row.items() if k not in VOLATILE[model]} for row in qs.values()]
        for model, qs in found.items()
    }


def test_a_submission_writes_the_rows_the_orm_writes(item, monkeypatch):
    """One submission with every insert through Django's own ``Model._do_insert`` and the case's history
    record built by simple-history's own ``create_historical_record``, one as shipped: every row of the
    two equal but for ids, numbers, moments and random secrets."""
    applicant = citizen()
    with monkeypatch.context() as m:
        m.setattr(compiled_sql.CompiledInsertModel, "_do_insert", models.Model._do_insert)
        m.setattr(
            CaseHistoricalRecords, "create_historical_record", HistoricalRecords.create_historical_record
        )
        by_the_orm = _rows(_submit(applicant, item))
    shipped = _rows(_submit(applicant, item))
    assert all(by_the_orm[model] for model in VOLATILE)  # each kind of row was written
    assert shipped == by_the_orm
    assert shipped[HistoricalCase][0]["history_type"] == "+"


def test_on_sqlite_the_orm_writes_the_rows(item):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    compiled_sql._INSERTS.clear()
    _submit(citizen(), item)
    assert compiled_sql._INSERTS == {}


@pytest.mark.postgres
def test_on_postgresql_the_kept_sql_is_djangos(item):
    """Each model the submission writes has its INSERT compiled and kept, and its text is the one Django's
    compiler writes for that row (the same columns in the same order, RETURNING the id)."""
    compiled_sql._INSERTS.clear()
    reference = _submit(citizen(), item)
    kept = {key[0]: entry for key, entry in compiled_sql._INSERTS.items()}
    assert set(kept) == {Application, ApplicationMaterial, Case, HistoricalCase, CaseTransition}
    case = Case.objects.get(reference=reference)
    written = {
        Application: case.application,
        ApplicationMaterial: case.application.materials.get(),
        Case: case,
        HistoricalCase: case.history.get(),
        CaseTransition: case.transitions.get(),
    }
    for model, entry in kept.items():
        assert entry is not None, model
        query = InsertQuery(model)
        query.insert_values(list(entry.fields), [written[model]])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = model._meta.db_returning_fields
        [(sql, _params)] = compiler.as_sql()
        assert entry.sql == sql, model


@pytest.mark.postgres
def test_an_expression_is_written_by_the_orm(item):
    """A value that is an expression is compiled by the ORM, and its row still written."""
    case = Case.objects.get(reference=_submit(citizen(), item))
    row = CaseTransition(case=case, name="note", from_state="submitted", to_state="submitted")
    row.reason = models.Value("备注")
    row.save()
    row.refresh_from_db()
    assert row.reason == "备注"
    later = CaseTransition.objects.create(
        case=case, name="note", from_state="submitted", to_state="submitted"
    )
    assert later.pk > row.pk


@pytest.mark.postgres
def test_on_postgresql_a_wide_rows_empty_values_are_written_as_null_and_its_statement_is_reused(item):
    """psycopg keeps a statement's converted placeholders only for at most 50 parameters; the case and
    its history record have more. Their empty values go into the text as NULL, so the second submission's
    case and history inserts reuse psycopg's converted statements, and the rows hold the same values."""
    first = Case.objects.get(reference=_submit(citizen(), item))
    wide = {
        key[0]: entry
        for key, entry in compiled_sql._INSERTS.items()
        if entry is not None and len(entry.fields) > compiled_sql.PSYCOPG_CACHED_PARAMS
    }
    assert set(wide) == {Case, HistoricalCase}
    sent: list[tuple[str, int]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        second = Case.objects.get(reference=_submit(citizen(), item))
    inserts = {sql.split()[2]: n for sql, n in sent if sql.startswith("INSERT")}
    assert {'"approvals_case"', '"approvals_historicalcase"'} <= set(inserts)
    assert max(inserts.values()) <= 50, inserts
    for entry in wide.values():
        sql, params = entry.statement([None] * len(entry.fields))
        assert "%s" not in sql.split("VALUES")[1].split(")")[0] and params == []
    assert second.concluded_at is None and second.decider_id is None
    assert second.history.get().history_type == "+" and first.history.get().concluded_at is None
