"""The rows an online submission writes (issue 19): the application and its materials in one statement
(``portal.compiled_sql.insert_with_children``, already submitted), the case, the case's history record
and its transition row with their INSERTs compiled once per process on PostgreSQL
(``portal.compiled_sql.compiled_insert``), and by the ORM elsewhere. What is stored is what the ORM
stores through the draft's INSERT, the materials' INSERTs and the submission's UPDATE: the same columns,
the same values."""

import json
from functools import partial
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.db.models.sql import InsertQuery
from rest_framework.test import APIClient
from simple_history.models import HistoricalRecords

from approvals.models import Case, CaseTransition
from approvals.models.case import CaseHistoricalRecords
from intake.models import Application, ApplicationMaterial, FormField
from intake.services import intake_api
from portal import compiled_sql
from portal.notifications.models import SendingHold
from tests.factories import ItemFactory, MaterialFactory, citizen
from tests.files import PDF, pdf_variant

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
    return settings.MEDIA_ROOT


def _stored(media) -> list[Path]:
    return sorted(p for p in Path(media).rglob("*") if p.is_file())


@pytest.fixture
def item(db):
    item = ItemFactory(code="SC-001", name="食品经营许可")
    FormField.objects.create(item=item, key="shop_name", label="店铺名称", kind="text", required=True)
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    return item


def _post(user, item, files=None, status=201, **data):
    client = APIClient()
    client.force_authenticate(user)
    if files is None:
        files = {f"material_{item.m_license.pk}": SimpleUploadedFile("执照.pdf", PDF)}
    r = client.post(
        "/api/v1/applications/",
        {"item": item.code, "form_data": json.dumps({"shop_name": "青禾小馆"}), **data, **files},
        format="multipart",
    )
    assert r.status_code == status, r.json()
    return r.json()


def _submit(user, item) -> str:
    return _post(user, item)["reference"]


def _by_the_orm(m) -> None:
    """The submission as it was written before (and still is for a draft): the draft's INSERT, each
    material's INSERT, the submission's UPDATE, every INSERT through Django's own ``Model._do_insert``."""
    m.setattr(intake_api, "_create_submitted", partial(intake_api._create_then_submit, submit=True))
    m.setattr(compiled_sql.CompiledInsertModel, "_do_insert", models.Model._do_insert)  # type: ignore[attr-defined]


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
        _by_the_orm(m)
        m.setattr(
            CaseHistoricalRecords, "create_historical_record", HistoricalRecords.create_historical_record
        )
        by_the_orm = _rows(_submit(applicant, item))
    shipped = _rows(_submit(applicant, item))
    assert all(by_the_orm[model] for model in VOLATILE)  # each kind of row was written
    assert shipped == by_the_orm
    assert shipped[HistoricalCase][0]["history_type"] == "+"


ANSWER_VOLATILE = {"id", "reference", "submitted_at", "created_at"}


def _answer(answer: dict) -> dict:
    kept = {k: v for k, v in answer.items() if k not in ANSWER_VOLATILE}
    kept["materials"] = [{k: v for k, v in m.items() if k != "id"} for m in answer["materials"]]
    return kept


def _moments(reference: str) -> tuple:
    application = Application.objects.get(reference=reference)
    uploaded = [m.uploaded_at for m in application.materials.order_by("id")]
    return application.created_at, uploaded, application.submitted_at, application.updated_at


