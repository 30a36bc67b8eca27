"""Personal data (PIPL): resident ID numbers encrypted at rest with a keyed look-up hash, kept out of history
tables and logs, masked for staff."""

import json
import logging

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from intake.models import Application
from portal import pii
from portal.accounts.models import User
from tests.factories import ApplicationFactory, citizen

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
OTHER_ID = "110101199003070011"


def _raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names from the models
        return cur.fetchall()


def test_the_database_holds_no_plain_id_number():
    user = citizen(username="wang", id_number=ID.lower())
    ApplicationFactory(applicant=user, applicant_id_number=ID.lower())
    assert Application.objects.get().applicant_id_number == ID
    for model in (User, Application):
        dump = repr(_raw_rows(model._meta.db_table))
        assert ID not in dump and ID.lower() not in dump and ID[:17] not in dump
    # ...but the owner's number reads back in full, normalised.
    assert User.objects.get(pk=user.pk).id_number == ID
    with connection.cursor() as cur:
        cur.execute("SELECT id_number_encrypted, id_number_hash FROM accounts_user WHERE id = %s", [user.pk])
        token, digest = cur.fetchone()
    assert token.startswith("gAAAA") and pii.decrypt(token) == ID  # a Fernet token
    assert digest == pii.lookup_hash(ID) and len(digest) == 64


def test_encryption_is_randomised_and_authenticated():
    assert pii.encrypt(ID) != pii.encrypt(ID)
    token = pii.encrypt(ID)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(tampered)
    assert pii.encrypt("") == "" and pii.decrypt("") == "" and pii.lookup_hash("  ") == ""


def test_lookup_by_hash_finds_the_account_and_is_normalised():
    wang = citizen(username="wang", id_number=ID)
    citizen(username="li", id_number=OTHER_ID)
    assert list(User.objects.filter(id_number_hash=pii.lookup_hash(" 11010519491231002x "))) == [wang]
    assert not User.objects.filter(id_number_hash=pii.lookup_hash("110105194912310011")).exists()
    # The hash is keyed: a plain SHA-256 of the number does not find it.
    import hashlib

    assert not User.objects.filter(id_number_hash=hashlib.sha256(ID.encode()).hexdigest()).exists()


def test_registering_twice_with_one_id_number_is_refused_by_the_hash(client):
    citizen(username="first", id_number=ID)
    r = client.post(
        "/api/v1/auth/register/",
        {
            "kind": "person",
            "username": "second",
            "password": "Zq8!long-enough",
            "real_name": "王小明",
            "id_number": ID.lower(),
            "phone": "13912345678",
        },
    )
    assert r.status_code == 400 and "id_number" in r.json()


def test_keys_depend_on_the_master_secret_and_production_needs_its_own(settings):
    settings.PII_ENCRYPTION_KEY = "one-secret-" * 5
    first = pii.lookup_hash(ID)
    token = pii.encrypt(ID)
    settings.PII_ENCRYPTION_KEY = "another-secret-" * 5
    assert pii.lookup_hash(ID) != first
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(token)
    settings.PII_ENCRYPTION_KEY = ""
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-production-secret-key-" * 3
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt(ID)
    settings.DEBUG = True
    assert pii.decrypt(pii.encrypt(ID)) == ID  # development falls back to SECRET_KEY


def test_history_tables_have_no_id_number_column():
    from simple_history.models import registered_models

    historical = [
        apps.get_model(m._meta.app_label, f"Historical{m.__name__}") for m in registered_models.values()
    ]
    assert historical, "simple-history models are registered"
    for model in historical:
        names = {f.name for f in model._meta.get_fields()} | {
            c.name
            for c in connection.introspection.get_table_description(connection.cursor(), model._meta.db_table)
        }
        assert not {n for n in names if "id_number" in n}, model


# --- logs ------------------------------------------------------------------------------------------


def test_log_records_with_an_id_number_are_masked(caplog):
    from django.conf import settings

    assert all("mask_pii" in h.get("filters", []) for h in settings.LOGGING["handlers"].values())
    logger = logging.getLogger("portal.test")
    handler = caplog.handler
    handler.addFilter(pii.MaskResidentIdFilter())
    try:
        with caplog.at_level(logging.INFO, logger="portal.test"):
            logger.info("walk-in applicant %s found", ID)
            logger.warning("lookup for %(number)s failed", {"number": OTHER_ID.lower()})
            logger.info("inline 110101199003070011 and a serial 1234567890123456789 stay")
            try:
                raise ValueError(f"bad number {ID}")
            except ValueError:
                logger.exception("failed")
    finally:
        handler.removeFilter(handler.filters[-1])
    text = caplog.text
    assert ID not in text and OTHER_ID not in text and OTHER_ID.lower() not in text
    assert "1101**********002X" in text and "1101**********0011" in text
    assert "1234567890123456789" in text  # 19 digits: not an ID number
    assert "bad number 1101**********002X" in text


