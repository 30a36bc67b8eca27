"""Fill the cases' alert bookkeeping (``Case.alert_levels`` / ``alert_step``) from the alerts already
raised, so that the scan neither raises them again nor forgets to close them."""
from django.db import migrations

LEVELS = "CASE a.level WHEN 'yellow' THEN 1 WHEN 'red' THEN 2 WHEN 'statutory' THEN 4 WHEN 'intake_overdue' THEN 8 ELSE 0 END"

FORWARD = [
    f"""UPDATE approvals_case SET alert_levels = (
        SELECT COALESCE(SUM(DISTINCT {LEVELS}), 0) FROM supervision_alert a WHERE a.case_id = approvals_case.id
    ) WHERE id IN (SELECT case_id FROM supervision_alert WHERE closed_at IS NULL AND level <> 'refusal_no_reason')""",
    """UPDATE approvals_case SET alert_step = (
        SELECT MIN(a.step) FROM supervision_alert a
        WHERE a.case_id = approvals_case.id AND a.level = 'step' AND a.closed_at IS NULL
    ) WHERE id IN (SELECT case_id FROM supervision_alert WHERE level = 'step' AND closed_at IS NULL)""",
]


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_case_alert_bookkeeping"),
        ("supervision", "0002_figure_rollup"),
    ]

    operations = [migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop) for sql in FORWARD]
