from django.db import migrations, models


class Migration(migrations.Migration):
    """Columns for the applicant's encrypted ID number / credit code and its keyed look-up hash."""

    dependencies = [("intake", "0002_referencecounter")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="applicant_id_number_encrypted",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="证件号码（密文）"),
        ),
        migrations.AddField(
            model_name="application",
            name="applicant_id_number_hash",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=64,
                                   verbose_name="证件号码（检索摘要）"),
        ),
    ]
