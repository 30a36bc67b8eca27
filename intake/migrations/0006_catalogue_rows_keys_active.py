"""Materials and steps get a stable key (m1, m2, ... / s1, s2, ... in their order within the item) and every
catalogue row an ``active`` flag: the catalogue import updates rows in place by key and retires them instead
of deleting them. A file uploaded for a material is protected from the material's deletion."""

import django.db.models.deletion
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    for model_name, prefix in (("Material", "m"), ("Step", "s")):
        model = apps.get_model("intake", model_name)
        counters: dict[int, int] = {}
        for row in model.objects.order_by("item_id", "order", "id"):
            counters[row.item_id] = counters.get(row.item_id, 0) + 1
            row.key = f"{prefix}{counters[row.item_id]}"
            row.save(update_fields=["key"])


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0005_remove_application_applicant_id_number'),
    ]

    operations = [
        migrations.AddField(
            model_name='formfield',
            name='active',
            field=models.BooleanField(default=True, help_text='取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。', verbose_name='在用'),
        ),
        migrations.AddField(
            model_name='historicalformfield',
            name='active',
            field=models.BooleanField(default=True, help_text='取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。', verbose_name='在用'),
        ),
        migrations.AddField(
            model_name='historicalitem',
            name='catalogue_rows',
            field=models.JSONField(blank=True, default=dict, verbose_name='材料、环节与表单字段'),
        ),
        migrations.AddField(
            model_name='historicalmaterial',
            name='active',
            field=models.BooleanField(default=True, help_text='取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。', verbose_name='在用'),
        ),
        migrations.AddField(
            model_name='historicalmaterial',
            name='key',
            field=models.SlugField(blank=True, max_length=40, verbose_name='材料标识'),
        ),
        migrations.AddField(
            model_name='historicalstep',
            name='active',
            field=models.BooleanField(default=True, help_text='取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。', verbose_name='在用'),
        ),
        migrations.AddField(
            model_name='historicalstep',
            name='key',
            field=models.SlugField(blank=True, max_length=40, verbose_name='环节标识'),
        ),
        migrations.AddField(
            model_name='material',
            name='active',
            field=models.BooleanField(default=True, help_text='取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。', verbose_name='在用'),
        ),
        migrations.AddField(
            model_name='material',
            name='key',
            field=models.SlugField(blank=True, max_length=40, verbose_name='材料标识'),
        ),
        migrations.AddField(
            model_name='step',
            name='active',
            field=models.BooleanField(default=True, help_text='取消勾选即停用：不再要求提交，已上传的文件和已受理的办件不受影响。', verbose_name='在用'),
        ),
        migrations.AddField(
            model_name='step',
            name='key',
            field=models.SlugField(blank=True, max_length=40, verbose_name='环节标识'),
        ),
        migrations.AlterField(
            model_name='applicationmaterial',
            name='material',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='intake.material'),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='material',
            constraint=models.UniqueConstraint(fields=('item', 'key'), name='material_key_unique_in_item'),
        ),
        migrations.AddConstraint(
            model_name='step',
            constraint=models.UniqueConstraint(fields=('item', 'key'), name='step_key_unique_in_item'),
        ),
    ]
