"""Changing the personal-data key: with the former key listed in PII_ENCRYPTION_OLD_KEYS the portal keeps
reading numbers and finding people by number; ``rotate_pii_key`` moves every row to the new key, after
which the old key can go."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from intake.models import Application
from portal import pii
from portal.accounts.models import User
from tests.factories import ApplicationFactory, citizen

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
OLD, NEW = "old-master-secret-" * 4, "new-master-secret-" * 4


def _tokens() -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id_number_encrypted FROM accounts_user WHERE id_number_encrypted <> ''"
            " UNION ALL SELECT applicant_id_number_encrypted FROM intake_application"
            " WHERE applicant_id_number_encrypted <> ''"
        )
        return [row[0] for row in cur.fetchall()]


def test_rotation_keeps_every_number_readable_and_findable(settings):
    settings.PII_ENCRYPTION_KEY = OLD
    owner = citizen(username="wang", id_number=ID)
    app = ApplicationFactory(applicant=owner, applicant_id_number=ID)
    before = _tokens()
    assert len(before) == 2

    # the new key is in place, the old one still listed: everything reads and is found
    settings.PII_ENCRYPTION_KEY, settings.PII_ENCRYPTION_OLD_KEYS = NEW, [OLD]
    assert User.objects.get(pk=owner.pk).id_number == ID
    assert User.objects.filter(id_number_hash__in=pii.lookup_hashes(ID)).get() == owner

    out = StringIO()
    call_command("rotate_pii_key", "--batch-size", "1", stdout=out)
    assert "2 value(s) now under the current key; 0 left under old keys" in out.getvalue()
    after = _tokens()
    assert not set(after) & set(before)

    # the old key gone: still readable, found by the new hash, and registering the number twice is refused
    settings.PII_ENCRYPTION_OLD_KEYS = []
    assert User.objects.get(pk=owner.pk).id_number == ID
    assert Application.objects.get(pk=app.pk).applicant_id_number == ID
    assert User.objects.filter(id_number_hash=pii.lookup_hash(ID)).get() == owner
    call_command("rotate_pii_key", stdout=StringIO())  # again: harmless
    assert User.objects.get(pk=owner.pk).id_number == ID


def test_without_the_old_key_rotation_refuses_and_changes_nothing(settings):
    settings.PII_ENCRYPTION_KEY = OLD
    citizen(username="li", id_number=ID)
    before = _tokens()
    settings.PII_ENCRYPTION_KEY, settings.PII_ENCRYPTION_OLD_KEYS = NEW, []
    with pytest.raises(CommandError, match="PII_ENCRYPTION_OLD_KEYS"):
        call_command("rotate_pii_key", stdout=StringIO())
    assert _tokens() == before
    settings.PII_ENCRYPTION_KEY = OLD
    assert User.objects.get(username="li").id_number == ID


def test_a_bad_batch_size_is_refused():
    with pytest.raises(CommandError):
        call_command("rotate_pii_key", "--batch-size", "0", stdout=StringIO())
