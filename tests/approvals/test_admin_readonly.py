"""No screen changes a case except through its transitions (DESIGN §3, the admin included): the case admin
and the record around it are read-only for the superuser too, and their history is viewable but cannot be
reverted."""

import datetime

import pytest
from django.urls import reverse

from approvals.models import Case, CaseTransition, SubApproval, Suspension
from complaints.models import Complaint, Rating, RectificationTicket
from intake.models import Application
from supervision.models import AccountabilityFinding, Alert
from tests.approvals.factories import CaseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def extended_case():
    """An accepted case whose statutory due date was later moved (an extension), both versions in history."""
    case = CaseFactory(accepted=True)
    case._change_reason = "accept"
    case.save()
    case.statutory_due = datetime.date(2026, 4, 13)
    case._change_reason = "extend"
    case.save()
    CaseTransition.objects.create(case=case, name="extend", from_state="accepted", to_state="accepted")
    return Case.objects.get(pk=case.pk)


def test_superuser_cannot_revert_a_case_through_its_admin_history(client, root, extended_case):
    """DESIGN §3: "no screen (the admin included) changes a case except through its transitions" — the
    superuser's revert of the case to its version before the extension is refused; nothing changes."""
    case = extended_case
    first = case.history.order_by("history_date", "history_id").first()
    history_url = reverse("admin:approvals_case_history", args=[case.pk])
    version_url = reverse("admin:approvals_case_simple_history", args=[case.pk, first.history_id])
    records = case.history.count()

    assert client.get(history_url).status_code == 200  # the history stays viewable
    page = client.get(version_url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True and b'name="_save"' not in page.content

    response = client.post(version_url, {})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.statutory_due == datetime.date(2026, 4, 13)  # the extension is still there
    assert case.history.count() == records
    assert case.transitions.count() == 1


def test_superuser_cannot_add_change_or_delete_a_case_in_the_admin(client, root, extended_case):
    """DESIGN §3: the case page of the admin shows the case and its transition log, read-only."""
    case = extended_case
    change_url = reverse("admin:approvals_case_change", args=[case.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(change_url, {"state": "approved"}).status_code == 403
    assert client.get(reverse("admin:approvals_case_add")).status_code == 403
    assert (
        client.post(reverse("admin:approvals_case_delete", args=[case.pk]), {"post": "yes"}).status_code
        == 403
    )
    changelist = client.post(
        reverse("admin:approvals_case_changelist"),
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)  # no such action: nothing deleted
    assert Case.objects.filter(pk=case.pk, state="accepted").exists()


RECORD = [Case, CaseTransition, Suspension, SubApproval, Application, Alert, AccountabilityFinding]
RECORD += [Rating, RectificationTicket, Complaint]


@pytest.mark.parametrize("model", RECORD, ids=lambda m: m.__name__)
def test_the_record_around_a_case_is_read_only_for_the_superuser(client, root, model):
    """DESIGN §3: the transition log, suspensions, sub-approvals, the application, alerts, findings,
    ratings, tickets and complaints change through their services only: the admin lists them and offers
    no add, no change, no delete."""
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["has_add_permission"] is False
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    admin_class = changelist.context["cl"].model_admin
    request = changelist.wsgi_request
    assert not admin_class.has_change_permission(request)
    assert not admin_class.has_delete_permission(request)
    assert "delete_selected" not in admin_class.get_actions(request)
