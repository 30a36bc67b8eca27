"""一件事 through the pages: apply once (form, check your answers, confirmation), the window handles it as
one (one check, one correction notice, one acceptance), the applicant supplies once and follows one page;
the state follows the cases; results go out together."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals.constants import CaseState
from approvals.models import Case, CaseTransition
from approvals.services.correction import SECOND_NOTICE
from intake.models import PackageApplication
from portal.notifications.models import Notification
from tests.files import pdf_variant

from .conftest import TZ, at
from .test_packages import FORM, Town

D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def town(db):
    return Town()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _apply_through_pages(town, client):
    page = client.get("/packages/YJS-001/")
    assert page.status_code == 200 and "在线办理" in page.content.decode()
    data = {f"f_{k}": v for k, v in FORM.items()}
    data.update(contact_phone="13800138000", delivery_method="window", deliver_together="yes")
    # without files: every message beside its field, nothing kept
    r = client.post("/packages/YJS-001/apply/", data)
    assert r.status_code == 400
    assert "缺少必要材料：公司章程" in r.content.decode()
    for m in town.package.materials.all():
        data[f"material_{m.pk}"] = SimpleUploadedFile(f"{m.key}.pdf", pdf_variant(m.key.encode()))
    r = client.post("/packages/YJS-001/apply/", data)
    assert r.status_code == 302 and r.url == "/packages/YJS-001/review/"
    review = client.get(r.url).content.decode()
    assert "核对申请信息" in review and "青禾小馆" in review and "营业执照或名称自主申报告知书" in review
    r = client.post("/packages/YJS-001/review/")
    assert r.status_code == 302
    return PackageApplication.objects.get()


def test_apply_once_through_the_pages_and_the_window_accepts_once(town):
    citizen = _client(town.citizen)
    with at(2026, 9, 24):
        bundle = _apply_through_pages(town, citizen)
        receipt = citizen.get(f"/package-applications/{bundle.reference}/receipt/").content.decode()
        assert bundle.reference in receipt and "2026-10-09" in receipt and "剩余5个工作日" in receipt
    assert Case.objects.filter(application__package_application=bundle).count() == 3
    clerk = _client(town.clerk)
    with at(2026, 9, 25):
        page = clerk.get(f"/cases/packages/{bundle.reference}/").content.decode()
        assert "一并受理" in page and "材料核验" in page
        data = {"action": "accept", **{f"verdict_{m.pk}": "ok" for m in town.package.materials.all()}}
        assert clerk.post(f"/cases/packages/{bundle.reference}/", data).status_code == 302
    cases = Case.objects.filter(application__package_application=bundle)
    assert {c.state for c in cases} == {CaseState.ACCEPTED}
    assert {c.accepted_on for c in cases} == {D(2026, 9, 25)}
    with at(2026, 9, 28):
        page = citizen.get(f"/cases/packages/{bundle.reference}/").content.decode()
        assert "办理中" in page and "最晚办结日期" in page and "2026-10-09" in page
        assert "企业设立登记" in page and "卫生健康委员会" in page
        mine = citizen.get("/cases/mine/").content.decode()
        assert "开办餐饮店" in mine and bundle.reference in mine
    # another applicant sees nothing of it
    assert _client(town.other).get(f"/cases/packages/{bundle.reference}/").status_code == 404


def test_one_correction_notice_covers_every_item_art_32(town):
    """Art. 32: one notice listing every material to correct, for the whole package; the count of the
    window's 5 working days starts again on the day the complete correction arrives."""
    citizen = _client(town.citizen)
    clerk = _client(town.clerk)
    with at(2026, 9, 24):
        bundle = _apply_through_pages(town, citizen)
    licence = town.package.materials.get(name="营业执照或名称自主申报告知书")
    plan = town.package.materials.get(name="经营场所平面图")
    url = f"/cases/packages/{bundle.reference}/"
    checks = {f"verdict_{m.pk}": "ok" for m in town.package.materials.all()}
    with at(2026, 9, 25):
        # 需补正 without saying what is wrong: the message beside the field
        r = clerk.post(url, {**checks, "action": "correct", f"verdict_{licence.pk}": "fix"})
        assert (
            r.status_code == 400 and "请写明“营业执照或名称自主申报告知书”存在的问题。" in r.content.decode()
        )
        # accepting while a material is marked 需补正 is refused
        r = clerk.post(
            url, {**checks, "action": "accept", f"verdict_{licence.pk}": "fix", f"problem_{licence.pk}": "x"}
        )
        assert r.status_code == 400
        r = clerk.post(
            url,
            {
                **checks,
                "action": "correct",
                f"verdict_{licence.pk}": "fix",
                f"problem_{licence.pk}": "复印件不清晰",
                f"verdict_{plan.pk}": "fix",
                f"problem_{plan.pk}": "缺少尺寸标注",
            },
        )
        assert r.status_code == 302
    cases = list(Case.objects.filter(application__package_application=bundle))
    assert {c.state for c in cases} == {CaseState.CORRECTION_REQUESTED}
    # one notice for the package: the same lines on every case, one message to the applicant
    notices = CaseTransition.objects.filter(case__in=cases, name="request_correction")
    assert notices.count() == 3
    assert {tuple(m["name"] for m in n.data["materials"]) for n in notices} == {
        ("营业执照或名称自主申报告知书", "经营场所平面图")
    }
    sent = Notification.objects.filter(recipient=town.citizen, event="case.correction_requested")
    assert sent.count() == 1 and "开办餐饮店" in sent.get().subject and "经营场所平面图" in sent.get().body
    # the applicant supplies once, on the package page; the file goes to every item that needs it
    with at(2026, 9, 29):
        page = citizen.get(url).content.decode()
        assert "一次性告知补正" in page and "复印件不清晰" in page
        r = citizen.post(
            url,
            {
                "action": "supply",
                f"files_{licence.pk}": SimpleUploadedFile("licence2.pdf", pdf_variant(b"fixed")),
                f"files_{plan.pk}": SimpleUploadedFile("plan2.pdf", pdf_variant(b"plan fixed")),
            },
        )
        assert r.status_code == 302
    cases = list(Case.objects.filter(application__package_application=bundle))
    assert {c.state for c in cases} == {CaseState.SUBMITTED}
    assert {c.answer_from for c in cases} == {D(2026, 9, 29)}
    # the package page shows the window's new answer date: 5 working days from 09-29 (National Day off)
    with at(2026, 9, 29):
        page = citizen.get(url).content.decode()
        assert "2026-10-12" in page  # 09-30, 10-08, 10-09, 10-10 (worked Saturday), 10-12
    # a later notice naming a material the first did not is a second notice, on each case
    with at(2026, 9, 30):
        chapter = town.package.materials.get(name="公司章程")
        r = clerk.post(
            url,
            {
                **checks,
                "action": "correct",
                f"verdict_{licence.pk}": "ok",
                f"verdict_{chapter.pk}": "fix",
                f"problem_{chapter.pk}": "未签字",
            },
        )
        assert r.status_code == 302
    assert CaseTransition.objects.filter(case__in=cases, name=SECOND_NOTICE).count() == 3


