from django.db import migrations


class Migration(migrations.Migration):
    """The plain resident ID number column goes (its values are in ``id_number_encrypted`` now)."""

    dependencies = [("accounts", "0003_encrypt_id_numbers")]

    operations = [migrations.RemoveField(model_name="user", name="id_number")]
