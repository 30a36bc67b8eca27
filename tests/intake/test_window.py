import pytest
from django.urls import reverse

from approvals.models import Case
from intake.models import Application
from portal.accounts.models import User
from tests.factories import ItemFactory, WindowFactory, citizen, staff

pytestmark = pytest.mark.django_db


def test_clerk_registers_a_walk_in_application_for_any_department(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = ItemFactory(code="ZJ-009")
    clerk = staff("clerk", window=WindowFactory(number=3))
    client.force_login(citizen(username="c0", id_number="110101199003070011"))
    assert client.get(reverse("intake:window_register")).status_code == 403
    client.force_login(clerk)
    r = client.post(reverse("intake:window_register"), {"item_code": "ZJ-009", "kind": "person", "name": "赵六",
                                                        "id_number": "110105194912310021", "phone": "13912345678"})
    assert r.status_code == 200 and "校验位" in r.content.decode()
    r = client.post(reverse("intake:window_register"), {"item_code": "ZJ-009", "kind": "person", "name": "赵六",
                                                        "id_number": "11010519491231002x", "phone": "13912345678"})
    app = Application.objects.get()
    assert r.url == reverse("intake:draft_edit", args=[app.pk])
    assert app.channel == "window" and app.registered_by == clerk
    applicant = User.objects.get(id_number="11010519491231002X")
    assert app.applicant == applicant and applicant.has_role("citizen") and not applicant.has_usable_password()
    r = client.post(reverse("intake:draft_review", args=[app.pk]))
    app.refresh_from_db()
    assert r.url == reverse("approvals:case_detail", args=[app.reference])
    case = Case.objects.get(application=app)
    assert case.clerk == clerk and case.window.number == 3
    # The same person again: found by ID number, not duplicated.
    client.post(reverse("intake:window_register"), {"item_code": "ZJ-009", "kind": "person", "name": "赵六",
                                                    "id_number": "11010519491231002X", "phone": "13912345678"})
    assert User.objects.filter(id_number="11010519491231002X").count() == 1
