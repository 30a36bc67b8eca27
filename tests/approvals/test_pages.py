"""The pages a citizen, a clerk, a reviewer and a decider use, end to end through the views."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Case
from intake.models import Application, FormField
from tests.factories import MaterialFactory
from tests.files import PDF  # noqa: E402

from .conftest import at


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def test_citizen_applies_through_the_pages_and_staff_move_the_case(world, client):
    item = world.item
    FormField.objects.create(item=item, key="shop_name", label="店铺名称", kind="text", required=True)
    material = MaterialFactory(item=item, name="营业执照")
    client.force_login(world.citizen)
    with at(2026, 9, 24, 9):
        assert client.get(reverse("intake:item_detail", args=[item.code])).status_code == 200
        r = client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
        app = Application.objects.get(applicant=world.citizen)
        assert r.url == reverse("intake:draft_edit", args=[app.pk])
        # Missing the required field: the page says so and keeps the draft.
        r = client.post(
            reverse("intake:draft_edit", args=[app.pk]),
            {"f_shop_name": "", "next": "review", "contact_phone": "13912345678", "mode": "promised"},
        )
        assert r.status_code == 302  # drafts may be incomplete
        r = client.post(reverse("intake:draft_review", args=[app.pk]))
        assert r.url == reverse("intake:draft_edit", args=[app.pk])
        r = client.post(
            reverse("intake:draft_edit", args=[app.pk]),
            {
                "f_shop_name": "青禾小馆",
                "contact_phone": "13912345678",
                "mode": "promised",
                "next": "review",
                f"material_{material.pk}": SimpleUploadedFile("执照.pdf", PDF),
            },
        )
        assert r.url == reverse("intake:draft_review", args=[app.pk])
        assert "青禾小馆" in client.get(r.url).content.decode()
        r = client.post(reverse("intake:draft_review", args=[app.pk]))
        app.refresh_from_db()
        assert r.url == reverse("intake:receipt", args=[app.reference])
        assert app.reference in client.get(r.url).content.decode()
        case = Case.objects.get(application=app)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "待受理" in page and f'action="/cases/{case.reference}/do/withdraw/"' in page
        assert "/do/accept/" not in page  # buttons: only what the citizen may fire

        clerk = world.clerk
        client.force_login(clerk)
        queue = client.get(reverse("approvals:clerk_queue")).content.decode()
        assert case.reference in queue
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "/do/accept/" in page and "/do/request_correction/" in page and "/do/withdraw/" not in page
        assert "1391****678" not in page and "139****5678" in page  # phone masked for staff
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "accept"]), {"note": "齐全"}
        )
        assert r.status_code == 302
        assert Case.objects.get(pk=case.pk).state == "accepted"
        # Firing it again: a clear message, not a 500.
        r = client.post(reverse("approvals:case_transition", args=[case.reference, "accept"]), follow=True)
        assert "不能执行" in r.content.decode()

        client.force_login(world.reviewer)
        assert case.reference in client.get(reverse("approvals:review_queue")).content.decode()
        client.post(reverse("approvals:case_transition", args=[case.reference, "start_review"]))
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "send_to_decision"]), follow=True
        )
        assert "此项为必填项" in r.content.decode()
        client.post(
            reverse("approvals:case_transition", args=[case.reference, "send_to_decision"]),
            {"opinion": "符合"},
        )
        client.force_login(world.decider)
        assert case.reference in client.get(reverse("approvals:decision_queue")).content.decode()
        client.post(
            reverse("approvals:case_transition", args=[case.reference, "approve"]), {"opinion": "准予"}
        )
        assert Case.objects.get(pk=case.pk).state == "approved"

        client.force_login(world.citizen)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "准予许可" in page and "办理过程" in page
        assert client.get(reverse("approvals:notice", args=[case.reference, "decision"])).status_code == 200
        row = app.materials.get()
        assert client.get(reverse("intake:material_download", args=[row.pk])).status_code == 200
        client.force_login(world.other_citizen)
        assert client.get(reverse("approvals:case_detail", args=[case.reference])).status_code == 404
        assert client.get(reverse("intake:material_download", args=[row.pk])).status_code == 404
        assert client.get(reverse("intake:draft_edit", args=[app.pk])).status_code == 404
        client.force_login(world.reviewer_b)
        assert client.get(reverse("intake:material_download", args=[row.pk])).status_code == 404


def test_worklists_are_for_their_roles_and_have_constant_queries(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.citizen)
    assert client.get(reverse("approvals:clerk_queue")).status_code == 403
    client.force_login(world.clerk)
    with at(2026, 9, 24):
        for _ in range(3):
            world.case()
        with django_assert_max_num_queries(12):
            client.get(reverse("approvals:clerk_queue"))
        for _ in range(15):
            world.case()
        with django_assert_max_num_queries(12):
            html = client.get(reverse("approvals:clerk_queue")).content.decode()
        assert html.count("/cases/SP-") == 18


def test_progress_query_page_and_api_without_login(world, client):
    with at(2026, 9, 24):
        case = world.case()
    phone = case.application.contact_phone
    r = client.post(reverse("approvals:progress"), {"reference": case.reference, "phone": phone}, follow=True)
    html = r.content.decode()
    assert "待受理" in html and world.citizen.real_name not in html
    r = client.post(reverse("approvals:progress"), {"reference": case.reference, "phone": "13000000000"})
    assert "未查到" in r.content.decode()
    r = client.get("/api/v1/progress/", {"reference": case.reference, "phone": phone})
    assert r.status_code == 200 and r.json()["state"] == "submitted" and "applicant" not in r.json()
    assert client.get("/api/v1/progress/", {"reference": case.reference, "phone": "1"}).status_code == 404
    assert client.get("/api/v1/progress/", {"reference": "SP-NOPE", "phone": phone}).status_code == 404
    assert client.get("/api/v1/progress/", {"reference": case.reference}).status_code == 400


def test_progress_query_is_throttled_against_guessing(world, client):
    # the clock stands still: a limit's window must not roll over between two guesses (a flaky test once)
    with at(2026, 9, 24):
        case = world.case()
        statuses = [
            client.post(
                reverse("approvals:progress"), {"reference": case.reference, "phone": f"1390000{i:04d}"}
            ).status_code
            for i in range(12)
        ]
        assert statuses[:10] == [200] * 10 and statuses[-1] == 429
        api = [
            client.get(
                "/api/v1/progress/", {"reference": case.reference, "phone": f"1390000{i:04d}"}
            ).status_code
            for i in range(12)
        ]
        assert api[-1] == 429


def test_graph_transitions_command_draws_the_life_cycle():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("graph_transitions", "approvals.Case", stdout=out)
    dot = out.getvalue()
    assert dot.startswith("digraph") and "待补正" in dot and "不予许可" in dot


def test_item_page_and_my_cases_have_constant_query_counts(world, client, django_assert_max_num_queries):
    from tests.factories import MaterialFactory

    client.force_login(world.citizen)
    with at(2026, 9, 24):
        world.case()
        MaterialFactory(item=world.item)
        with django_assert_max_num_queries(14):
            client.get(reverse("intake:item_detail", args=[world.item.code]))
        with django_assert_max_num_queries(14):
            client.get(reverse("approvals:my_cases"))
        for _ in range(12):
            world.case()
            MaterialFactory(item=world.item)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("intake:item_detail", args=[world.item.code])).status_code == 200
        with django_assert_max_num_queries(14):
            html = client.get(reverse("approvals:my_cases")).content.decode()
        assert html.count("/cases/SP-") == 13


def test_worklist_checkboxes_filter_overdue_and_due_soon(world, client):
    """DESIGN §4: the worklist's 已超期 and 即将到期 checkboxes (they send ``=1``) keep only the cases past or
    near their promised due date: one accepted Mon 2 Mar 2026 (due Mon 9 Mar), one Mon 9 Mar (due Mon 16 Mar),
    read on Fri 13 Mar."""
    with at(2026, 3, 2):
        late = world.case()
        world.fire(world.clerk, late, "accept")
    with at(2026, 3, 9):
        soon = world.case()
        world.fire(world.clerk, soon, "accept")
    client.force_login(world.reviewer)
    with at(2026, 3, 13):
        everything = client.get(reverse("approvals:review_queue")).content.decode()
        overdue = client.get(reverse("approvals:review_queue"), {"overdue": "1"}).content.decode()
        due_soon = client.get(reverse("approvals:review_queue"), {"due_soon": "1"}).content.decode()
    assert late.reference in everything and soon.reference in everything
    assert late.reference in overdue and soon.reference not in overdue
    assert soon.reference in due_soon and late.reference not in due_soon
