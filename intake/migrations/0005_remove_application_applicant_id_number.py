from django.db import migrations


class Migration(migrations.Migration):
    """The plain applicant ID number column goes (its values are in ``applicant_id_number_encrypted``)."""

    dependencies = [("intake", "0004_encrypt_applicant_id_numbers")]

    operations = [migrations.RemoveField(model_name="application", name="applicant_id_number")]