def test_every_configured_handler_masks_what_it_writes(settings, mailoutbox):
    import io

    from django.conf import settings as conf

    for name in conf.LOGGING["handlers"]:
        handler = logging._handlers[name]  # the live handlers built from settings.LOGGING
        assert any(isinstance(f, pii.MaskResidentIdFilter) for f in handler.filters), name
    console = logging._handlers["console"]
    stream = io.StringIO()
    old = console.setStream(stream)
    try:
        logging.getLogger("portal.test").error("id %s", ID)
    finally:
        console.setStream(old)
    # production logs JSON lines (settings.LOG_FORMAT, docs/scaling.md): the message inside is masked
    assert ID not in stream.getvalue()
    assert json.loads(stream.getvalue())["message"] == "id 1101**********002X"
    # Django's error e-mail (with the traceback's local variables) is masked as well.
    settings.ADMINS = [("ops", "ops@example.gov.cn")]
    number = ID  # noqa: F841 - a local variable the report shows
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("django.request").error("error for %s", ID, exc_info=True)
    assert mailoutbox and all(ID not in m.subject + m.body for m in mailoutbox)
    assert "1101**********002X" in mailoutbox[0].subject


# --- staff see masked numbers only --------------------------------------------------------------------

MASKED = "1101**********002X"


def _page(client, url, **params):
    r = client.get(url, params)
    assert r.status_code == 200, url
    return r.content.decode()


def test_staff_queues_and_case_pages_show_the_masked_number_only(client):
    from django.urls import reverse

    from tests.approvals.conftest import World

    world = World()
    case = world.case()
    assert case.application.applicant_id_number == ID  # the citizen's number, copied to the application
    for user, url in [
        (world.clerk, reverse("approvals:clerk_queue")),
        (world.clerk, reverse("approvals:case_detail", args=[case.reference])),
        (world.inspector, reverse("approvals:case_detail", args=[case.reference])),
    ]:
        client.force_login(user)
        page = _page(client, url)
        assert MASKED in page and ID not in page, url
    # The staff-facing API answers carry no number at all.
    api = world.api(world.clerk).get(f"/api/v1/cases/{case.reference}/")
    assert api.status_code == 200 and ID not in api.content.decode()


def test_admin_lists_and_forms_show_the_masked_number_and_search_by_exact_number(client):
    admin = User.objects.create_superuser("root", "root@example.gov.cn", "demo12345")
    wang = citizen(username="wang", id_number=ID)
    citizen(username="li", id_number=OTHER_ID)
    client.force_login(admin)
    page = _page(client, "/admin/accounts/user/")
    assert MASKED in page and ID not in page and "1101**********0011" in page
    found = client.get("/admin/accounts/user/", {"q": ID.lower()})  # the exact number, found by its hash
    assert list(found.context["cl"].result_list) == [wang]
    form = _page(client, f"/admin/accounts/user/{wang.pk}/change/")
    assert MASKED in form and ID not in form
    app = ApplicationFactory(applicant=wang, applicant_id_number=ID)
    assert ID not in _page(client, f"/admin/intake/application/{app.pk}/change/")


def test_admin_corrects_an_id_number_without_seeing_the_old_one(client):
    admin = User.objects.create_superuser("root", "root@example.gov.cn", "demo12345")
    wang = citizen(username="wang", id_number=OTHER_ID)
    client.force_login(admin)
    form = _page(client, f"/admin/accounts/user/{wang.pk}/change/")
    assert OTHER_ID not in form
    data = {
        "username": "wang",
        "real_name": wang.real_name,
        "applicant_kind": "person",
        "phone": wang.phone,
        "preferred_language": "zh-hans",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "id_number_correction": "110105194912310021",
    }
    r = client.post(f"/admin/accounts/user/{wang.pk}/change/", data)
    assert r.status_code == 200 and "校验位" in r.content.decode()
    r = client.post(f"/admin/accounts/user/{wang.pk}/change/", {**data, "id_number_correction": ID.lower()})
    assert r.status_code == 302
    wang.refresh_from_db()
    assert wang.id_number == ID and wang.id_number_hash == pii.lookup_hash(ID)
    r = client.post(f"/admin/accounts/user/{wang.pk}/change/", {**data, "id_number_correction": ""})
    wang.refresh_from_db()
    assert r.status_code == 302 and wang.id_number == ID  # left empty: unchanged


