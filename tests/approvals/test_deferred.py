"""容缺受理 (DESIGN §2–3): only materials the catalogue marks deferrable may be deferred; they arrive as files,
one for each, which the window checks like any other material before the result may be issued."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Case, CaseTransition
from intake.models import ApplicationMaterial
from portal.notifications.models import Notification
from tests.factories import MaterialFactory
from tests.files import pdf_variant  # real PDFs: uploads are parsed since issue 17

from .conftest import at


def pdf(name: str, extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_variant(extra), content_type="application/pdf")


def _reload(case):
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def deferred(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.licence = MaterialFactory(item=world.item, name="营业执照", deferrable=False)
    world.site = MaterialFactory(item=world.item, name="场地证明", deferrable=True)
    world.plan = MaterialFactory(item=world.item, name="平面图", deferrable=True)
    return world


def _accepted(w, names=("场地证明", "平面图")):
    case = w.case(mode="deferred")
    r = w.fire(w.clerk, case, "accept", deferred_materials=list(names), supply_by="2026-03-06")
    assert r.status_code == 200, r.json()
    return case


def test_only_catalogue_deferrable_materials_may_be_deferred(deferred):
    """DESIGN §3 容缺: 营业执照 is not deferrable in the catalogue, so a clerk cannot accept with it deferred
    (400 beside the field); a name that is not one of the item's materials neither."""
    w = deferred
    with at(2026, 3, 2):
        case = w.case(mode="deferred")
        for names, text in (
            (["营业执照"], "营业执照"),
            (["场地证明", "营业执照"], "营业执照"),
            (["房产证"], "房产证"),
        ):
            r = w.fire(w.clerk, case, "accept", deferred_materials=names, supply_by="2026-03-06")
            assert r.status_code == 400 and "deferred_materials" in r.json(), r.json()
            assert text in r.json()["detail"]
        assert _reload(case).state == "submitted"
        assert (
            w.fire(
                w.clerk, case, "accept", deferred_materials=["场地证明"], supply_by="2026-03-06"
            ).status_code
            == 200
        )


def test_deferred_materials_arrive_as_files_the_window_checks(deferred):
    """DESIGN §3 容缺: supply_deferred without files is refused, and every deferred material needs its file;
    the files wait for the window's check (the result cannot be issued meanwhile); a faulty check sends the
    applicant back (told why), a good one lets the decision through."""
    w = deferred
    url = None
    with at(2026, 3, 2):
        case = _accepted(w)
        url = f"/api/v1/cases/{case.reference}/transitions/supply_deferred/"
        r = w.api(w.citizen).post(url, {"note": "已补齐"}, format="json")
        assert r.status_code == 400 and f"files_{w.site.pk}" in r.json()
        r = w.api(w.citizen).post(url, {f"files_{w.site.pk}": pdf("场地证明.pdf")})
        assert r.status_code == 400 and f"files_{w.plan.pk}" in r.json() and "平面图" in r.json()["detail"]
        r = w.api(w.citizen).post(url, {f"files_{w.licence.pk}": pdf("执照.pdf")})
        assert r.status_code == 400
        assert not ApplicationMaterial.objects.filter(application=case.application).exists()
        r = w.api(w.citizen).post(
            url, {f"files_{w.site.pk}": pdf("场地证明.pdf"), f"files_{w.plan.pk}": pdf("平面图.pdf", b"2")}
        )
        assert r.status_code == 200, r.json()
        case = _reload(case)
        assert case.awaiting_deferred and case.deferred_files_at is not None
        assert Notification.objects.filter(recipient=w.clerk, event="staff.deferred_supplied").exists()
        # not again while they wait for the check; the applicant cannot check their own files
        assert w.api(w.citizen).post(url, {f"files_{w.site.pk}": pdf("x.pdf", b"3")}).status_code == 409
        assert w.fire(w.citizen, case, "check_deferred", result="received").status_code == 403
        w.fire(w.reviewer, case, "start_review")
        w.fire(w.reviewer, case, "send_to_decision", opinion="符合")
        assert w.fire(w.decider, case, "approve").status_code == 409
        r = w.fire(w.clerk, case, "check_deferred", result="faulty")
        assert r.status_code == 400 and "note" in r.json()
        assert (
            w.fire(w.clerk, case, "check_deferred", result="faulty", note="平面图未盖章").status_code == 200
        )
        told = Notification.objects.get(recipient=w.citizen, event="case.deferred_faulty")
        assert "平面图未盖章" in told.body and "2026-03-06" in told.body
        assert set(ApplicationMaterial.objects.values_list("check_result", flat=True)) == {"faulty"}
        r = w.api(w.citizen).post(
            url,
            {
                f"files_{w.site.pk}": pdf("场地证明2.pdf", b"4"),
                f"files_{w.plan.pk}": pdf("平面图2.pdf", b"5"),
            },
        )
        assert r.status_code == 200, r.json()
        assert w.fire(w.clerk, case, "check_deferred", result="received").status_code == 200
        assert _reload(case).deferred_supplied_at is not None
        assert w.fire(w.decider, case, "approve").json()["state"] == "approved"
    names = list(CaseTransition.objects.filter(case=case).values_list("name", flat=True))
    assert names.count("supply_deferred") == 2 and names.count("check_deferred") == 2


def test_the_window_checks_deferred_files_on_the_case_page(deferred, client):
    """DESIGN §3 容缺 through the pages: the applicant's form asks for a file per deferred material only; the
    clerk's check form follows."""
    w = deferred
    with at(2026, 3, 2):
        case = _accepted(w, names=("场地证明",))
        client.force_login(w.citizen)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert f'name="files_{w.site.pk}"' in page and f'name="files_{w.licence.pk}"' not in page
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "supply_deferred"]),
            {f"files_{w.site.pk}": pdf("场地证明.pdf")},
            follow=True,
        )
        assert "操作成功" in r.content.decode()
        client.force_login(w.clerk)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "/do/check_deferred/" in page and "场地证明.pdf" in page
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "check_deferred"]),
            {"result": "received"},
            follow=True,
        )
        assert "操作成功" in r.content.decode()
    assert _reload(case).deferred_supplied_at is not None
