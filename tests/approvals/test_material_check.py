"""The window's material check (issue 16): one row per material, 合格 / 需补正 with the problem in words,
kept on the server as the clerk goes; the correction notice made by ticking the materials; no acceptance
while corrected files are unchecked unless the clerk records why; the reviewer's review points and
common opinion phrases."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.constants import CaseState
from approvals.models import Case, CaseTransition, MaterialReview
from approvals.services.correction import case_supply
from approvals.services.intake import case_accept, case_check_materials
from intake.models import ApplicationMaterial
from portal.exceptions import ApplicationError
from tests.factories import MaterialFactory
from tests.files import PDF, pdf_variant  # real PDFs: uploads are parsed since issue 17

from .conftest import at


def _file(case, material, name: str, content: bytes = PDF) -> ApplicationMaterial:
    row = ApplicationMaterial.objects.create(
        application=case.application,
        material=material,
        material_name=material.name,
        token=hashlib.md5(content + name.encode(), usedforsecurity=False).hexdigest(),
        extension=".pdf",
        file=f"applications/{name}",
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=case.applicant,
    )
    ApplicationMaterial.objects.filter(pk=row.pk).update(
        uploaded_at=case.application.submitted_at - datetime.timedelta(minutes=5)
    )
    return row


@pytest.fixture
def checked(world, settings, tmp_path):
    """A submitted case with three materials: a licence and a site proof with files, a plan without."""
    settings.MEDIA_ROOT = tmp_path
    world.licence = MaterialFactory(item=world.item, name="营业执照", order=1)
    world.site = MaterialFactory(item=world.item, name="场地证明", order=2)
    world.plan = MaterialFactory(item=world.item, name="平面图", order=3)
    with at(2026, 9, 24):
        world.c = world.case()
    _file(world.c, world.licence, "执照.pdf")
    _file(world.c, world.site, "场地.pdf", pdf_variant(b"2"))
    return world


def _page(client, case) -> str:
    return client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()


def test_the_check_is_saved_row_by_row_and_kept_across_reloads(checked, client):
    w = checked
    url = reverse("approvals:check_materials", args=[w.c.reference])
    with at(2026, 9, 24, 11):
        client.force_login(w.citizen)  # the applicant cannot check
        client.post(url, {"row": w.site.pk, f"verdict_{w.site.pk}": "fix", f"problem_{w.site.pk}": "x"})
        assert not MaterialReview.objects.exists()

        client.force_login(w.clerk)
        html = _page(client, w.c)
        for m in (w.licence, w.site, w.plan):  # one row per material, the one without a file too
            assert f'id="check-{m.pk}"' in html and f'name="verdict_{m.pk}"' in html
        assert "未提交文件" in html
        # the row's own button saves that row only
        r = client.post(
            url,
            {
                "row": str(w.site.pk),
                f"verdict_{w.site.pk}": "fix",
                f"problem_{w.site.pk}": "未加盖公章",
                f"verdict_{w.licence.pk}": "ok",
            },
        )
        assert r.status_code == 302 and r.url.endswith(f"#check-{w.site.pk}")
        assert list(MaterialReview.objects.values_list("material_name", "verdict", "problem")) == [
            ("场地证明", "fix", "未加盖公章")
        ]
        # the page's script saves as the clerk goes, asking for JSON
        r = client.post(
            url,
            {"row": str(w.licence.pk), f"verdict_{w.licence.pk}": "ok", f"seen_{w.licence.pk}": "1"},
            HTTP_ACCEPT="application/json",
        )
        assert r.status_code == 200 and r.json() == {"saved": [str(w.licence.pk)]}

    client.logout()
    client.force_login(w.clerk_lead)  # another clerk, later: the check is still there
    html = _page(client, w.c)
    assert f'id="verdict-{w.site.pk}-fix" name="verdict_{w.site.pk}" value="fix" checked' in html
    assert 'value="未加盖公章"' in html
    assert f'id="verdict-{w.licence.pk}-ok" name="verdict_{w.licence.pk}" value="ok" checked' in html
    assert f'id="seen-{w.licence.pk}" name="seen_{w.licence.pk}" value="1" checked' in html
    files = dict(ApplicationMaterial.objects.values_list("original_name", "check_result"))
    assert files == {"执照.pdf": "received", "场地.pdf": "faulty"}
    assert CaseTransition.objects.filter(case=w.c, name="check_materials").count() == 2


def test_a_material_needing_correction_must_say_what_is_wrong(checked, client):
    w = checked
    url = reverse("approvals:check_materials", args=[w.c.reference])
    client.force_login(w.clerk)
    with at(2026, 9, 24, 11):
        r = client.post(url, {f"verdict_{w.site.pk}": "fix", f"problem_{w.site.pk}": " "}, follow=True)
        html = r.content.decode()
        assert "请写明“场地证明”存在的问题。" in html
        assert f'<a href="#problem-{w.site.pk}">' in html  # the summary at the top links to the field
        assert f'id="problem-{w.site.pk}-error"' in html  # and the message is beside it
        assert 'value="fix" checked' in html  # the choice is kept
        assert not MaterialReview.objects.exists()
        r = client.post(url, {f"verdict_{w.site.pk}": "fix"}, HTTP_ACCEPT="application/json")
        assert r.status_code == 400
        assert r.json()["errors"] == {f"problem_{w.site.pk}": ["请写明“场地证明”存在的问题。"]}


def test_the_correction_notice_is_made_by_ticking_the_faulty_materials(checked, client):
    """Art. 32: one notice naming every faulty material, each with its problem, from the check."""
    w = checked
    with at(2026, 9, 24, 11):
        case_check_materials(
            case=w.c,
            actor=w.clerk,
            checks={
                w.licence.pk: {"verdict": "ok"},
                w.site.pk: {"verdict": "fix", "problem": "未加盖公章"},
            },
        )
        client.force_login(w.clerk)
        html = _page(client, w.c)
        form = html[html.index('id="request_correction"') :]
        # the materials found faulty are ticked already; the one never given a file is offered
        assert f'value="{w.site.pk}"\n          \n            checked="checked"' in form
        assert "场地证明：未加盖公章" in form and "平面图：未提交该材料" in form
        assert "材料名称：问题" not in html
        url = reverse("approvals:case_transition", args=[w.c.reference, "request_correction"])
        # a material with a file but no problem written down cannot go into the notice
        r = client.post(url, {"materials": [str(w.licence.pk)]}, follow=True)
        assert "请先在材料核验中写明“营业执照”存在的问题。" in r.content.decode()
        assert Case.objects.get(pk=w.c.pk).state == CaseState.SUBMITTED
        r = client.post(url, {"materials": [str(w.site.pk), str(w.plan.pk)]}, follow=True)
        assert "操作成功" in r.content.decode()
    notice = CaseTransition.objects.get(case=w.c, name="request_correction")
    assert notice.data["materials"] == [
        {"name": "场地证明", "problem": "未加盖公章"},
        {"name": "平面图", "problem": "未提交该材料"},
    ]


def _corrected(w):
    """The case after a correction notice and the applicant's new file for the site proof."""
    with at(2026, 9, 24, 11):
        case_check_materials(
            case=w.c, actor=w.clerk, checks={w.site.pk: {"verdict": "fix", "problem": "未加盖公章"}}
        )
        w.fire(w.clerk, w.c, "request_correction", materials=[{"name": "场地证明", "problem": "未加盖公章"}])
    with at(2026, 9, 25, 9):
        upload = SimpleUploadedFile("场地-盖章.pdf", pdf_variant(b"stamped"), content_type="application/pdf")
        case_supply(case=Case.objects.get(pk=w.c.pk), actor=w.citizen, files=[(str(w.site.pk), upload)])


