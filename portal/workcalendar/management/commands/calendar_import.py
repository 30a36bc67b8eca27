from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.workcalendar import importer


class Command(BaseCommand):
    help = "Load a year's official holiday schedule from a CSV file (date,kind,name). All rows are checked first."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from None
        result = importer.parse(text)
        if result.errors:
            raise CommandError("nothing imported:\n" + "\n".join(result.errors), returncode=2)
        importer.apply(result)
        self.stdout.write(f"imported {len(result.rows)} days for {', '.join(map(str, result.years))}")
