"""Transition input is strict (issue 17 item 6): a wrong type, a fraction, a boolean, an object where text
is expected, an unbounded list or text is a 400 with a Chinese message on the field — never stored, never
a 500 — through the API and through the case page's forms alike."""

import pytest
from django.urls import reverse

from approvals.constants import CaseState
from approvals.inputs import CORRECTION_ITEMS_MAX, TEXT_MAX
from approvals.models import Case, CaseTransition

from .conftest import at


def _reviewing(world):
    case = world.case()
    assert world.fire(world.clerk, case, "accept").status_code == 200
    assert world.fire(world.reviewer, case, "start_review").status_code == 200
    return case


@pytest.mark.parametrize("days", [2.5, True, "2.5", "五", {"n": 5}, [5], 0, 366, None])
def test_extension_days_must_be_a_whole_number_in_range(world, days):
    with at(2026, 3, 2):
        case = _reviewing(world)
        r = world.fire(world.reviewer, case, "request_extension", days=days, reason="情况复杂")
        assert r.status_code == 400, r.json()
        assert r.json()["days"] and all("\u4e00" <= m[0] <= "\u9fff" for m in r.json()["days"])
        assert Case.objects.get(pk=case.pk).extension_days == 0


def test_extension_days_as_text_of_a_whole_number_is_fine(world):
    with at(2026, 3, 2):
        case = _reviewing(world)
        r = world.fire(world.reviewer, case, "request_extension", days="3", reason="情况复杂")
        assert r.status_code == 200
        assert world.fire(world.head, case, "extend", days="2").status_code == 200
        assert Case.objects.get(pk=case.pk).extension_days == 2


@pytest.mark.parametrize("opinion", [{"a": 1}, ["符合"], 12.5, True])
def test_an_object_where_text_is_expected_is_refused_not_stored(world, opinion):
    with at(2026, 3, 2):
        case = _reviewing(world)
        r = world.fire(world.reviewer, case, "send_to_decision", opinion=opinion)
        assert r.status_code == 400 and "opinion" in r.json()
        assert Case.objects.get(pk=case.pk).state == CaseState.IN_REVIEW
        assert not CaseTransition.objects.filter(case=case, reason__contains="{").exists()


def test_text_is_bounded(world):
    with at(2026, 3, 2):
        case = _reviewing(world)
        r = world.fire(world.reviewer, case, "send_to_decision", opinion="长" * (TEXT_MAX + 1))
        assert r.status_code == 400 and "最多" in r.json()["opinion"][0]
        assert (
            world.fire(world.reviewer, case, "send_to_decision", opinion="长" * TEXT_MAX).status_code == 200
        )


def test_a_correction_notice_is_bounded_and_typed(world):
    with at(2026, 3, 2):
        case = world.case()
        too_many = [{"name": f"材料{i}", "problem": "缺少"} for i in range(CORRECTION_ITEMS_MAX + 1)]
        for materials in (
            too_many,
            [{"name": "营" * 201, "problem": "缺少"}],
            [{"name": "营业执照", "problem": "问" * 301}],
            [{"name": {"x": 1}, "problem": "缺少"}],
            [["营业执照"]],
            {"name": "营业执照"},
            42,
            "",
            [],
        ):
            r = world.fire(world.clerk, case, "request_correction", materials=materials)
            assert r.status_code == 400 and r.json()["materials"], materials
        assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
        ok = [{"name": f"材料{i}", "problem": "缺少"} for i in range(CORRECTION_ITEMS_MAX)]
        assert world.fire(world.clerk, case, "request_correction", materials=ok).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"kind": {"x": 1}, "reason": "听证", "expected_days": 5},
        {"kind": "hearing", "reason": "听证", "expected_days": 5.5},
        {"kind": "nope", "reason": "听证", "expected_days": 5},
        {"kind": "hearing", "reason": ["听证"], "expected_days": 5},
    ],
)
def test_suspension_fields_are_typed(world, body):
    with at(2026, 3, 2):
        case = _reviewing(world)
        r = world.fire(world.reviewer, case, "suspend", **body)
        assert r.status_code == 400
        assert Case.objects.get(pk=case.pk).state == CaseState.IN_REVIEW


@pytest.mark.parametrize("body", [[1, 2], "text", 5, None, {"data": [1]}, {"data": "x"}])
def test_no_shape_of_body_is_a_server_error(world, body):
    with at(2026, 3, 2):
        case = world.case()
        r = world.api(world.clerk).post(
            f"/api/v1/cases/{case.reference}/transitions/request_correction/", body, format="json"
        )
        assert r.status_code == 400


def test_the_deferred_materials_and_their_date_are_typed(world):
    with at(2026, 3, 2):
        case = world.case(mode="deferred")
        for extra in (
            {"deferred_materials": {"a": 1}, "supply_by": "2026-03-04"},
            {"deferred_materials": [{"a": 1}], "supply_by": "2026-03-04"},
            {"deferred_materials": ["场地证明"], "supply_by": "3/4/2026"},
            {"deferred_materials": ["场地证明"] * 21, "supply_by": "2026-03-04"},
        ):
            r = world.fire(world.clerk, case, "accept", **extra)
            assert r.status_code == 400, (extra, r.json())
        assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_the_page_form_refuses_the_same_and_shows_the_message_beside_the_field(world, client):
    with at(2026, 3, 2):
        case = _reviewing(world)
        client.force_login(world.reviewer)
        url = reverse("approvals:case_transition", args=[case.reference, "request_extension"])
        r = client.post(url, {"days": "2.5", "reason": "情况复杂"}, follow=True)
        html = r.content.decode()
        assert "请输入整数" in html and 'id="request_extension-days_error"' in html
        assert 'value="2.5"' in html  # the input is kept
        assert Case.objects.get(pk=case.pk).extension_requested_days == 0
        r = client.post(url, {"days": "2", "reason": "情况复杂"}, follow=True)
        assert "操作成功" in r.content.decode()
        client.force_login(world.head)
        url = reverse("approvals:case_transition", args=[case.reference, "extend"])
        r = client.post(url, {"days": "", "reason": "同意"}, follow=True)
        assert "操作成功" in r.content.decode()
        assert Case.objects.get(pk=case.pk).extension_days == 2


def test_each_transition_has_its_own_fields_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    body = paths["/api/v1/cases/{reference}/transitions/request_extension/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][ref]
    assert set(fields["properties"]) == {"days", "reason"} and set(fields["required"]) == {"days", "reason"}
    assert fields["properties"]["days"]["type"] == "integer"
    assert fields["properties"]["days"]["maximum"] == 365
    names = {
        p.split("/")[-2]
        for p in paths
        if p.startswith("/api/v1/cases/{reference}/transitions/") and p.count("/") == 7
    }
    assert {"accept", "request_correction", "supply", "deliver", "request_extension", "extend"} <= names
