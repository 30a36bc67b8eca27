from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth

SUMS = (
    "accepted",
    "concluded",
    "early",
    "on_time",
    "overdue",
    "statutory_breaches",
    "elapsed_n",
    "elapsed_sum",
    "statutory_sum",
    "promised_sum",
    "ratings",
    "good_ratings",
)


def add_the_whole_months(apps, schema_editor):
    """The whole-month sums of the rollup already kept: the day rows added up per acceptance month
    (one grouped query and one bulk insert per table; the refreshes keep them from now on)."""
    for name, keys in (
        ("FigureRollup", ("department_id", "item_id")),
        ("DeskFigureRollup", ("department_id", "window_id", "clerk_id")),
    ):
        model = apps.get_model("supervision", name)
        days = model.objects.filter(month_end=False, whole_month=False)
        months = (
            days.annotate(month=TruncMonth("accepted_on"))
            .values("month", *keys)
            .annotate(**{f"s_{n}": Sum(n) for n in SUMS})
            .order_by()
        )
        model.objects.bulk_create(
            [
                model(
                    accepted_on=row["month"],
                    month_end=False,
                    whole_month=True,
                    **{k: row[k] for k in keys},
                    **{n: row[f"s_{n}"] for n in SUMS},
                )
                for row in months
            ],
            batch_size=2000,
        )


def take_out_the_whole_months(apps, schema_editor):
    for name in ("FigureRollup", "DeskFigureRollup"):
        apps.get_model("supervision", name).objects.filter(whole_month=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0011_figure_rollup_whole_months"),
    ]

    operations = [
        migrations.RunPython(add_the_whole_months, take_out_the_whole_months),
    ]
