"""一件事一次办 (DESIGN §10, issue 21): apply once for a package, the window handles it as one, the
departments work in parallel, the applicant follows one thing. Dates from the 2026 official calendar
(Mid-Autumn Sep 25–27 off; National Day Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked)."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.constants import CaseState
from approvals.models import Case
from intake.demo import load_catalogue, load_packages
from intake.models import Application, ApplicationMaterial, Package, PackageApplication
from portal.accounts.models import Department
from portal.notifications.models import Notification
from portal.workcalendar.seed import seed_years
from tests.factories import WindowFactory, citizen, staff
from tests.files import pdf_variant

from .conftest import at

D = datetime.date
FORM = {"shop_name": "青禾小馆", "applicant_address": "幸福路8号", "area": "80", "category": "热食类食品制售"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


class Town:
    def __init__(self) -> None:
        seed_years([2026])
        load_catalogue()
        load_packages()
        self.package = Package.objects.get(code="YJS-001")
        self.scjg = Department.objects.get(code="SCJGJ")
        self.wjw = Department.objects.get(code="WJW")
        self.window = WindowFactory.create(number=1)
        self.clerk = staff("clerk", window=self.window, username="clerk")
        self.citizen = citizen(username="citizen")
        self.other = citizen(username="other", id_number="110101199003070011")
        self.staff = {
            dept.code: (
                staff("reviewer", dept, username=f"r_{dept.code}"),
                staff("decider", dept, username=f"d_{dept.code}"),
            )
            for dept in (self.scjg, self.wjw)
        }

    def api(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def files(self, *, skip=()):
        return {
            f"material_{m.pk}": SimpleUploadedFile(f"{m.key}.pdf", pdf_variant(m.key.encode()))
            for m in self.package.materials.all()
            if m.name not in skip
        }

    def apply(self, user=None, *, form=None, skip=(), **extra):
        data = {"package": "YJS-001", "form_data": json.dumps(FORM if form is None else form)}
        data.update(self.files(skip=skip))
        data.update(extra)
        return self.api(user or self.citizen).post("/api/v1/package-applications/", data, format="multipart")

    def fire(self, user, case, name, **data):
        return self.api(user).post(f"/api/v1/cases/{case.reference}/transitions/{name}/", data, format="json")


@pytest.fixture
def town(db):
    return Town()


def _cases(reference):
    return {
        c.item.code: c for c in Case.objects.filter(application__package_application__reference=reference)
    }


def test_the_package_catalogue_lists_its_items_one_form_and_one_list_of_materials(town):
    listed = APIClient().get("/api/v1/packages/").json()
    assert [p["name"] for p in listed] == ["开办餐饮店", "开办歌舞娱乐场所", "开办旅行社"]
    detail = APIClient().get("/api/v1/packages/YJS-001/").json()
    assert [i["name"] for i in detail["items"]] == ["企业设立登记", "食品经营许可", "公共场所卫生许可"]
    assert {i["department"] for i in detail["items"]} == {"市场监督管理局", "卫生健康委员会"}
    # 住所 is asked by two items' forms, once here
    assert [f["label"] for f in detail["form_fields"]].count("住所（经营场所）") == 1
    licence = next(m for m in detail["materials"] if m["name"].startswith("营业执照"))
    assert licence["items"] == ["SCJG-001", "WJ-002"]  # uploaded once, filed under both items
    assert APIClient().get("/api/v1/packages/NOPE/").status_code == 404


def test_applying_once_opens_one_case_per_item_with_its_own_deadlines(town):
    with at(2026, 9, 24):
        r = town.apply()
        assert r.status_code == 201, r.json()
        body = r.json()
        assert re.fullmatch(r"YJ-20260924-\d{6}", body["reference"])
        # Art. 32: received Thu 09-24, the window answers by the 5th working day: 09-28..30, 10-08, 10-09
        assert body["answer_by"] == "2026-10-09"
        assert body["state"] == "in_progress" and body["state_label"] == "办理中"
    bundle = PackageApplication.objects.get(reference=body["reference"])
    cases = _cases(bundle.reference)
    assert set(cases) == {"SCJG-003", "SCJG-001", "WJ-002"}
    assert {c.state for c in cases.values()} == {CaseState.SUBMITTED}
    assert cases["WJ-002"].department == town.wjw and cases["SCJG-001"].department == town.scjg
    # each with its own snapshot and its own answers, on its own form's keys
    food = cases["SCJG-001"].application
    assert food.item_snapshot["code"] == "SCJG-001" and food.form_data["shop_name"] == "青禾小馆"
    assert cases["WJ-002"].application.form_data == {"applicant_address": "幸福路8号"}
    # the business licence uploaded once is filed under both items that need it
    shared = ApplicationMaterial.objects.filter(
        application__package_application=bundle, material_name="营业执照"
    )
    assert shared.count() == 2 and len({f.sha256 for f in shared}) == 1
    assert ApplicationMaterial.objects.filter(application__package_application=bundle).count() == 4 + 5 + 3
    # one receipt, naming the package and its reference
    receipts = Notification.objects.filter(recipient=town.citizen, event="application.received")
    assert receipts.count() == 1 and "开办餐饮店" in receipts.get().subject
    assert bundle.reference in receipts.get().subject
    # one acceptance for the package: every case accepted, each on its own limits
    # the window cannot accept (or correct) one case of a package alone
    with at(2026, 9, 24, 14):
        r = town.fire(town.clerk, cases["SCJG-001"], "accept")
        assert r.status_code == 409 and "一件事" in r.json()["detail"]
        r = town.fire(
            town.clerk,
            cases["SCJG-001"],
            "request_correction",
            materials=[{"name": "营业执照", "problem": "x"}],
        )
        assert r.status_code == 409
    with at(2026, 9, 24, 15):
        from approvals.services.packages import package_accept

        package_accept(bundle=bundle, actor=town.clerk)
    cases = _cases(bundle.reference)
    assert {c.state for c in cases.values()} == {CaseState.ACCEPTED}
    # 企业设立登记 promised 1, statutory 15; the two licences promised 5, statutory 20
    assert cases["SCJG-003"].promised_due == D(2026, 9, 28)
    assert cases["SCJG-003"].statutory_due == D(2026, 10, 22)
    assert cases["SCJG-001"].promised_due == D(2026, 10, 9)
    assert cases["WJ-002"].statutory_due == D(2026, 10, 29)
    with at(2026, 9, 28):
        detail = town.api(town.citizen).get(f"/api/v1/package-applications/{bundle.reference}/").json()
    assert detail["latest_due"] == "2026-10-09"
    # each item once, in the package's order (企业设立登记 is in three demo packages)
    assert [c["item_code"] for c in detail["cases"]] == ["SCJG-003", "SCJG-001", "WJ-002"]
    rows = {c["item_code"]: c for c in detail["cases"]}
    assert rows["SCJG-003"]["due_date"] == "2026-09-28" and rows["SCJG-003"]["due_left"] == "今天到期"
    assert rows["WJ-002"]["due_left"] == "剩余4个工作日" and rows["WJ-002"]["state_label"] == "已受理"
    accepted = Notification.objects.filter(recipient=town.citizen, event="case.accepted")
    assert accepted.count() == 1 and "开办餐饮店" in accepted.get().subject


def test_bad_input_is_a_400_with_chinese_field_messages_and_stores_nothing(town, media):
    with at(2026, 9, 24):
        r = town.apply(form={**FORM, "area": "八十", "shop_name": ""}, skip=["公司章程"])
        assert r.status_code == 400
        errors = r.json()
        assert errors["area"] == ["“经营面积（平方米）”应为数字。"]
        assert errors["shop_name"] == ["“店铺名称”为必填项。"]
        chapter = town.package.materials.get(name="公司章程")
        assert errors[f"material_{chapter.pk}"] == ["缺少必要材料：公司章程"]
        r = town.apply(package="NOPE")
        assert r.status_code == 400 and r.json()["package"] == ["未知的一件事编码。"]
        r = town.apply(delivery_method="post", delivery_address="")
        assert r.status_code == 400 and r.json()["delivery_address"] == ["选择邮寄送达的，请填写邮寄地址。"]
        bad = town.files()
        first = next(iter(bad))
        bad[first] = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>")
        r = town.api(town.citizen).post(
            "/api/v1/package-applications/",
            {"package": "YJS-001", "form_data": json.dumps(FORM), **bad},
            format="multipart",
        )
        assert r.status_code == 400 and first in r.json()
    assert not PackageApplication.objects.exists() and not Application.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True


def test_only_the_owner_reads_the_package_application(town):
    with at(2026, 9, 24):
        reference = town.apply().json()["reference"]
        assert town.api(town.other).get(f"/api/v1/package-applications/{reference}/").status_code == 404
        assert APIClient().get(f"/api/v1/package-applications/{reference}/").status_code in (401, 403)
        assert town.api(town.clerk).post("/api/v1/package-applications/", {}).status_code == 403
