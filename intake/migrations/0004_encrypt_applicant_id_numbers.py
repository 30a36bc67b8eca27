"""Encrypt the plain applicant ID numbers into ``applicant_id_number_encrypted`` and fill the look-up hash.
Reversible while the key is known: going back decrypts into the plain column (re-added by reversing 0005)."""
from django.db import migrations

from portal import pii


def encrypt_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Application = apps.get_model("intake", "Application")
    rows = Application.objects.exclude(applicant_id_number="").only("pk", "applicant_id_number")
    for app in rows.iterator():
        number = pii.normalise(app.applicant_id_number)
        app.applicant_id_number_encrypted = pii.encrypt(number)
        app.applicant_id_number_hash = pii.lookup_hash(number)
        app.save(update_fields=["applicant_id_number_encrypted", "applicant_id_number_hash"])


def decrypt_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Application = apps.get_model("intake", "Application")
    rows = Application.objects.exclude(applicant_id_number_encrypted="").only("pk", "applicant_id_number_encrypted")
    for app in rows.iterator():
        app.applicant_id_number = pii.decrypt(app.applicant_id_number_encrypted)
        app.save(update_fields=["applicant_id_number"])


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_applicant_id_number_encrypted")]

    operations = [migrations.RunPython(encrypt_forward, decrypt_backward)]
