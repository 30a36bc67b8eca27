"""The statements ``portal.compiled_sql`` keeps compiled are sent prepared on PostgreSQL (issue 19,
``bound_cursor``): PostgreSQL parses and plans each once per connection instead of on every submission.
Nothing else is prepared, nothing is prepared behind PgBouncer, and the query log still shows each
statement with its values."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from approvals.models import Case
from intake.models import Application
from portal.compiled_sql import bound_cursor
from tests.factories import ItemFactory, MaterialFactory, citizen
from tests.files import PDF

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def postgresql_only(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def item(db):
    item = ItemFactory(code="SC-001", name="食品经营许可")
    MaterialFactory(item=item, name="营业执照", mandatory=True)
    return item


def _submit(item) -> dict:
    client = APIClient()
    client.force_authenticate(citizen())
    material = item.materials.get()
    response = client.post(
        "/api/v1/applications/",
        {
            "item": item.code,
            f"material_{material.pk}": SimpleUploadedFile("执照.pdf", PDF, "application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _prepared() -> dict[str, int]:
    """The statements prepared on this connection, with how often each ran with a generic or custom plan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_a_submissions_statements_are_prepared_once_and_run_again_by_name(item):
    _submit(item)
    first = _prepared()
    inserts = {text for text in first if "INSERT INTO" in text}
    # the application with its material, the receipt with its deliveries, the case with its record and
    # transition row; and the day's reference counter
    assert any('"intake_application"' in text for text in inserts)
    assert any('"notifications_notification"' in text for text in inserts)
    assert any('"approvals_case"' in text for text in inserts)
    assert any('"intake_referencecounter"' in text for text in first)
    _submit(item)
    second = _prepared()
    assert set(second) == set(first)  # nothing prepared again
    assert all(second[text] == first[text] + 1 for text in inserts)
    assert Case.objects.count() == 2 and Application.objects.filter(status="submitted").count() == 2


def test_the_query_log_shows_each_prepared_statement_with_its_values(item):
    _submit(item)
    with CaptureQueriesContext(connection) as queries:
        answer = _submit(item)
    texts = [q["sql"] for q in queries.captured_queries]
    assert all(texts), texts
    assert any(answer["reference"] in text and '"approvals_case"' in text for text in texts)


def test_behind_pgbouncer_nothing_is_prepared_and_a_submission_still_works(item):
    connection.ensure_connection()
    kept = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None  # what DATABASE_PGBOUNCER sets (portal/settings.py)
    try:
        answer = _submit(item)
        assert _prepared() == {}
    finally:
        connection.connection.prepare_threshold = kept
    assert Case.objects.get(reference=answer["reference"]).state == "submitted"


def test_after_a_rollback_the_statements_are_prepared_again(item):
    _submit(item)
    assert _prepared()
    with pytest.raises(RuntimeError), connection.cursor():
        from django.db import transaction

        with transaction.atomic():
            with bound_cursor(connection) as cursor:
                cursor.execute("SELECT 1")
            raise RuntimeError("rolled back")
    answer = _submit(item)
    assert Case.objects.get(reference=answer["reference"]).application.status == "submitted"


def test_only_the_compiled_statements_are_prepared(item):
    _submit(item)
    Case.objects.filter(state="submitted").count()  # one of Django's own queries
    assert not [text for text in _prepared() if text.startswith("SELECT COUNT(*)")]
