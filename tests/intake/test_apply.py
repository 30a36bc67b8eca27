"""Apply online: drafts, form validation against the item's definition, modes, submission, receipt."""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Case
from intake.models import Application, FormField
from intake.services.applications import (
    application_add_material,
    application_create_draft,
    application_submit,
    application_update_draft,
)
from portal.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from portal.notifications.models import Notification
from tests.factories import ItemFactory, MaterialFactory, citizen, staff

pytestmark = pytest.mark.django_db
from tests.files import pdf_variant  # noqa: E402

SHANGHAI_EVENING = datetime.datetime(
    2026, 11, 22, 17, 30, tzinfo=datetime.UTC
)  # 01:30 on the 23rd in Shanghai


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item():
    item = ItemFactory(code="SC-101", name="食品经营许可", mode_deferred=True, mode_commitment=True)
    FormField.objects.create(item=item, key="shop", label="店铺名称", kind="text", required=True)
    FormField.objects.create(item=item, key="area", label="经营面积", kind="number", required=True)
    FormField.objects.create(item=item, key="opened", label="开业日期", kind="date", required=False)
    FormField.objects.create(
        item=item, key="kind", label="经营类别", kind="choice", choices="餐饮|零售", required=False
    )
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    item.m_site = MaterialFactory(item=item, name="场地证明", mandatory=True, deferrable=True)
    item.m_extra = MaterialFactory(item=item, name="其他说明", mandatory=False)
    return item


def pdf(name="a.pdf", extra=b""):
    return SimpleUploadedFile(name, pdf_variant(extra))


def complete_draft(item, applicant, **kwargs):
    app = application_create_draft(
        item=item,
        applicant=applicant,
        actor=applicant,
        form_data={"shop": "青禾小馆", "area": "80.5"},
        **kwargs,
    )
    application_add_material(application=app, material=item.m_license, upload=pdf(), actor=applicant)
    application_add_material(application=app, material=item.m_site, upload=pdf(extra=b"2"), actor=applicant)
    return app


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,field",
    [
        ({"area": "很多"}, "area"),
        ({"area": "NaN"}, "area"),
        ({"opened": "2026-02-30"}, "opened"),
        ({"kind": "批发"}, "kind"),
    ],
)
def test_draft_rejects_malformed_values_with_field_messages(item, data, field):
    applicant = citizen()
    app = application_create_draft(item=item, applicant=applicant, actor=applicant)
    with pytest.raises(ApplicationError) as exc:
        application_update_draft(application=app, actor=applicant, form_data=data)
    assert list(exc.value.extra) == [field]
    assert "“" in exc.value.extra[field][0]  # names the field in Chinese


def test_a_draft_may_be_incomplete_but_submission_needs_every_required_field_and_material(item):
    applicant = citizen()
    app = application_create_draft(item=item, applicant=applicant, actor=applicant, form_data={"shop": "x"})
    with pytest.raises(ApplicationError) as exc:
        application_submit(application=app, actor=applicant)
    assert set(exc.value.extra) == {"area", f"material_{item.m_license.pk}", f"material_{item.m_site.pk}"}
    app.refresh_from_db()
    assert app.status == "draft" and app.reference is None and not Case.objects.exists()


def test_submit_gives_a_shanghai_dated_reference_a_frozen_snapshot_a_case_and_a_receipt_notice(
    item, django_capture_on_commit_callbacks
):
    applicant = citizen()
    app = complete_draft(item, applicant)
    with time_machine.travel(SHANGHAI_EVENING, tick=False), django_capture_on_commit_callbacks():
        app = application_submit(application=app, actor=applicant)
    assert app.reference == "SP-20261123-000001"  # the Shanghai date, not the UTC one
    assert app.status == "submitted" and app.submitted_at is not None
    assert app.item_snapshot["name"] == "食品经营许可"
    assert [m["name"] for m in app.item_snapshot["materials"]] == ["营业执照", "场地证明", "其他说明"]
    assert Case.objects.get(application=app).reference == app.reference
    note = Notification.objects.get(recipient=applicant, event="application.received")
    assert note.context == {"reference": app.reference, "item_name": "食品经营许可"}
    with pytest.raises(ConflictError):
        application_submit(application=app, actor=applicant)