def test_no_acceptance_while_corrected_files_are_unchecked_art_32(checked):
    """行政许可法 Art. 32: the window accepts on the corrected materials; a file supplied after the notice
    must be checked first, or the clerk records why the case is accepted before that."""
    w = checked
    _corrected(w)
    with at(2026, 9, 25, 10):
        with pytest.raises(ApplicationError) as refused:
            case_accept(case=w.c, actor=w.clerk)
        assert "场地证明（场地-盖章.pdf）" in refused.value.message
        assert "override_reason" in refused.value.extra
        assert Case.objects.get(pk=w.c.pk).state == CaseState.SUBMITTED
        # checked: accepted without a reason
        case_check_materials(case=w.c, actor=w.clerk, checks={w.site.pk: {"verdict": "ok"}})
        case = case_accept(case=w.c, actor=w.clerk)
    assert case.state == CaseState.ACCEPTED
    assert "unchecked_override" not in CaseTransition.objects.get(case=w.c, name="accept").data


def test_accepting_over_unchecked_corrected_files_records_the_reason_art_32(checked, client):
    """行政许可法 Art. 32: the override and its reason stand in the case's history."""
    w = checked
    _corrected(w)
    client.force_login(w.clerk)
    with at(2026, 9, 25, 10):
        html = _page(client, w.c)
        assert "补正新文件，未核验" in html and "核验前受理须写明理由" in html
        assert 'name="override_reason"' in html
        url = reverse("approvals:case_transition", args=[w.c.reference, "accept"])
        r = client.post(url, {"note": "材料齐全"}, follow=True)
        html = r.content.decode()
        assert '<a href="#accept-override_reason">' in html  # the summary leads to the reason field
        assert "材料齐全</textarea>" in html  # the input is kept
        assert Case.objects.get(pk=w.c.pk).state == CaseState.SUBMITTED
        r = client.post(url, {"note": "材料齐全", "override_reason": "申请人当场出示盖章原件"}, follow=True)
        html = r.content.decode()
    assert Case.objects.get(pk=w.c.pk).state == CaseState.ACCEPTED
    entry = CaseTransition.objects.get(case=w.c, name="accept")
    assert entry.data["unchecked_override"] == {
        "files": ["场地证明（场地-盖章.pdf）"],
        "reason": "申请人当场出示盖章原件",
    }
    assert "申请人当场出示盖章原件" in entry.reason
    assert "补正文件未经核验即受理" in html  # on the case's timeline


