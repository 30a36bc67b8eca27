import pytest
from django.urls import reverse

from approvals.models import Case
from intake.models import Application
from portal import pii
from portal.accounts.models import User
from tests.factories import ItemFactory, WindowFactory, citizen, staff
from tests.files import PDF

pytestmark = pytest.mark.django_db


def test_clerk_registers_a_walk_in_application_for_any_department(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ItemFactory(code="ZJ-009")
    clerk = staff("clerk", window=WindowFactory(number=3))
    client.force_login(citizen(username="c0", id_number="110101199003070011"))
    assert client.get(reverse("intake:window_register")).status_code == 403
    client.force_login(clerk)
    r = client.post(
        reverse("intake:window_register"),
        {
            "item_code": "ZJ-009",
            "kind": "person",
            "name": "赵六",
            "id_number": "110105194912310021",
            "phone": "13912345678",
        },
    )
    assert r.status_code == 200 and "校验位" in r.content.decode()
    r = client.post(
        reverse("intake:window_register"),
        {
            "item_code": "ZJ-009",
            "kind": "person",
            "name": "赵六",
            "id_number": "11010519491231002x",
            "phone": "13912345678",
        },
    )
    app = Application.objects.get()
    assert r.url == reverse("intake:draft_edit", args=[app.pk])
    assert app.channel == "window" and app.registered_by == clerk
    applicant = User.objects.get(id_number_hash=pii.lookup_hash("11010519491231002X"))
    assert (
        app.applicant == applicant and applicant.has_role("citizen") and not applicant.has_usable_password()
    )
    r = client.post(reverse("intake:draft_review", args=[app.pk]))
    app.refresh_from_db()
    assert r.url == reverse("approvals:case_detail", args=[app.reference])
    case = Case.objects.get(application=app)
    assert case.clerk == clerk and case.window.number == 3
    # The same person again: found by ID number, not duplicated.
    client.post(
        reverse("intake:window_register"),
        {
            "item_code": "ZJ-009",
            "kind": "person",
            "name": "赵六",
            "id_number": "11010519491231002X",
            "phone": "13912345678",
        },
    )
    assert User.objects.filter(id_number_hash=pii.lookup_hash("11010519491231002X")).count() == 1


def test_clerk_registers_an_enterprise_scans_materials_and_submits_to_the_case(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from intake.models import FormField
    from tests.factories import DepartmentFactory, MaterialFactory

    settings.MEDIA_ROOT = tmp_path
    item = ItemFactory(
        code="HB-002", name="排污许可", department=DepartmentFactory(code="HB", name="生态环境局")
    )
    FormField.objects.create(item=item, key="site", label="排污地点", kind="text", required=True)
    material = MaterialFactory(item=item, name="环评批复")
    clerk = staff(
        "clerk", department=DepartmentFactory(code="ZW", name="政务服务中心"), window=WindowFactory(number=5)
    )
    client.force_login(clerk)
    page = client.get(reverse("intake:window_register"), {"item": "HB-002"}).content.decode()
    assert 'value="HB-002"' in page and 'for="id_id_number"' in page
    form = {
        "item_code": "HB-002",
        "kind": "enterprise",
        "name": "青禾环保科技有限公司",
        "phone": "13912345678",
    }
    r = client.post(reverse("intake:window_register"), {**form, "id_number": "91350100M000100Y4X"})
    assert r.status_code == 200 and not Application.objects.exists()  # bad credit code check character
    r = client.post(reverse("intake:window_register"), {**form, "id_number": "91350100m000100y43"})
    app = Application.objects.get()
    assert app.applicant.credit_code == "91350100M000100Y43" and app.applicant.has_role("enterprise")
    edit = reverse("intake:draft_edit", args=[app.pk])
    r = client.post(
        edit,
        {
            "f_site": "工业园区3号",
            "mode": "promised",
            "contact_phone": "13912345678",
            "next": "review",
            f"material_{material.pk}": SimpleUploadedFile("scan.pdf", PDF),
        },
    )
    assert r.url == reverse("intake:draft_review", args=[app.pk])
    r = client.post(reverse("intake:draft_review", args=[app.pk]))
    app.refresh_from_db()
    assert r.url == reverse("approvals:case_detail", args=[app.reference])
    assert app.channel == "window" and app.registered_by == clerk and app.status == "submitted"
    assert app.materials.get().uploaded_by == clerk
    assert Case.objects.get(application=app).applicant == app.applicant


def test_unknown_or_unpublished_item_is_a_form_error(client):
    ItemFactory(code="DR-1", status="draft")
    client.force_login(staff("clerk"))
    for code in ("NOPE", "DR-1"):
        r = client.post(
            reverse("intake:window_register"),
            {
                "item_code": code,
                "kind": "person",
                "name": "赵六",
                "id_number": "11010519491231002X",
                "phone": "13912345678",
            },
        )
        assert r.status_code == 200 and "没有这个已发布的事项" in r.content.decode()
    assert not Application.objects.exists()