def test_the_package_state_follows_its_cases_and_results_go_out_together(town):
    from approvals.services.packages import package_accept

    citizen = _client(town.citizen)
    with at(2026, 9, 24):
        bundle = _apply_through_pages(town, citizen)
        package_accept(bundle=bundle, actor=town.clerk)
    cases = {c.item.code: c for c in Case.objects.filter(application__package_application=bundle)}

    def decide(case, verdict):
        reviewer, decider = town.staff[case.department.code]
        assert town.fire(reviewer, case, "start_review").status_code == 200
        assert town.fire(reviewer, case, "send_to_decision", opinion="审查意见").status_code == 200
        extra = (
            {"reasons": "场所不符合卫生要求", "remedies": "可依法申请行政复议或提起行政诉讼"}
            if verdict == "deny"
            else {}
        )
        r = town.fire(decider, case, verdict, opinion="决定", **extra)
        assert r.status_code == 200, r.json()

    def state():
        return town.api(town.citizen).get(f"/api/v1/package-applications/{bundle.reference}/").json()

    with at(2026, 9, 28):
        decide(cases["SCJG-003"], "approve")
        assert state()["state_label"] == "办理中"
        # the results wait for each other: one pick-up for the package
        r = town.fire(town.clerk, cases["SCJG-003"], "deliver", method="window")
        assert r.status_code == 409 and "一并送达" in r.json()["detail"]
        decide(cases["SCJG-001"], "approve")
        decide(cases["WJ-002"], "deny")
        body = state()
        assert body["state"] == "partly_denied" and body["state_label"] == "部分不予许可"
        # the applicant's page: the day all were decided and where to collect the results, not a due date
        page = citizen.get(f"/cases/packages/{bundle.reference}/").content.decode()
        assert "全部办结日期" in page and "2026-09-28" in page and "最晚办结日期" not in page
        assert "一次领取全部办理结果" in page
        clerk = _client(town.clerk)
        r = clerk.post(f"/cases/packages/{bundle.reference}/", {"action": "deliver", "method": "window"})
        assert r.status_code == 302
        assert "办理结果已全部送达" in citizen.get(f"/cases/packages/{bundle.reference}/").content.decode()
    assert {c.state for c in Case.objects.filter(application__package_application=bundle)} == {
        CaseState.DELIVERED
    }
    assert state()["state_label"] == "部分不予许可"


