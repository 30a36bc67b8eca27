"""送达 (DESIGN §11): the applicant chooses window pick-up, post (free, with an address) or electronic when
applying (page and API) and may change it until the result is delivered; post records the carrier and
tracking number, which the citizen sees and is told; electronic delivery happens with the approval, the
licence being available at once."""

import json
import re

import pytest
from django.urls import reverse

from approvals.models import Case
from intake.models import Application
from licences.models import Licence
from portal.notifications.models import Notification

from ..approvals.conftest import at
from .conftest import approve

ADDRESS = "福建省福州市鼓楼区五四路100号 王小明 收"


def test_the_api_application_carries_the_delivery_choice_and_post_needs_an_address(world):
    api = world.api(world.citizen)
    body = {"item": world.item.code, "form_data": json.dumps({}), "delivery_method": "post"}
    with at(2026, 9, 24):
        r = api.post("/api/v1/applications/", body, format="multipart")
        assert r.status_code == 400 and "delivery_address" in r.json()
        r = api.post("/api/v1/applications/", {**body, "delivery_method": "pigeon"}, format="multipart")
        assert r.status_code == 400 and "delivery_method" in r.json()
        r = api.post("/api/v1/applications/", {**body, "delivery_address": ADDRESS}, format="multipart")
        assert r.status_code == 201, r.json()
    assert r.json()["delivery_method"] == "post" and r.json()["delivery_address"] == ADDRESS
    case = Case.objects.get(reference=r.json()["reference"])
    detail = api.get(f"/api/v1/cases/{case.reference}/").json()
    assert detail["delivery_choice"] == "post" and detail["delivery_address"] == ADDRESS


def test_the_application_page_asks_how_the_result_should_come_and_checks_the_address(world, client):
    client.force_login(world.citizen)
    with at(2026, 9, 24):
        assert client.post(reverse("intake:apply", args=[world.item.code])).status_code == 302
        app = Application.objects.get(applicant=world.citizen, status="draft")
        page = client.get(reverse("intake:draft_edit", args=[app.pk])).content.decode()
        assert "办理结果怎么给您" in page and 'value="electronic"' in page
        r = client.post(
            reverse("intake:draft_edit", args=[app.pk]),
            {
                "contact_phone": "13912345678",
                "mode": app.mode,
                "delivery_method": "post",
                "delivery_address": "",
            },
        )
        assert r.status_code == 302  # saved: the address is asked for before submitting
        app.refresh_from_db()
        assert app.delivery_method == "post"
        review = client.get(reverse("intake:draft_review", args=[app.pk])).content.decode()
        assert "请填写邮寄地址" in review
        client.post(
            reverse("intake:draft_edit", args=[app.pk]),
            {
                "contact_phone": "13912345678",
                "mode": app.mode,
                "delivery_method": "post",
                "delivery_address": ADDRESS,
            },
        )
        review = client.get(reverse("intake:draft_review", args=[app.pk])).content.decode()
        assert ADDRESS in review and "邮寄送达" in review and "请填写邮寄地址" not in review


def test_post_delivery_records_carrier_and_tracking_number_and_tells_the_citizen(world, client):
    with at(2026, 9, 24):
        case = world.case()
    case = approve(world, case)
    with at(2026, 9, 28):
        r = world.fire(world.clerk, case, "deliver", method="post", tracking_number="EA123456789CN")
        assert r.status_code == 200 and r.json()["state"] == "delivered"
    detail = world.api(world.citizen).get(f"/api/v1/cases/{case.reference}/").json()
    assert detail["carrier"] == "中国邮政EMS" and detail["tracking_number"] == "EA123456789CN"
    note = Notification.objects.filter(recipient=world.citizen, event="case.result_ready").get()
    assert "EA123456789CN" in note.body and "中国邮政EMS" in note.body
    client.force_login(world.citizen)
    page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert "EA123456789CN" in page and "中国邮政EMS" in page


def test_the_choice_can_change_until_delivery_and_not_after(world):
    with at(2026, 9, 24):
        case = world.case()
    api = world.api(world.citizen)
    url = f"/api/v1/cases/{case.reference}/delivery/"
    r = api.post(url, {"delivery_method": "post"}, format="json")
    assert r.status_code == 400 and "delivery_address" in r.json()
    r = api.post(url, {"delivery_method": "post", "delivery_address": ADDRESS}, format="json")
    assert r.status_code == 200 and r.json()["delivery_choice"] == "post"
    assert world.api(world.clerk).post(url, {"delivery_method": "window"}, format="json").status_code == 403
    case = approve(world, case)
    with at(2026, 9, 28):
        world.fire(world.clerk, case, "deliver", method="window", place="3号窗口")
    r = api.post(url, {"delivery_method": "window"}, format="json")
    assert r.status_code == 409