def test_the_api_refuses_the_same_and_takes_the_reason(checked):
    w = checked
    _corrected(w)
    with at(2026, 9, 25, 10):
        r = w.fire(w.clerk, w.c, "accept")
        assert r.status_code == 400 and "override_reason" in r.json(), r.content
        r = w.fire(w.clerk, w.c, "accept", override_reason="原件已当场核对")
        assert r.status_code == 200, r.content
    assert CaseTransition.objects.get(case=w.c, name="accept").data["unchecked_override"]["reason"] == (
        "原件已当场核对"
    )


def test_reviewers_see_the_review_points_and_pick_opinion_phrases(world, client):
    world.item.review_points = "1. 经营场所与证明一致；\n2. 人员配备齐全。"
    world.item.save()
    with at(2026, 9, 24):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        client.force_login(world.reviewer)
        html = _page(client, case)
        assert "审查要点" in html and "经营场所与证明一致；<br>2. 人员配备齐全。" in html
        assert 'name="phrases_send_to_decision"' in html and "申请材料齐全，符合法定形式。" in html
        url = reverse("approvals:case_transition", args=[case.reference, "send_to_decision"])
        r = client.post(url, {"opinion": ""}, follow=True)  # neither picked nor typed: the field says so
        assert '<a href="#send_to_decision-opinion">此项为必填项。</a>' in r.content.decode()
        # without JavaScript the ticked phrases go before the typed words
        phrases = ["申请材料齐全，符合法定形式。", "经审查，申请人符合法定条件和标准，建议准予许可。"]
        r = client.post(url, {"phrases_send_to_decision": phrases, "opinion": "附现场照片。"}, follow=True)
        assert "操作成功" in r.content.decode()
        client.force_login(world.citizen)
        assert "审查要点" not in _page(client, case)  # staff only
    entry = CaseTransition.objects.get(case=case, name="send_to_decision")
    assert entry.reason == "".join(phrases) + "附现场照片。"


def test_the_timeline_says_what_was_checked(checked, client):
    w = checked
    with at(2026, 9, 24, 11):
        case_check_materials(
            case=w.c, actor=w.clerk, checks={w.site.pk: {"verdict": "fix", "problem": "未加盖公章"}}
        )
        client.force_login(w.citizen)
        html = _page(client, w.c)
    timeline = html[html.index('class="govuk-list timeline"') :]
    assert "<strong>材料核验</strong>" in timeline and "场地证明 需补正（未加盖公章）" in timeline