def test_several_materials_in_one_submission_rows_answer_and_moments(item, monkeypatch):
    """Three files of three materials (listed in the answer by name, not in the order sent): the rows and
    the answer are the ORM's. The moments: the draft path stamps created, each upload, submitted, updated
    one after the other; the one statement stamps them all with one moment. Either way a file is never
    later than the submission (a later one is shown as a correction upload) and the row never created
    after it was submitted or updated."""
    optional = MaterialFactory(item=item, name="章程", mandatory=False)
    second = MaterialFactory(item=item, name="场地证明", mandatory=True)

    def files():
        return {
            f"material_{optional.pk}": SimpleUploadedFile("章程.pdf", pdf_variant(b"a")),
            f"material_{item.m_license.pk}": SimpleUploadedFile("执照.pdf", PDF),
            f"material_{second.pk}": SimpleUploadedFile("场地.pdf", pdf_variant(b"b")),
        }

    applicant = citizen()
    with monkeypatch.context() as m:
        _by_the_orm(m)
        before = _post(applicant, item, files())
    shipped = _post(applicant, item, files())
    assert _answer(shipped) == _answer(before)
    assert [m["material_name"] for m in shipped["materials"]] == ["场地证明", "章程", "营业执照"]
    assert {m["id"] for m in shipped["materials"]} == set(
        ApplicationMaterial.objects.filter(application_id=shipped["id"]).values_list("id", flat=True)
    )
    assert _rows(shipped["reference"]) == _rows(before["reference"])
    created, uploaded, submitted, updated = _moments(before["reference"])
    assert created < uploaded[0] < uploaded[1] < uploaded[2] < submitted < updated
    created, uploaded, submitted, updated = _moments(shipped["reference"])
    assert created == uploaded[0] == uploaded[1] == uploaded[2] == submitted == updated
    assert shipped["submitted_at"] == shipped["created_at"]


def test_a_refused_submission_gives_the_same_errors_and_leaves_no_rows_and_no_files(item, monkeypatch, media):
    """What the completeness check refuses (a mandatory material missing, an answer missing, a mode the
    item does not take, no commitment signed) is refused before anything is written, with the same
    errors as the draft path; and a submission refused once the files are stored (a database restored
    from a backup: 503) leaves neither rows nor files."""
    other = MaterialFactory(item=item, name="场地证明", mandatory=True)
    applicant = citizen()
    cases = [
        (lambda: {f"material_{other.pk}": SimpleUploadedFile("场地.pdf", PDF)}, {}),
        (lambda: None, {"mode": "commitment"}),
        (lambda: None, {"form_data": json.dumps({})}),
        (lambda: None, {"delivery_method": "post"}),
        (lambda: {}, {}),
    ]
    answers = []
    for files, data in cases:
        with monkeypatch.context() as m:
            _by_the_orm(m)
            before = _post(applicant, item, files(), 400, **data)
        assert _post(applicant, item, files(), 400, **data) == before
        answers.append(before)
    item.mode_commitment = True
    item.save()
    with monkeypatch.context() as m:
        _by_the_orm(m)
        before = _post(applicant, item, None, 400, mode="commitment")
    assert _post(applicant, item, None, 400, mode="commitment") == before
    answers.append(before)
    assert [sorted(a) for a in answers] == [
        ["detail", f"material_{item.m_license.pk}"],
        ["detail", "mode"],
        ["detail", "shop_name"],
        ["delivery_address", "detail", f"material_{other.pk}"],
        ["detail", f"material_{item.m_license.pk}", f"material_{other.pk}"],
        ["commitment_signed", "detail", f"material_{other.pk}"],
    ]
    assert not Application.objects.exists() and _stored(media) == []
    SendingHold.objects.create(reason="restored")
    files = {
        f"material_{other.pk}": SimpleUploadedFile("场地.pdf", PDF),
        f"material_{item.m_license.pk}": SimpleUploadedFile("执照.pdf", pdf_variant(b"c")),
    }
    _post(applicant, item, files, 503)
    assert not Application.objects.exists() and not ApplicationMaterial.objects.exists()
    assert _stored(media) == []