def test_electronic_delivery_happens_with_the_approval_and_the_licence_is_there_at_once(world, client):
    with at(2026, 9, 24):
        case = world.case()
    Application.objects.filter(pk=case.application_id).update(delivery_method="electronic")
    case = approve(world, case)
    assert case.state == "delivered" and case.delivery_method == "electronic" and case.delivered_at
    lic = Licence.objects.get(case=case)
    rows = world.api(world.citizen).get("/api/v1/licences/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [row["number"] for row in rows] == [lic.number]
    events = list(
        Notification.objects.filter(recipient=world.citizen, case_reference=case.reference)
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events.index("case.approved") < events.index("case.result_ready")


@pytest.mark.parametrize("state_after", ["approved"])
def test_changing_to_electronic_after_approval_delivers_at_once(world, state_after):
    with at(2026, 9, 24):
        case = world.case()
    case = approve(world, case)
    assert case.state == state_after
    r = world.api(world.citizen).post(
        f"/api/v1/cases/{case.reference}/delivery/", {"delivery_method": "electronic"}, format="json"
    )
    assert r.status_code == 200 and r.json()["state"] == "delivered"


def test_the_clerk_hands_out_the_result_the_way_the_applicant_chose(world, client):
    with at(2026, 9, 24):
        case = world.case()
    Application.objects.filter(pk=case.application_id).update(
        delivery_method="post", delivery_address=ADDRESS
    )
    case = approve(world, case)
    client.force_login(world.clerk)
    page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert f"寄往：{ADDRESS}" in page
    assert re.search(r'<input[^>]*value="post"[^>]*checked|<option[^>]*value="post"[^>]*selected', page)


def test_a_change_of_delivery_is_logged_with_who_when_from_and_to_and_the_clerk_sees_it(world, client):
    """DESIGN §11: the choice may change before delivery; every change is kept in the case's log (who, when,
    from what to what) and the clerk preparing the result sees it on the case page."""
    with at(2026, 9, 24):
        case = world.case()
    api = world.api(world.citizen)
    url = f"/api/v1/cases/{case.reference}/delivery/"
    with at(2026, 9, 25, 9):
        r = api.post(url, {"delivery_method": "post", "delivery_address": ADDRESS}, format="json")
        assert r.status_code == 200
    with at(2026, 9, 25, 11):  # the same choice again: nothing changed, no new line
        again = api.post(url, {"delivery_method": "post", "delivery_address": ADDRESS}, format="json")
        assert again.status_code == 200
    changes = list(case.transitions.filter(name="change_delivery"))
    assert len(changes) == 1
    entry = changes[0]
    assert entry.actor == world.citizen
    assert entry.data == {
        "from": {"method": "window", "address": ""},
        "to": {"method": "post", "address": ADDRESS},
    }
    assert entry.from_state == entry.to_state == "submitted"  # the case's state does not move
    timeline = r.json()["timeline"]
    assert [t["name"] for t in timeline if t["name"] == "change_delivery"] == ["change_delivery"]

    client.force_login(world.clerk)
    page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert "申请人修改送达方式" in page
    assert f"窗口领取 → 邮寄送达（{ADDRESS}）" in page
    assert "申请人于 2026-09-25 09:00 修改，原为：窗口领取" in page
    assert "change_delivery" not in page


def test_after_delivery_the_change_is_refused_in_chinese_on_the_api_and_the_page(world, client):
    with at(2026, 9, 24):
        case = world.case()
    case = approve(world, case)
    with at(2026, 9, 28, 15):
        world.fire(world.clerk, case, "deliver", method="window", place="3号窗口")
    r = world.api(world.citizen).post(
        f"/api/v1/cases/{case.reference}/delivery/", {"delivery_method": "electronic"}, format="json"
    )
    assert r.status_code == 409
    assert r.json()["detail"] == "办理结果已于 2026-09-28 15:00 送达，不能再修改送达方式。"
    assert r.json()["delivery_method"] == ["办理结果已经送达，送达方式不能再改。"]
    client.force_login(world.citizen)
    r = client.post(
        reverse("approvals:delivery_change", args=[case.reference]),
        {"delivery_method": "electronic"},
        follow=True,
    )
    page = r.content.decode()
    assert "不能再修改送达方式" in page
    assert Application.objects.get(pk=case.application_id).delivery_method == "window"
    assert not case.transitions.filter(name="change_delivery").exists()
