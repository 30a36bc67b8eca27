"""Licences (电子证照, DESIGN §11): approval issues exactly one licence, numbered without gaps, whose PDF
reads its number and holder and whose QR code leads to the public verification; revocation, expiry and
re-issue change what the verification answers; unknown numbers and wrong holders get the same 404."""

import datetime
import io
import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from approvals.models import Case
from licences.models import Licence, LicenceType
from licences.services import licence_reissue
from tests.factories import ItemFactory

from ..approvals.conftest import at
from .conftest import BASE, approve


def _pdf(world, user, number):
    r = world.api(user).get(f"/api/v1/licences/{number}/pdf/")
    return r


def test_approval_issues_exactly_one_licence_whose_pdf_and_qr_code_carry_number_holder_and_verify_url(world):
    with at(2026, 9, 24):
        case = world.case()
    case = approve(world, case)
    licences = list(Licence.objects.filter(case=case))
    assert len(licences) == 1
    lic = licences[0]
    holder = case.application.applicant_name
    # {dept}{year}{seq:06d}: the department's code, the year of the approval, the first serial of the year
    assert lic.number == "SCJGJ2026000001"
    assert lic.holder_name == holder and lic.issuing_department == world.dept
    assert lic.valid_from == datetime.date(2026, 9, 25) and lic.valid_until == datetime.date(2031, 9, 24)

    r = _pdf(world, world.citizen, lic.number)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = b"".join(r.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    assert lic.number in text and holder in text and "食品经营许可证" in text
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("PortalCJK" in name or "WenQuanYi" in name or "Micro" in name for name in fonts), fonts
    images = reader.pages[0].images
    assert images, "the licence carries a QR code"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0].data)))
    assert [d.text for d in decoded] == [
        f"{BASE}/licences/verify/?number={lic.number}&holder="
        + __import__("urllib.parse").parse.quote_plus(holder)
    ]
    # the URL answers "valid" without signing in
    path = decoded[0].text.removeprefix(BASE)
    page = world.api(None)
    page.force_authenticate(None)
    assert "有效" in page.get(path).content.decode()

    # a second approval of the same type and year takes the next serial
    with at(2026, 9, 24):
        other = world.case()
    approve(world, other)
    assert Licence.objects.get(case=other).number == "SCJGJ2026000002"


def test_an_item_without_licence_type_issues_no_licence(world):
    world.item.licence_type = None
    world.item.save()
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    assert not Licence.objects.filter(case=case).exists()


def test_verification_answers_valid_and_404_for_unknown_number_or_wrong_holder_alike(world, client):
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    lic = Licence.objects.get(case=case)
    with at(2026, 10, 9):
        r = client.get("/api/v1/licences/verify/", {"number": lic.number, "holder": lic.holder_name})
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "valid" and body["holder"] == lic.holder_name
        assert body["valid_until"] == "2031-09-24" and body["issuing_department"] == "市场监督管理局"
        # only what the licence shows: no phone, no ID number, no account
        assert set(body) == {
            "number",
            "title",
            "holder",
            "scope",
            "fields",
            "issuing_department",
            "issued_on",
            "valid_from",
            "valid_until",
            "status",
            "status_label",
        }
        wrong_holder = client.get("/api/v1/licences/verify/", {"number": lic.number, "holder": "张三"})
        unknown = client.get(
            "/api/v1/licences/verify/", {"number": "SCJGJ2026999999", "holder": lic.holder_name}
        )
        assert wrong_holder.status_code == unknown.status_code == 404
        assert wrong_holder.json() == unknown.json()
        missing = client.get("/api/v1/licences/verify/", {"number": lic.number})
        assert missing.status_code == 400 and "holder" in missing.json()
        page = client.get(reverse("licences:verify"), {"number": lic.number, "holder": "张三"})
        assert page.status_code == 404 and "未查到" in page.content.decode()


def test_past_its_validity_a_licence_verifies_as_expired(world, client):
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    lic = Licence.objects.get(case=case)
    query = {"number": lic.number, "holder": lic.holder_name}
    with at(2031, 9, 24):
        assert client.get("/api/v1/licences/verify/", query).json()["status"] == "valid"
    with at(2031, 9, 25):
        assert client.get("/api/v1/licences/verify/", query).json()["status"] == "expired"
        page = client.get(reverse("licences:verify"), query)
        assert "已过期" in page.content.decode()