@pytest.mark.postgres
def test_on_postgresql_one_statement_after_the_files_and_the_reference(item, media):
    """The application, already submitted, and its material in one statement; the file stored before the
    day's counter row is locked, the counter locked just before that statement; no UPDATE of the
    application."""
    sent: list[tuple[str, int]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, len(_stored(media))))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        reference = _submit(citizen(), item)
    counter = [i for i, (sql, _n) in enumerate(sent) if "intake_referencecounter" in sql]
    assert sent[counter[0]][1] == 1  # the file already stored (the day's first number creates the row)
    written = sent[counter[-1] + 1][0]
    assert written.startswith('WITH p AS (INSERT INTO "intake_application"')
    assert 'INSERT INTO "intake_applicationmaterial"' in written
    assert not any('"intake_application' in sql for sql, _n in sent[: counter[0]])
    assert not any(sql.startswith('UPDATE "intake_application"') for sql, _n in sent)
    application = Application.objects.get(reference=reference)
    assert application.status == "submitted" and application.materials.count() == 1


def test_on_sqlite_the_orm_writes_the_rows(item):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    compiled_sql._INSERTS.clear()
    _submit(citizen(), item)
    assert compiled_sql._INSERTS == {}


def case_applicant(reference: str):
    return Case.objects.get(reference=reference).applicant


