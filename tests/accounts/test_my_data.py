"""Download my data (PIPL Art. 45): a signed-in citizen downloads everything the portal holds about them,
and nothing about anyone else."""

import json

import pytest
from django.urls import reverse

from complaints import services as complaint_services
from intake.models import ApplicationMaterial
from tests.approvals.conftest import World
from tests.approvals.factories import CaseFactory

pytestmark = pytest.mark.django_db

A_ID = "11010519491231002X"
B_ID = "110101199003070011"


def _footprint(world, person, tag):
    """An accepted case with a scanned material, a concluded and rated case, and a complaint."""
    case = world.case(applicant=person)
    assert world.fire(world.clerk, case, "accept").status_code == 200
    ApplicationMaterial.objects.create(
        application=case.application,
        material_name="营业执照",
        token=f"tok-{tag}",
        extension=".pdf",
        file=f"applications/{tag}.pdf",
        original_name=f"执照-{tag}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    done = CaseFactory(concluded=True, application__applicant=person, application__item=world.item)
    complaint_services.rating_submit(
        case=done, actor=person, data={"overall": 5, "comment": f"评价-{tag}"}, channel="online"
    )
    complaint_services.complaint_file(
        actor=person,
        channel="online",
        name="",
        phone="13912345678",
        subject=f"投诉-{tag}",
        content="窗口排队时间太长，希望改进。",
        reference=case.reference,
    )
    return case, done


def test_a_citizen_downloads_everything_about_them_and_nothing_about_others(client):
    world = World()
    a, b = world.citizen, world.other_citizen
    case_a, done_a = _footprint(world, a, "a")
    case_b, done_b = _footprint(world, b, "b")

    client.force_login(a)
    r = client.get(reverse("accounts:my_data"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert r["Content-Disposition"].startswith("attachment;") and ".json" in r["Content-Disposition"]
    assert r["Cache-Control"] == "no-store"
    text = r.content.decode()
    data = json.loads(text)

    assert data["profile"]["username"] == "citizen" and data["profile"]["id_number"] == A_ID
    assert "citizen" in data["profile"]["roles"]
    apps = {x["reference"]: x for x in data["applications"]}
    assert set(apps) == {case_a.reference, done_a.reference}
    assert apps[case_a.reference]["applicant_id_number"] == A_ID
    assert [m["file_name"] for m in apps[case_a.reference]["materials"]] == ["执照-a.pdf"]
    cases = {x["reference"]: x for x in data["cases"]}
    assert set(cases) == {case_a.reference, done_a.reference}
    timeline = cases[case_a.reference]["timeline"]
    assert [(t["action"], t["to_state"]) for t in timeline][-1] == ("accept", "accepted")
    assert cases[case_a.reference]["history"] and cases[case_a.reference]["promised_due"]
    assert {n["case_reference"] for n in data["notifications"]} >= {case_a.reference}
    assert any(n["event"] == "case.accepted" for n in data["notifications"])
    assert [x["comment"] for x in data["ratings"]] == ["评价-a"]
    assert [x["subject"] for x in data["complaints"]] == ["投诉-a"]

    # Nothing of the other citizen, and no staff names.
    for foreign in (
        B_ID,
        b.username,
        b.real_name,
        case_b.reference,
        done_b.reference,
        "执照-b",
        "评价-b",
        "投诉-b",
        world.clerk.real_name,
        world.clerk.username,
    ):
        assert foreign not in text, foreign


def test_the_other_citizen_gets_only_their_own(client):
    world = World()
    case_a, _ = _footprint(world, world.citizen, "a")
    client.force_login(world.other_citizen)
    data = json.loads(client.get(reverse("accounts:my_data")).content)
    assert data["profile"]["id_number"] == B_ID
    assert data["applications"] == data["cases"] == data["ratings"] == data["complaints"] == []
    assert case_a.reference not in json.dumps(data, ensure_ascii=False)


def test_the_download_needs_a_login_and_is_linked_from_the_account_pages(client):
    world = World()
    r = client.get(reverse("accounts:my_data"))
    assert r.status_code == 302 and reverse("accounts:login") in r.url
    client.force_login(world.citizen)
    for url in (reverse("accounts:preferences"), reverse("home")):
        assert reverse("accounts:my_data") in client.get(url).content.decode(), url