def test_revoking_a_commitment_approval_revokes_its_licence(world, client):
    """告知承诺 after-check found the commitment false: the approval and the licence are revoked."""
    with at(2026, 9, 24):
        case = world.case(mode="commitment", commitment=True)
        world.fire(world.clerk, case, "accept")
        assert world.fire(world.decider, case, "approve_on_the_spot", note="告知承诺").status_code == 200
        lic = Licence.objects.get(case=case)
        query = {"number": lic.number, "holder": lic.holder_name}
        assert client.get("/api/v1/licences/verify/", query).json()["status"] == "valid"
        r = world.fire(world.head, case, "revoke", reason="事后核查发现承诺不实")
        assert r.json()["state"] == "revoked"
        body = client.get("/api/v1/licences/verify/", query).json()
        assert body["status"] == "revoked" and body["status_label"] == "已撤销"
    lic.refresh_from_db()
    assert lic.revoke_reason == "事后核查发现承诺不实"
    assert [h.status for h in lic.history.order_by("history_id")] == ["valid", "revoked"]


def test_reissue_gives_a_new_number_and_marks_the_old_one_replaced(world, client):
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    old = Licence.objects.get(case=case)
    with at(2027, 1, 5):
        new = licence_reissue(licence=old, actor=world.decider, reason="遗失补领")
        assert new.number == "SCJGJ2027000001" and new.valid_until == old.valid_until
        old.refresh_from_db()
        assert old.status == "replaced" and old.replaced_by == new
        query = {"number": old.number, "holder": old.holder_name}
        assert client.get("/api/v1/licences/verify/", query).json()["status"] == "replaced"
        query = {"number": new.number, "holder": new.holder_name}
        assert client.get("/api/v1/licences/verify/", query).json()["status"] == "valid"
        # the other department's decider may not
        from portal.exceptions import PermissionDeniedError

        with pytest.raises(PermissionDeniedError):
            licence_reissue(licence=new, actor=world.decider_b, reason="遗失")


def test_my_licences_list_pdf_download_centre_and_data_export(world, client):
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    lic = Licence.objects.get(case=case)
    mine = world.api(world.citizen).get("/api/v1/licences/").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert [row["number"] for row in rows] == [lic.number]
    other = world.api(world.other_citizen).get("/api/v1/licences/").json()
    assert (other["results"] if isinstance(other, dict) else other) == []
    # the PDF: the owner and the department's staff, nobody else (404: not even whether it exists)
    assert _pdf(world, world.other_citizen, lic.number).status_code == 404
    assert _pdf(world, world.reviewer, lic.number).status_code == 200
    assert _pdf(world, world.reviewer_b, lic.number).status_code == 404

    client.force_login(world.citizen)
    centre = client.get("/my/").content.decode()
    assert "我的证照" in centre and lic.number in centre
    assert reverse("licences:download", args=[lic.number]) in centre
    page = client.get(reverse("licences:download", args=[lic.number]))
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert lic.number in client.get(reverse("licences:mine")).content.decode()
    from portal.accounts.personal_data import personal_data_export

    export = personal_data_export(user=world.citizen)
    assert [row["number"] for row in export["licences"]] == [lic.number]
    assert export["licences"][0]["holder_name"] == lic.holder_name


