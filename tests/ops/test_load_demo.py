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
    # the demo's licensing items name licence types, so its approvals issued licences (one per case)
    from licences.models import Licence

    licensed = Case.objects.filter(
        item__licence_type__isnull=False, state__in=["approved", "delivered"], outcome="approved"
    )
    assert licensed.exists()
    assert sorted(Licence.objects.values_list("case_id", flat=True)) == sorted(
        licensed.values_list("pk", flat=True)
    )