# --- the data migrations ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_going_back_decrypts_them():
    from django.db.migrations.executor import MigrationExecutor

    def migrate(*targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(list(targets))
        return executor.loader.project_state(list(targets)).apps

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()  # every app at its newest migration
    old = migrate(("accounts", "0002_id_number_encrypted"), ("intake", "0003_applicant_id_number_encrypted"))
    try:
        OldUser = old.get_model("accounts", "User")
        OldApplication = old.get_model("intake", "Application")
        walk_in = OldUser.objects.create(username=f"w{ID.lower()}", id_number=ID, password="!")
        OldUser.objects.create(username="nobody", password="!")
        Item = old.get_model("intake", "Item")
        Department = old.get_model("accounts", "Department")
        item = Item.objects.create(
            code="T-1",
            name="测试事项",
            department=Department.objects.create(code="T"),
            statutory_limit=20,
            promised_limit=5,
        )
        OldApplication.objects.create(
            item=item,
            applicant=walk_in,
            applicant_name="赵六",
            applicant_id_number=ID,
            contact_phone="13912345678",
        )

        migrate(*latest)
        assert ID not in repr(_raw_rows("accounts_user")) + repr(_raw_rows("intake_application"))
        user = User.objects.get(id_number_hash=pii.lookup_hash(ID))
        assert user.pk == walk_in.pk and user.id_number == ID
        assert user.username == f"w{pii.lookup_hash(ID)[:16]}"  # no longer the number itself
        assert User.objects.get(username="nobody").id_number_encrypted == ""
        assert Application.objects.get(applicant_id_number_hash=pii.lookup_hash(ID)).applicant_id_number == ID

        back = migrate(("accounts", "0001_initial"), ("intake", "0002_referencecounter"))
        assert back.get_model("accounts", "User").objects.get(pk=walk_in.pk).id_number == ID
        assert back.get_model("intake", "Application").objects.get().applicant_id_number == ID
    finally:
        migrate(*latest)


def test_supervision_dashboard_and_every_export_carry_no_id_number(client):
    from django.urls import reverse

    from supervision import exports
    from tests.approvals.factories import CaseFactory
    from tests.factories import staff

    owner = citizen(username="wang", id_number=ID)
    case = CaseFactory(accepted=True, application__applicant=owner)  # overdue: shows in the overdue table
    client.force_login(staff("inspector", username="inspector"))
    pages = [reverse("supervision:dashboard")]
    pages += [reverse("supervision:export", args=[name, "csv"]) for name in exports.TABLE_NAMES]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.content.decode("utf-8-sig")
        assert ID not in text and ID[:17] not in text, url
    assert (
        case.reference in client.get(reverse("supervision:export", args=["overdue", "csv"])).content.decode()
    )


def test_celery_log_handlers_get_the_masking_filter():
    import io

    from celery import signals

    import portal.celery  # noqa: F401 - connects the signal handlers

    stream = io.StringIO()
    logger = logging.getLogger("celery.test.pii")
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(stream))
    signals.after_setup_logger.send(
        sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False
    )
    logger.warning("task for %s", ID)
    assert ID not in stream.getvalue()
    assert json.loads(stream.getvalue())["message"] == "task for 1101**********002X"  # JSON in production


def test_an_id_number_typed_into_a_form_answer_is_masked_for_staff(client):
    """Free-text answers are the applicant's words: staff read them with any ID number in them masked,
    under the field's label; the applicant sees what they typed."""
    from intake.models import FormField
    from tests.approvals.conftest import World

    world = World()
    FormField.objects.create(item=world.item, key="agent", label="委托代理人及证件号", required=False)
    case = world.case()
    case.application.form_data = {"agent": f"李四 {OTHER_ID}"}
    case.application.save()
    for user in (world.clerk, world.reviewer, world.inspector):
        client.force_login(user)
        page = _page(client, f"/cases/{case.reference}/")
        assert "委托代理人及证件号" in page and "李四 1101**********0011" in page and OTHER_ID not in page
    admin = User.objects.create_superuser("root", "root@example.gov.cn", "demo12345")
    client.force_login(admin)
    page = _page(client, f"/admin/intake/application/{case.application.pk}/change/")
    assert "1101**********0011" in page and OTHER_ID not in page