def test_supervision_counts_packages_beside_cases(town):
    """Received, concluded (every case closed by "as of") and the mean working days from submission to
    the last result."""
    from approvals.services.packages import package_accept
    from supervision.packages import package_figures
    from tests.factories import staff

    with at(2026, 9, 24):
        bundle = _apply_through_pages(town, _client(town.citizen))
        package_accept(bundle=bundle, actor=town.clerk)
        second = town.apply(town.other)
        assert second.status_code == 201, second.json()
    with at(2026, 9, 30):
        for case in Case.objects.filter(application__package_application=bundle):
            reviewer, decider = town.staff[case.department.code]
            town.fire(reviewer, case, "start_review")
            town.fire(reviewer, case, "send_to_decision", opinion="符合条件")
            assert town.fire(decider, case, "approve", opinion="准予").status_code == 200
    with at(2026, 10, 9):
        import django.utils.timezone as tz

        figures = package_figures(submitted_from=D(2026, 9, 1), submitted_to=D(2026, 9, 30), as_of=tz.now())
        # two received, one concluded; 09-24 → 09-30: 09-28, 09-29, 09-30 (Mid-Autumn 09-25..27 off)
        assert (figures.received, figures.concluded, str(figures.mean_days)) == (2, 1, "3.00")
        before = package_figures(
            submitted_from=D(2026, 9, 1),
            submitted_to=D(2026, 9, 30),
            as_of=datetime.datetime(2026, 9, 29, 12, tzinfo=TZ),
        )
        assert (before.received, before.concluded, before.mean_days) == (2, 0, None)
        wjw_only = package_figures(
            submitted_from=D(2026, 9, 1),
            submitted_to=D(2026, 9, 30),
            as_of=tz.now(),
            department_id=town.wjw.pk,
        )
        assert wjw_only.received == 2
        inspector = staff("inspector", username="inspector")
        page = _client(inspector).get("/supervision/?accepted_from=2026-09-01&accepted_to=2026-09-30")
        text = page.content.decode()
        assert page.status_code == 200 and "一件事受理量" in text and "3.00" in text
        # and in September's monthly report, under the cases' tables
        report = _client(inspector).get("/supervision/monthly-report.csv?month=2026-09")
        assert report.status_code == 200
        lines = report.content.decode("utf-8-sig").splitlines()
        at_packages = lines.index("一件事")
        assert lines[at_packages + 1].startswith("一件事受理量,一件事办结量,")
        assert lines[at_packages + 2] == "2,1,3.0"