def test_serials_count_per_day(item):
    applicant = citizen()
    with time_machine.travel(SHANGHAI_EVENING, tick=False):
        refs = [
            application_submit(application=complete_draft(item, applicant), actor=applicant).reference
            for _ in range(2)
        ]
    with time_machine.travel(SHANGHAI_EVENING + datetime.timedelta(days=1), tick=False):
        refs.append(
            application_submit(application=complete_draft(item, applicant), actor=applicant).reference
        )
    assert refs == ["SP-20261123-000001", "SP-20261123-000002", "SP-20261124-000001"]


def test_a_later_item_edit_leaves_the_snapshot_unchanged(item):
    applicant = citizen()
    app = application_submit(application=complete_draft(item, applicant), actor=applicant)
    item.name, item.promised_limit = "改名事项", 1
    item.save()
    item.m_license.name = "新材料名"
    item.m_license.save()
    FormField.objects.create(item=item, key="new", label="新字段", kind="text", required=True)
    app.refresh_from_db()
    assert app.item_snapshot["name"] == "食品经营许可" and app.item_snapshot["promised_limit"] == 5
    assert app.item_snapshot["materials"][0]["name"] == "营业执照"
    assert "new" not in [f["key"] for f in app.item_snapshot["form_fields"]]


def test_deferred_mode_lets_deferrable_materials_follow_later_but_not_key_ones(item):
    applicant = citizen()
    app = application_create_draft(
        item=item, applicant=applicant, actor=applicant, mode="deferred", form_data={"shop": "x", "area": "1"}
    )
    with pytest.raises(ApplicationError) as exc:
        application_submit(application=app, actor=applicant)
    assert list(exc.value.extra) == [f"material_{item.m_license.pk}"]
    application_add_material(application=app, material=item.m_license, upload=pdf(), actor=applicant)
    assert application_submit(application=app, actor=applicant).reference


def test_deferred_mode_only_where_the_item_allows_it(item):
    applicant = citizen()
    item.mode_deferred = False
    item.save()
    app = application_create_draft(item=item, applicant=applicant, actor=applicant)
    with pytest.raises(ApplicationError) as exc:
        application_update_draft(application=app, actor=applicant, mode="deferred")
    assert "mode" in exc.value.extra


def test_commitment_mode_needs_the_signed_commitment(item):
    applicant = citizen()
    app = complete_draft(item, applicant, mode="commitment")
    with pytest.raises(ApplicationError) as exc:
        application_submit(application=app, actor=applicant)
    assert list(exc.value.extra) == ["commitment_signed"]
    application_update_draft(application=app, actor=applicant, commitment_signed=True)
    assert application_submit(application=app, actor=applicant).status == "submitted"


def test_only_published_items_take_applications(item):
    applicant = citizen()
    app = complete_draft(item, applicant)
    item.status = "retired"
    item.save()
    with pytest.raises(ApplicationError) as exc:
        application_submit(application=app, actor=applicant)
    assert "item" in exc.value.extra
    with pytest.raises(ApplicationError):
        application_create_draft(item=ItemFactory(status="draft"), applicant=applicant, actor=applicant)


def test_nobody_else_changes_a_draft(item):
    owner = citizen()
    app = application_create_draft(item=item, applicant=owner, actor=owner)
    other = citizen(username="other", id_number="110101199003070011")
    with pytest.raises(PermissionDeniedError):
        application_update_draft(application=app, actor=other, form_data={"shop": "y"})
    with pytest.raises(PermissionDeniedError):
        application_add_material(application=app, material=item.m_license, upload=pdf(), actor=other)


# --- pages ---------------------------------------------------------------------------------------


def test_apply_page_creates_then_resumes_the_draft_with_labelled_inputs(client, item):
    applicant = citizen()
    client.force_login(applicant)
    start = client.get(reverse("intake:apply", args=[item.code]))
    assert start.status_code == 200 and 'for="mode-deferred"' in start.content.decode()
    r = client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
    app = Application.objects.get()
    assert r.url == reverse("intake:draft_edit", args=[app.pk])
    assert client.get(reverse("intake:apply", args=[item.code])).url == r.url  # resume, not a second draft
    html = client.get(r.url).content.decode()
    for key in (
        "f_shop",
        "f_area",
        "f_opened",
        "f_kind",
        f"material_{item.m_license.pk}",
        f"material_{item.m_site.pk}",
        "commitment_signed",
        "contact_phone",
        "mode-promised",  # the handling mode: one radio per mode, each labelled
    ):
        assert f'for="{key}"' in html and f'id="{key}"' in html
    assert "可容缺后补" in html


