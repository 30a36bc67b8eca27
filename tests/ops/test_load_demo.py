from io import StringIO

import pytest
from django.core.management import call_command

from approvals.models import Case, CaseTransition
from intake.models import Item
from portal.accounts.models import User


@pytest.mark.django_db
def test_load_demo_loads_everything_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=StringIO())
    counts = (
        User.objects.count(),
        Item.objects.count(),
        Case.objects.count(),
        CaseTransition.objects.count(),
    )
    call_command("load_demo", stdout=StringIO())
    assert (
        User.objects.count(),
        Item.objects.count(),
        Case.objects.count(),
        CaseTransition.objects.count(),
    ) == counts
    states = set(Case.objects.values_list("state", flat=True))
    assert {
        "submitted",
        "correction_requested",
        "accepted",
        "in_review",
        "suspended",
        "awaiting_decision",
        "approved",
        "denied",
        "delivered",
        "withdrawn",
    } <= states
    assert User.objects.get(username="admin").is_superuser
