"""Encrypt the plain resident ID numbers into ``id_number_encrypted`` and fill ``id_number_hash``.

Reversible while the key is known: going back decrypts into the plain column again (re-added by reversing
0004). Walk-in accounts whose username was built from the ID number (``w`` + number) are renamed to ``w`` +
the first 16 characters of the look-up hash; that rename is one-way (going back keeps the new names).
"""
from django.db import migrations

from portal import pii


def encrypt_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(id_number="").only("pk", "username", "id_number").iterator():
        number = pii.normalise(user.id_number)
        digest = pii.lookup_hash(number)
        user.id_number_encrypted = pii.encrypt(number)
        user.id_number_hash = digest
        fields = ["id_number_encrypted", "id_number_hash"]
        if user.username.lower() == f"w{number.lower()}":
            user.username = f"w{digest[:16]}"
            fields.append("username")
        user.save(update_fields=fields)


def decrypt_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(id_number_encrypted="").only("pk", "id_number_encrypted").iterator():
        user.id_number = pii.decrypt(user.id_number_encrypted)
        user.save(update_fields=["id_number"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_id_number_encrypted")]

    operations = [migrations.RunPython(encrypt_forward, decrypt_backward)]
