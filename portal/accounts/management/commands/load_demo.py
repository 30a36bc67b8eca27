"""``python manage.py load_demo``: the demo data a fresh machine starts with.

Each app contributes a ``demo.py`` with ``load(stdout) -> None`` that is idempotent (running the
command twice changes nothing). They run in dependency order, in one transaction per app.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "portal.workcalendar.demo",  # calendar years from chinesecalendar
    "portal.accounts.demo",  # departments, windows, one demo login per role
    "intake.demo",  # the sample catalogue (fixtures/) and a few applications
    "licences.demo",  # licence types for the catalogue's licensing items (before the cases are approved)
    "approvals.demo",  # cases in every state
    "portal.notifications.demo",  # message templates
    "complaints.demo",  # ratings and complaints
    "supervision.demo",  # alert rules and a scan
    "hall.demo",  # the service hall's business types and window groups
]


class Command(BaseCommand):
    help = "Load the demo data (calendar, departments, demo users, catalogue, cases). Idempotent."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