def test_save_as_draft_resume_review_and_submit(client, item):
    applicant = citizen()
    client.force_login(applicant)
    client.post(reverse("intake:apply", args=[item.code]), {"mode": "promised"})
    app = Application.objects.get()
    edit = reverse("intake:draft_edit", args=[app.pk])
    r = client.post(
        edit,
        {
            "f_shop": "青禾小馆",
            "f_area": "abc",
            "mode": "promised",
            "contact_phone": "13912345678",
            "next": "save",
        },
    )
    assert r.status_code == 400 and "“经营面积”应为数字" in r.content.decode()
    r = client.post(
        edit,
        {
            "f_shop": "青禾小馆",
            "f_area": "80",
            "mode": "promised",
            "contact_phone": "13912345678",
            "next": "save",
            f"material_{item.m_license.pk}": pdf("执照.pdf"),
            f"material_{item.m_site.pk}": pdf("场地.pdf", b"x"),
        },
    )
    assert r.url == edit
    drafts = client.get(reverse("intake:my_drafts")).content.decode()
    assert edit in drafts and "食品经营许可" in drafts
    r = client.post(
        edit,
        {
            "f_shop": "青禾小馆",
            "f_area": "80",
            "mode": "promised",
            "contact_phone": "13912345678",
            "next": "review",
        },
    )
    assert r.url == reverse("intake:draft_review", args=[app.pk])
    review = client.get(r.url).content.decode()
    assert "青禾小馆" in review and "执照.pdf" in review and "经营面积" in review
    r = client.post(reverse("intake:draft_review", args=[app.pk]))
    app.refresh_from_db()
    assert r.url == reverse("intake:receipt", args=[app.reference])
    receipt = client.get(r.url).content.decode()
    assert app.reference in receipt and reverse("approvals:case_detail", args=[app.reference]) in receipt
    assert client.get(edit).status_code == 404  # a submitted application is no longer a draft


def test_submit_of_an_incomplete_draft_goes_back_with_messages(client, item):
    applicant = citizen()
    client.force_login(applicant)
    app = application_create_draft(item=item, applicant=applicant, actor=applicant)
    r = client.post(reverse("intake:draft_review", args=[app.pk]), follow=True)
    html = r.content.decode()
    assert "“店铺名称”为必填项" in html and "缺少必要材料：营业执照" in html
    app.refresh_from_db()
    assert app.status == "draft"


def test_only_the_owner_sees_drafts_and_receipts(client, item):
    owner = citizen()
    draft = application_create_draft(item=item, applicant=owner, actor=owner)
    done = application_submit(application=complete_draft(item, owner), actor=owner)
    client.force_login(citizen(username="other", id_number="110101199003070011"))
    for url in (
        reverse("intake:draft_edit", args=[draft.pk]),
        reverse("intake:draft_review", args=[draft.pk]),
        reverse("intake:receipt", args=[done.reference]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("intake:draft_review", args=[draft.pk])).status_code == 404
    assert client.post(reverse("intake:draft_delete", args=[draft.pk])).status_code == 404
    assert "食品经营许可" not in client.get(reverse("intake:my_drafts")).content.decode()
    client.logout()
    assert client.get(reverse("intake:my_drafts")).status_code == 302


def test_staff_are_sent_to_the_window_instead_of_applying_online(client, item):
    client.force_login(staff("clerk"))
    r = client.get(reverse("intake:apply", args=[item.code]))
    assert r.status_code == 302 and not Application.objects.exists()


def test_my_drafts_query_count_is_constant(client, item, django_assert_max_num_queries):
    applicant = citizen()
    client.force_login(applicant)
    application_create_draft(item=item, applicant=applicant, actor=applicant)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("intake:my_drafts"))
    for n in range(15):
        other = ItemFactory(code=f"MORE-{n}")
        application_create_draft(item=other, applicant=applicant, actor=applicant)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("intake:my_drafts")).content.decode()
    assert len(re.findall(r"/applications/\d+/edit/", html)) == 16
