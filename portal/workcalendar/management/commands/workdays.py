import datetime

from django.core.management.base import BaseCommand, CommandError

from portal.workcalendar import services
from portal.workcalendar.constants import LimitUnit


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}", returncode=2) from None


class Command(BaseCommand):
    help = (
        "Ask the work calendar. `workdays add 2026-09-24 20` prints the due date and whether it is "
        "provisional; `workdays between 2026-09-24 2026-10-30` prints the counted days. --natural for natural days."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "between"])
        parser.add_argument("first")
        parser.add_argument("second")
        parser.add_argument(
            "--natural", action="store_true", help="count natural days instead of working days"
        )

    def handle(self, *args, **options):
        unit = LimitUnit.NATURAL if options["natural"] else LimitUnit.WORKING
        start = _date(options["first"])
        try:
            if options["action"] == "add":
                try:
                    n = int(options["second"])
                except ValueError:
                    raise CommandError(f"not a number of days: {options['second']!r}", returncode=2) from None
                due = services.add_days(start, n, unit=unit)
                self.stdout.write(f"{due.date.isoformat()}{' provisional' if due.provisional else ''}")
            else:
                end = _date(options["second"])
                if end < start:
                    raise CommandError("the end date is before the start date", returncode=2)
                self.stdout.write(str(services.count_days(start, end, unit=unit)))
        except services.CalendarError as exc:
            raise CommandError(str(exc), returncode=2) from None