def test_a_later_notice_marks_the_materials_the_first_did_not_name(checked, client):
    """一次性告知 (DESIGN §3): the clerk sees which ticks would make a second notice."""
    w = checked
    _corrected(w)
    client.force_login(w.clerk)
    with at(2026, 9, 25, 10):
        html = _page(client, w.c)
    form = html[html.index('id="request_correction"') :]
    assert "营业执照（尚未写明问题）（首次告知未列出或已核验合格，勾选将计为二次补正告知）" in form
    assert "场地证明：未加盖公章" in form and "场地证明：未加盖公章（首次告知未列出" not in form


# --- the material check through the API (issue 16) ------------------------------------------------------


def test_the_window_checks_materials_through_the_api(checked):
    w = checked
    url = f"/api/v1/cases/{w.c.reference}/material-check/"
    with at(2026, 9, 24, 11):
        rows = w.api(w.clerk).get(url).json()
        assert [r["name"] for r in rows] == ["营业执照", "场地证明", "平面图"]
        assert [len(r["files"]) for r in rows] == [1, 1, 0]
        assert all(r["verdict"] == "" for r in rows)

        # 需补正 without saying what is wrong: 400, the message under the row's field, nothing saved
        r = w.api(w.clerk).post(url, {"checks": [{"material": w.site.pk, "verdict": "fix"}]}, format="json")
        assert r.status_code == 400
        assert r.json()[f"problem_{w.site.pk}"] == ["请写明“场地证明”存在的问题。"]
        assert not MaterialReview.objects.exists()

        r = w.api(w.clerk).post(
            url,
            {
                "checks": [
                    {"material": w.licence.pk, "verdict": "ok", "original_seen": True},
                    {"material": w.site.pk, "verdict": "fix", "problem": "未加盖公章"},
                ]
            },
            format="json",
        )
        assert r.status_code == 200, r.content
        by_name = {row["name"]: row for row in r.json()}
        assert by_name["营业执照"]["verdict_label"] == "合格" and by_name["营业执照"]["original_seen"]
        assert by_name["场地证明"]["verdict_label"] == "需补正"
        assert by_name["场地证明"]["problem"] == "未加盖公章"
        assert by_name["场地证明"]["checked_by"] == w.clerk.display_name

        # the same rows the case page shows, kept for the next reader
        client_rows = w.api(w.clerk).get(url).json()
        assert [row["verdict"] for row in client_rows] == ["ok", "fix", ""]

        # the applicant may not read it, a reviewer may not write it, a bad verdict is a Chinese 400
        assert w.api(w.citizen).get(url).status_code == 403
        r = w.api(w.reviewer).post(url, {"checks": [{"material": w.plan.pk, "verdict": "ok"}]}, format="json")
        assert r.status_code in (403, 404)
        r = w.api(w.clerk).post(url, {"checks": [{"material": w.plan.pk, "verdict": "good"}]}, format="json")
        assert r.status_code == 400 and "请选择合格还是需补正。" in r.content.decode()


def test_the_api_refuses_a_check_once_the_case_is_accepted(checked):
    w = checked
    url = f"/api/v1/cases/{w.c.reference}/material-check/"
    with at(2026, 9, 24, 11):
        case_check_materials(
            case=w.c,
            actor=w.clerk,
            checks={m.pk: {"verdict": "ok"} for m in (w.licence, w.site, w.plan)},
        )
        w.fire(w.clerk, w.c, "accept")
        r = w.api(w.clerk).post(
            url, {"checks": [{"material": w.plan.pk, "verdict": "fix", "problem": "x"}]}, format="json"
        )
        assert r.status_code == 409
        assert "只有待受理的申请可以核验材料。" in r.content.decode()


# --- opinion phrases are catalogue data (issue 16) --------------------------------------------------------