def test_verification_is_rate_limited_like_the_progress_query(world, client):
    statuses = [
        client.get(reverse("licences:verify"), {"number": f"X{i}", "holder": "张三"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [404] * 10 and statuses[-1] == 429
    assert client.get("/api/v1/licences/verify/", {"number": "X", "holder": "张三"}).status_code == 429


def test_the_departments_decider_reissues_from_the_case_page_and_the_reviewer_may_not(world, client):
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    old = Licence.objects.get(case=case)
    client.force_login(world.decider)
    page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert reverse("licences:reissue", args=[old.number]) in page
    url = reverse("licences:reissue", args=[old.number])
    with at(2026, 10, 12):
        r = client.post(url, {"reason": ""}, follow=True)
        assert "请填写换发原因" in r.content.decode()
        assert Licence.objects.get(pk=old.pk).status == "valid"
        client.force_login(world.reviewer)
        assert client.post(url, {"reason": "遗失"}).status_code == 403
        client.force_login(world.decider)
        r = client.post(url, {"reason": "遗失补领"}, follow=True)
    new = Licence.objects.get(case=case, status="valid")
    assert new.number == "SCJGJ2026000002" and new.number in r.content.decode()
    assert Licence.objects.get(pk=old.pk).status == "replaced"


def test_two_types_numbering_alike_are_refused_and_never_give_one_number_twice(world):
    from django.core.exceptions import ValidationError

    twin = LicenceType(code="SPJY2", title="小餐饮经营许可证", fields=[])
    with pytest.raises(ValidationError) as err:
        twin.full_clean()
    assert "编号规则相同" in str(err.value)
    twin.save()  # saved past the check (an import, say): the approval answers 409, nothing is issued twice
    other_item = ItemFactory.create(department=world.dept, licence_type=twin)
    with at(2026, 9, 24):
        first = world.case()
        second = world.case(item=other_item)
    approve(world, first)
    with at(2026, 9, 25):
        world.fire(world.clerk, second, "accept")
        world.fire(world.reviewer, second, "start_review")
        world.fire(world.reviewer, second, "send_to_decision", opinion="符合")
        r = world.fire(world.decider, second, "approve")
    assert r.status_code == 409 and "编号规则" in str(r.json())
    assert Case.objects.get(pk=second.pk).state == "awaiting_decision"
    twin.numbering_pattern = "{type}-{year}{seq:06d}"
    twin.full_clean()
    twin.save()
    with at(2026, 9, 25):
        assert world.fire(world.decider, second, "approve").status_code == 200
    assert Licence.objects.get(case=second).number == "SPJY2-2026000001"


def test_verification_of_nonsense_input_is_a_plain_404_not_an_error(world, client):
    # a control character is refused for every URL with a Chinese 400 (issue 17), never a 500
    r = client.get("/api/v1/licences/verify/", {"number": "A\x00B", "holder": "张三"})
    assert r.status_code == 400 and re.search(r"[\u4e00-\u9fff]", r.json()["detail"])
    assert (
        client.get("/api/v1/licences/verify/", {"number": "X" * 500, "holder": "张" * 500}).status_code == 404
    )
    assert world.api(world.citizen).get("/api/v1/licences/%00/pdf/").status_code in (400, 404)


def test_the_reissue_api_gives_staff_of_the_issuing_department_a_new_serial_and_the_old_verifies_replaced(
    world, client
):
    """补领/换发 (issue 21): POST /api/v1/licences/{number}/reissue/ by the issuing department's decider;
    the new licence has the next serial and its own PDF and QR code; the old one answers "已换发"."""
    with at(2026, 9, 24):
        case = world.case()
    approve(world, case)
    old = Licence.objects.get(case=case)
    url = f"/api/v1/licences/{old.number}/reissue/"
    with at(2026, 10, 12):
        r = world.api(world.decider).post(url, {"reason": ""}, format="json")
        assert r.status_code == 400 and r.json()["reason"] == ["此项为必填项。"]
        # the applicant, a reviewer of the department, another department's decider: refused
        assert world.api(world.citizen).post(url, {"reason": "遗失"}, format="json").status_code == 403
        assert world.api(world.reviewer).post(url, {"reason": "遗失"}, format="json").status_code == 403
        assert world.api(world.decider_b).post(url, {"reason": "遗失"}, format="json").status_code == 404
        r = world.api(world.decider).post(url, {"reason": "遗失补领"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["number"] == "SCJGJ2026000002" and body["status"] == "valid"
    assert body["holder_name"] == old.holder_name and body["valid_until"] == "2031-09-24"
    # once replaced, the old one cannot be re-issued again: 409 in Chinese
    again = world.api(world.decider).post(url, {"reason": "遗失"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == "只有有效的证照可以换发。"

    verify = client.get("/api/v1/licences/verify/", {"number": old.number, "holder": old.holder_name}).json()
    assert verify["status"] == "replaced" and verify["status_label"] == "已换发（原证作废）"
    page = client.get(reverse("licences:verify"), {"number": old.number, "holder": old.holder_name})
    assert "已换发（原证作废）" in page.content.decode()
    new = Licence.objects.get(number=body["number"])
    data = world.api(world.citizen).get(body["pdf_url"])
    reader = PdfReader(io.BytesIO(b"".join(data.streaming_content)))
    assert new.number in reader.pages[0].extract_text()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(reader.pages[0].images[0].data)))
    assert decoded[0].text.startswith(f"{BASE}/licences/verify/?number={new.number}&holder=")
    # the applicant's list shows both: the new one in force, the old one replaced
    rows = world.api(world.citizen).get("/api/v1/licences/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert {(row["number"], row["status_label"]) for row in rows} == {
        (new.number, "有效"),
        (old.number, "已换发（原证作废）"),
    }
    assert [h.history_change_reason for h in old.history.order_by("history_id")] == [
        "issue",
        "replace",
        "replace",
    ]
    assert new.history.get().history_user == world.decider
    # the holder is told, with the new number and what became of the old one
    from portal.notifications.models import Notification

    note = Notification.objects.get(recipient=world.citizen, event="case.licence_reissued")
    assert new.number in note.body and old.number in note.body and "我的证照" in note.body
    assert note.link == f"/cases/{case.reference}/"