@pytest.mark.postgres
def test_on_postgresql_the_kept_sql_is_djangos(item):
    """Each model the submission writes has its INSERT compiled and kept, and its text is the one Django's
    compiler writes for that row (the same columns in the same order, RETURNING the id)."""
    compiled_sql._INSERTS.clear()
    compiled_sql._FAMILIES.clear()
    reference = _submit(citizen(), item)
    kept = {key[0]: entry for key, entry in compiled_sql._INSERTS.items()}
    # the application and its material: one statement (insert_with_children); the case, its history
    # record and its transition row: another (test_the_case_its_record_and_its_transition_are_one_...)
    assert {key[:2] for key in compiled_sql._FAMILIES} >= {(Application, ApplicationMaterial)}
    assert {key[0] for key in compiled_sql._WITH_FOLLOWERS} == {Case}
    # a draft (the page's path) still inserts the application through a kept INSERT
    from intake.services.applications import application_create_draft

    draft = application_create_draft(
        item=item, applicant=case_applicant(reference), actor=case_applicant(reference)
    )
    kept = {key[0]: entry for key, entry in compiled_sql._INSERTS.items()}
    assert Application in kept
    case = Case.objects.get(reference=reference)
    written = {
        Application: draft,
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
    # an expression before an automatic timestamp: the timestamp is stamped all the same
    early = CaseTransition(case=case, name=models.Value("note"), from_state="submitted", to_state="submitted")
    early.save()
    early.refresh_from_db()
    assert early.name == "note" and early.at is not None


@pytest.mark.postgres
def test_on_postgresql_a_wide_rows_empty_values_are_written_as_null_and_its_statement_is_reused(item):
    """psycopg keeps a statement's converted placeholders only for at most 50 parameters and 4096 bytes
    of text; the case has ≈ 60 columns. Its empty values go into the text as NULL and its history record
    copies the case row's columns in SQL, so the second submission's statement of the three rows is
    within both limits and the same text as the first's, and the rows hold the same values."""
    sent: list[tuple[str, int]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        first = Case.objects.get(reference=_submit(citizen(), item))
    with connection.execute_wrapper(record):
        second = Case.objects.get(reference=_submit(citizen(), item))
    opened = [(sql, n) for sql, n in sent if sql.startswith('WITH p AS (INSERT INTO "approvals_case"')]
    assert len(opened) == 2 and opened[0] == opened[1]
    sql, n = opened[0]
    assert n <= compiled_sql.PSYCOPG_CACHED_PARAMS and len(sql.encode()) <= PSYCOPG_CACHED_LENGTH, (
        n,
        len(sql),
    )
    inserts = [sql.split()[2] for sql, _n in sent if sql.startswith("INSERT")]
    assert not {'"approvals_case"', '"approvals_historicalcase"', '"approvals_casetransition"'} & set(inserts)
    assert second.concluded_at is None and second.decider_id is None
    assert second.history.get().history_type == "+" and first.history.get().concluded_at is None


# psycopg's limit of a statement's text for keeping its converted placeholders
# (``psycopg._queries.MAX_CACHED_STATEMENT_LENGTH``)
PSYCOPG_CACHED_LENGTH = 4096


@pytest.mark.postgres
def test_the_case_its_record_and_its_transition_are_one_statement_whose_case_insert_is_djangos(item):
    """On PostgreSQL the case, its history record and its transition row are written by one statement
    (``record_opening``), kept once per shape; the case's INSERT in it is the text Django's compiler
    writes for the row, RETURNING the whole row for the history record's copy."""
    compiled_sql._WITH_FOLLOWERS.clear()
    case = Case.objects.get(reference=_submit(citizen(), item))
    [(key, entry)] = compiled_sql._WITH_FOLLOWERS.items()
    assert key[0] is Case and [k[0] for k in key[4]] == [HistoricalCase, CaseTransition]
    query = InsertQuery(Case)
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    query.insert_values(fields, [case])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = Case._meta.db_returning_fields
    [(sql, _params)] = compiler.as_sql()
    assert entry.sql.startswith(f"WITH p AS ({sql.split(' RETURNING ')[0]} RETURNING *), f0 AS (")


def test_no_receiver_listens_before_a_history_record_or_a_transition_row_is_saved():
    """``record_opening`` writes the history record and the transition row with the case only while
    nothing listens to what is sent before they are saved (their ``pre_save``, simple-history's
    ``pre_create_historical_record``); in this project nothing does, so every online submission takes it."""
    from django.db.models.signals import pre_save
    from simple_history.signals import pre_create_historical_record

    assert not pre_save.has_listeners(HistoricalCase)
    assert not pre_save.has_listeners(CaseTransition)
    assert not pre_create_historical_record.has_listeners(HistoricalCase)


def _signals_of_a_case_open() -> tuple[list[tuple], Case]:
    """The model signals a ``case_open`` sends for the case, its record and its transition row, each as
    (signal, sender, the instance's model, its key set, created, update_fields, raw, using), and the case."""
    from django.db.models.signals import post_save, pre_save
    from simple_history.signals import post_create_historical_record

    from approvals.services.intake import case_open
    from tests.factories import ApplicationFactory

    application = ApplicationFactory.create()
    sent: list[tuple] = []

    def receiver(name):
        def received(sender, instance, **kwargs):
            sent.append(
                (
                    name,
                    sender,
                    type(instance),
                    instance.pk is not None,
                    kwargs.get("created"),
                    kwargs.get("update_fields"),
                    kwargs.get("raw"),
                    kwargs.get("using"),
                )
            )
            if name == "post_create_historical_record":
                record = kwargs["history_instance"]
                sent.append(("record", record.pk is not None, record.id == instance.pk, record.history_type))
                user = kwargs["history_user"]
                sent.append(
                    ("record user", user.pk == instance.applicant_id, kwargs["history_change_reason"])
                )

        return received

    connected = [
        (pre_save, Case, receiver("pre_save")),
        (post_save, Case, receiver("post_save")),
        (post_save, HistoricalCase, receiver("post_save")),
        (post_save, CaseTransition, receiver("post_save")),
        (post_create_historical_record, HistoricalCase, receiver("post_create_historical_record")),
    ]
    for signal, sender, received in connected:
        signal.connect(received, sender=sender, weak=False)
    try:
        case = case_open(application=application, actor=application.applicant)
    finally:
        for signal, sender, received in connected:
            signal.disconnect(received, sender=sender)
    return sent, case


def test_opening_a_case_sends_the_signals_the_orm_sends(monkeypatch):
    """The case's ``pre_save``/``post_save``, its history record's ``post_save`` and
    ``post_create_historical_record``, its transition row's ``post_save``: the same, with the same
    arguments and in the same order, as when the ORM writes the three rows one by one; the case returned
    is saved (its key, its state, ``_state.adding`` False), as after ``save()``."""
    with monkeypatch.context() as m:
        m.setattr(compiled_sql.CompiledInsertModel, "_do_insert", models.Model._do_insert)
        m.setattr(
            CaseHistoricalRecords, "create_historical_record", HistoricalRecords.create_historical_record
        )
        by_the_orm, _ = _signals_of_a_case_open()
    shipped, case = _signals_of_a_case_open()
    assert shipped == by_the_orm
    # simple-history's receiver of the case's post_save (connected first) writes the record
    assert [s[:2] for s in shipped] == [
        ("pre_save", Case),
        ("post_save", HistoricalCase),
        ("post_create_historical_record", HistoricalCase),
        ("record", True),
        ("record user", True),
        ("post_save", Case),
        ("post_save", CaseTransition),
    ]
    assert case.pk is not None and case.state == "submitted" and case._state.adding is False
    assert case.history.get().history_type == "+" and case.transitions.get().to_state == "submitted"
    assert not hasattr(case, "_history_record_along")


@pytest.mark.postgres
def test_a_receiver_before_the_transition_row_is_saved_has_it_written_by_the_orm(item):
    """Something listening to the transition row's ``pre_save`` (which the one statement could only send
    before the case has its key): the three rows are written one by one, and the receiver sees the row
    with its case's key, as always."""
    from django.db.models.signals import pre_save

    seen: list[int | None] = []

    def received(sender, instance, **kwargs):
        seen.append(instance.case_id)

    pre_save.connect(received, sender=CaseTransition, weak=False)
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(record):
            case = Case.objects.get(reference=_submit(citizen(), item))
    finally:
        pre_save.disconnect(received, sender=CaseTransition)
    assert seen == [case.pk]
    assert not [sql for sql in sent if sql.startswith('WITH p AS (INSERT INTO "approvals_case"')]
    assert case.history.get().history_type == "+" and case.transitions.get().case_id == case.pk


@pytest.mark.postgres
def test_an_expression_in_the_case_has_the_three_rows_written_by_the_orm():
    """A case value that is an expression: the ORM writes the case, simple-history its record after it,
    and ``record_opening`` the transition row: the same three rows."""
    from approvals.constants import CaseAction
    from approvals.services.common import record_opening
    from tests.factories import ApplicationFactory

    application = ApplicationFactory.create()
    case = Case(
        application=application,
        reference=application.reference,
        item=application.item,
        department_id=application.item.department_id,
        applicant=application.applicant,
        statutory_limit=20,
        promised_limit=10,
        current_step=models.Value("受理"),
    )
    case.submit()
    record_opening(case=case, action=CaseAction.SUBMIT, from_state="draft", actor=application.applicant)
    assert case.pk is not None and case._state.adding is False
    case.refresh_from_db()
    assert case.current_step == "受理"
    record = case.history.get()
    assert (record.history_type, record.history_change_reason) == ("+", "submit")
    assert record.history_user_id == application.applicant.pk and record.current_step == "受理"
    transition = case.transitions.get()
    assert (transition.name, transition.from_state, transition.to_state) == ("submit", "draft", "submitted")


def test_a_submission_without_files_writes_the_rows_the_orm_writes(item, monkeypatch):
    """No material asked for, none sent: the application alone (the ORM's insert of it, its moments one),
    the same rows as the old path's."""
    item.m_license.mandatory = False
    item.m_license.save()
    applicant = citizen()
    with monkeypatch.context() as m:
        _by_the_orm(m)
        before = _post(applicant, item, {})
    shipped = _post(applicant, item, {})
    assert _answer(shipped) == _answer(before) and shipped["materials"] == []
    assert _rows(shipped["reference"]) == _rows(before["reference"])
    created, uploaded, submitted, updated = _moments(shipped["reference"])
    assert created == submitted == updated and uploaded == []