def test_opinion_phrases_are_seeded_and_edited_by_admins_with_history(world, client):
    from approvals.models import OpinionPhrase
    from tests.factories import UserFactory

    # the data migration seeded the phrases the code used to hold, each with its first history row
    seeded = OpinionPhrase.objects.filter(transition="send_to_decision")
    assert list(seeded.values_list("text", flat=True))[:1] == ["申请材料齐全，符合法定形式。"]
    assert seeded.first().history.get().history_change_reason == "seed"

    admin = UserFactory(username="phrase-admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    retired = OpinionPhrase.objects.get(text="经现场核查，实际情况与申请材料一致。")
    r = client.post(
        reverse("admin:approvals_opinionphrase_add"),
        {
            "transition": "send_to_decision",
            "text": "经审查，申请人具备相应的人员和设备条件。",
            "order": 9,
            "active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()
    r = client.post(
        reverse("admin:approvals_opinionphrase_change", args=[retired.pk]),
        {"transition": "send_to_decision", "text": retired.text, "order": retired.order},  # 在用 unticked
    )
    assert r.status_code == 302
    latest = OpinionPhrase.objects.get(pk=retired.pk).history.first()
    assert latest.history_user == admin and latest.active is False

    # the reviewer's form offers what the admins keep: the new phrase, not the retired one
    with at(2026, 9, 24):
        case = world.case()
        world.fire(world.clerk, case, "accept")
        world.fire(world.reviewer, case, "start_review")
        client.force_login(world.reviewer)
        html = _page(client, case)
    assert 'value="经审查，申请人具备相应的人员和设备条件。"' in html
    assert 'value="申请材料齐全，符合法定形式。"' in html
    assert 'value="经现场核查，实际情况与申请材料一致。"' not in html

    # the admin's history list says who and why in words, the change under the field's name
    client.force_login(admin)
    html = client.get(reverse("admin:approvals_opinionphrase_history", args=[retired.pk])).content.decode()
    assert "系统初始化" in html and "在用：</strong>" in html
    assert ">seed<" not in html and "active:" not in html


def test_a_later_notice_naming_a_material_found_in_order_is_a_second_notice_art_32(checked, client):
    """行政许可法 Art. 32(4) (一次性告知), DESIGN §3: a later notice may only name materials of the first
    notice whose correction is still faulty. The site proof was corrected and found in order: naming it
    again — even after re-ticking it as faulty — is recorded as a second notice (a conduct alert); naming
    a first-notice material still faulty is not."""
    w = checked
    _corrected(w)
    with at(2026, 9, 25, 10):
        case_check_materials(case=w.c, actor=w.clerk, checks={w.site.pk: {"verdict": "ok"}})
        case_check_materials(
            case=w.c, actor=w.clerk, checks={w.site.pk: {"verdict": "fix", "problem": "又不行"}}
        )
        client.force_login(w.clerk)
        form = _page(client, w.c)
        form = form[form.index('id="request_correction"') :]
        assert "场地证明：又不行（首次告知未列出或已核验合格，勾选将计为二次补正告知）" in form
        r = w.fire(w.clerk, w.c, "request_correction", materials=[{"name": "场地证明", "problem": "又不行"}])
        assert r.status_code == 200
    entry = CaseTransition.objects.get(case=w.c, name="second_correction_notice")
    assert entry.data["materials"] == [{"name": "场地证明", "problem": "又不行"}]

    # the same material still faulty after the supply: a follow-up, not a second notice
    with at(2026, 9, 24):
        other = w.case()
    _file(other, w.site, "场地2.pdf", pdf_variant(b"3"))
    with at(2026, 9, 24, 11):
        w.fire(
            w.clerk, other, "request_correction", materials=[{"name": "场地证明", "problem": "未加盖公章"}]
        )
    with at(2026, 9, 25, 9):
        upload = SimpleUploadedFile("场地-2.pdf", pdf_variant(b"still"), content_type="application/pdf")
        case_supply(case=Case.objects.get(pk=other.pk), actor=w.citizen, files=[(str(w.site.pk), upload)])
    with at(2026, 9, 25, 10):
        case_check_materials(
            case=other, actor=w.clerk, checks={w.site.pk: {"verdict": "fix", "problem": "仍无公章"}}
        )
        w.fire(w.clerk, other, "request_correction", materials=[{"name": "场地证明", "problem": "仍无公章"}])
    assert not CaseTransition.objects.filter(case=other, name="second_correction_notice").exists()
