from django.core.management.base import BaseCommand

from portal.workcalendar.seed import known_years, seed_years


class Command(BaseCommand):
    help = "Fill the work calendar from the chinesecalendar package (every year it knows). Idempotent."

    def handle(self, *args, **options):
        written = seed_years()
        years = known_years()
        self.stdout.write(f"seeded {written} holiday and make-up working days for {years[0]}–{years[-1]}")
