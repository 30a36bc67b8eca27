"""Restoring a backup (issue 17, failure 1), on PostgreSQL with the real tools: ``manage.py backup``
(pg_dump), messages sent after it, pg_restore into a new database, then in that database: nothing is sent
before ``manage.py after_restore``, and after it 0 messages dropped as "already sent", 0 references issued
twice, and the rating link of a case the backup never saw is refused. docs/operations.md is the
procedure."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from approvals.models import Case
from complaints.services import rating_link_token
from intake.models import Application
from intake.services.applications import application_create_draft, application_submit
from portal.notifications import services as notifications
from portal.notifications.models import Delivery
from portal.workcalendar.seed import seed_years
from tests.factories import ItemFactory, citizen

ROOT = Path(__file__).resolve().parents[2]
RESTORED = "portal_h17_restore" if "h17" in settings.DATABASES["default"]["NAME"] else "portal_restore_test"


def submit_and_send(item, user) -> tuple[str, list[str]]:
    """Submit an application; deliver its SMS now. Returns the reference and the delivery outcomes."""
    draft = application_create_draft(item=item, applicant=user, actor=user)
    application = application_submit(application=draft, actor=user)
    outcomes = [
        notifications.deliver(d.pk)
        for d in Delivery.objects.filter(channel="sms", status="pending").order_by("pk")
    ]
    return str(application.reference), outcomes


AFTER_RESTORE = """
import json, os, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django
django.setup()
from django.core.management import call_command
from approvals.models import Case
from complaints.services import rating_link_case
from intake.models import Item
from portal.accounts.models import User
from portal.exceptions import ApplicationError
from portal.notifications.models import Delivery, DeliveryAttempt
from tests.ops.test_restore import submit_and_send

item = Item.objects.get(code="RST-1")
user = User.objects.get(username="restorer")
out = {{}}
try:  # no reference is handed out before after_restore …
    submit_and_send(item, user)
    out["submit_before"] = "accepted"
except ApplicationError as exc:
    out["submit_before"] = exc.status_code
from portal.notifications import services
services.notify(recipient=user, event="case.approved", context={{"reference": {first!r}}})
out["before"] = [services.deliver(d.pk) for d in Delivery.objects.filter(channel="sms", status="pending")]
call_command("after_restore", margin=100, id_margin=1000, gateway_log={sms!r})
from portal.notifications import services
out["held_then"] = [services.deliver(d.pk) for d in Delivery.objects.filter(channel="sms", status="pending")]
out["after"] = submit_and_send(item, user)
try:
    rating_link_case({link!r})
    out["old_link"] = "accepted"
except ApplicationError as exc:
    out["old_link"] = "refused"
out["references"] = sorted(Case.objects.values_list("reference", flat=True))
out["duplicates"] = DeliveryAttempt.objects.filter(provider_answer__icontains="duplicate").count()
out["sent"] = Delivery.objects.filter(channel="sms", status="sent").count()
print("RESULT " + json.dumps(out))
"""


def sms_texts(directory: Path) -> list[str]:
    return [json.loads(p.read_text())["text"] for p in sorted((directory / "messages").glob("*.json"))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_send_restore_after_restore_send_again(tmp_path, settings):
    sms_dir = tmp_path / "sms"
    settings.SMS_FILE_DIR = sms_dir
    settings.SMS_BACKEND = "portal.sms.FileSmsGateway"
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_years([2025, 2026, 2027])
    item = ItemFactory(code="RST-1", name="恢复测试事项")
    user = citizen(username="restorer", phone="13912345678", notify_sms=True)

    first, outcomes = submit_and_send(item, user)
    assert outcomes == ["sent"]
    dump = tmp_path / "portal.dump"
    from django.core.management import call_command

    call_command("backup", str(dump))
    # after the backup: a message and a reference the backup will never know about, and a rating link
    lost, outcomes = submit_and_send(item, user)
    assert outcomes == ["sent"]
    link = rating_link_token(Case.objects.get(reference=lost))
    assert len(sms_texts(sms_dir)) == 2
    # live sending was not held by the backup
    assert Application.objects.count() == 2

    db = settings.DATABASES["default"]
    pg = {
        **os.environ,
        "PGHOST": str(db.get("HOST") or "127.0.0.1"),
        "PGPORT": str(db.get("PORT") or 5432),
        "PGUSER": str(db.get("USER") or "postgres"),
    }
    subprocess.run(["dropdb", "--if-exists", RESTORED], env=pg, check=True)
    subprocess.run(["createdb", RESTORED], env=pg, check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={RESTORED}", str(dump)], env=pg, check=True)
        script = AFTER_RESTORE.format(root=str(ROOT), sms=str(sms_dir), link=link, first=first)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{pg['PGUSER']}@{pg['PGHOST']}:{pg['PGPORT']}/{RESTORED}",
            "SMS_FILE_DIR": str(sms_dir),
            "SMS_BACKEND": "portal.sms.FileSmsGateway",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CELERY_BROKER_URL": "memory://",
            "SECRET_KEY": settings.SECRET_KEY,
            "PII_ENCRYPTION_KEY": settings.PII_ENCRYPTION_KEY,
        }
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stderr[-3000:]
        result = json.loads(run.stdout.split("RESULT ", 1)[1])
    finally:
        connection.close()
        subprocess.run(["dropdb", "--if-exists", RESTORED], env=pg, check=False)

    after_ref, after_outcomes = result["after"]
    assert result["submit_before"] == 503, "no reference before after_restore"
    assert result["before"] == ["held"], "nothing is sent before after_restore"
    assert result["held_then"] == ["sent"]  # the held message goes once the hold is lifted
    assert after_outcomes == ["sent"]
    # 0 references reissued: not the lost one (sent by SMS after the backup), none twice
    assert after_ref != lost and lost not in result["references"]
    assert len(set(result["references"])) == len(result["references"]) and first in result["references"]
    # 0 messages dropped: every SMS reached the gateway, none was answered "already sent"
    assert result["duplicates"] == 0
    texts = sms_texts(sms_dir)
    assert len(texts) == 4  # 2 before the restore, the held one, the new submission's
    assert sum(lost in t for t in texts) == 1 and sum(after_ref in t for t in texts) == 1
    # the old link of the lost case is refused
    assert result["old_link"] == "refused"
