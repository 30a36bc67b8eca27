import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def hold_for_review(apps, schema_editor):
    """Concluded complaints leave the public page until the efficiency office has reviewed their public
    wording: it starts as the subject and the action taken with personal data masked."""
    from portal.pii import mask_public_text

    Complaint = apps.get_model("complaints", "Complaint")
    for c in Complaint.objects.all():
        names = [c.complainant_name]
        c.public_subject = mask_public_text(c.subject, names=names)[:120]
        c.public_action = mask_public_text(c.action, names=names)
        c.published = False
        c.save(update_fields=["public_subject", "public_action", "published"])


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0003_ticket_cancelled'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='public_action',
            field=models.TextField(blank=True, verbose_name='公示处理情况'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='public_subject',
            field=models.CharField(blank=True, max_length=120, verbose_name='公示事由'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='公示时间'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='published_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='公示审核人'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='public_action',
            field=models.TextField(blank=True, verbose_name='公示处理情况'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='public_subject',
            field=models.CharField(blank=True, max_length=120, verbose_name='公示事由'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='公示时间'),
        ),
        migrations.AddField(
            model_name='historicalcomplaint',
            name='published_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='公示审核人'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='published',
            field=models.BooleanField(default=False, verbose_name='已公示'),
        ),
        migrations.AlterField(
            model_name='historicalcomplaint',
            name='published',
            field=models.BooleanField(default=False, verbose_name='已公示'),
        ),
        migrations.RunPython(hold_for_review, migrations.RunPython.noop),
    ]
