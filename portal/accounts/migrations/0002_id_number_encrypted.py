from django.db import migrations, models


class Migration(migrations.Migration):
    """Columns for the encrypted resident ID number and its keyed look-up hash (portal/pii.py)."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="id_number_encrypted",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="居民身份证号码（密文）"),
        ),
        migrations.AddField(
            model_name="user",
            name="id_number_hash",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=64,
                                   verbose_name="居民身份证号码（检索摘要）"),
        ),
    ]
