"""Indexes written with every submission and never read (issue 19): the case's own index on its department
(``(department, state)`` serves those look-ups) and on its state (``(state, submitted_at)``, and its LIKE twin), and
the history's copies of the case's foreign key, unique and indexed columns (the history is read by case and date)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_window_supervisor'),
        ('approvals', '0020_live_cohort_index_covering'),
        ('intake', '0014_package_field_targets_help'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The department's own index only: Django's AlterField would also drop and add the foreign key
        # again, validating every case under a lock.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='department',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.department', verbose_name='承办部门'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "approvals_case_department_id_ec634aba"',
                    reverse_sql='CREATE INDEX "approvals_case_department_id_ec634aba" ON "approvals_case" ("department_id")',
                ),
            ],
        ),
        migrations.AlterField(
            model_name='case',
            name='state',
            field=models.CharField(choices=[('draft', '草稿'), ('submitted', '待受理'), ('correction_requested', '待补正'), ('not_accepted', '不予受理'), ('accepted', '已受理'), ('in_review', '审查中'), ('suspended', '特别程序中'), ('awaiting_decision', '待决定'), ('approved', '准予许可'), ('denied', '不予许可'), ('delivered', '已送达'), ('withdrawn', '已撤回'), ('terminated', '已终止'), ('revoked', '已撤销')], default='draft', max_length=24, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='applicant',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='intake.application', verbose_name='申请'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='clerk',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='受理人员'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='concluded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='办结时间'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='decider',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='决定人员'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='department',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.department', verbose_name='承办部门'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='holder',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='当前承办人'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='item',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='intake.item', verbose_name='事项'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='opinion_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审查意见撰写人'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='promised_due',
            field=models.DateField(blank=True, null=True, verbose_name='承诺办结日期'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='reference',
            field=models.CharField(max_length=24, verbose_name='申报号'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='refusal_proposed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='不予受理提议人'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='reviewer',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审查人员'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='state',
            field=models.CharField(choices=[('draft', '草稿'), ('submitted', '待受理'), ('correction_requested', '待补正'), ('not_accepted', '不予受理'), ('accepted', '已受理'), ('in_review', '审查中'), ('suspended', '特别程序中'), ('awaiting_decision', '待决定'), ('approved', '准予许可'), ('denied', '不予许可'), ('delivered', '已送达'), ('withdrawn', '已撤回'), ('terminated', '已终止'), ('revoked', '已撤销')], default='draft', max_length=24, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='statutory_due',
            field=models.DateField(blank=True, null=True, verbose_name='法定办结日期'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='window',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.window', verbose_name='受理窗口'),
        ),
    ]
