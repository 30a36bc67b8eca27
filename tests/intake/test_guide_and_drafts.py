"""The item guide and the applicant's pages (issue 16): the guide's sections, the 在线办理 button only for
online items, one plain line per handling mode, "check your answers" listing what is missing, the receipt's
answer-by date, deleting a draft only after a confirmation, the personal centre, materials shown inline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.models import Application, FormField
from intake.services.applications import application_add_material, application_create_draft
from tests.factories import ItemFactory, MaterialFactory, citizen

pytestmark = pytest.mark.django_db
from tests.files import PDF  # noqa: E402


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def item():
    item = ItemFactory(code="SC-201", name="食品经营许可", mode_deferred=True)
    FormField.objects.create(item=item, key="shop", label="店铺名称", kind="text", required=True)
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    return item


def test_the_guide_has_the_usual_sections_and_the_button_only_when_online(client, item):
    page = client.get(reverse("intake:item_detail", args=[item.code])).content.decode()
    for section in ("基本信息", "申请材料", "办理流程", "收费", "设定依据", "常见问题"):
        assert f">{section}</a>" in page, section
    assert "在线办理" in page and reverse("intake:apply", args=[item.code]) in page
    assert "次要材料暂缺也可先受理" in page  # 容缺受理 in one plain line
    item.online = False
    item.save()
    page = client.get(reverse("intake:item_detail", args=[item.code])).content.decode()
    assert "在线办理" not in page and "本事项不能在线申请" in page
    client.force_login(citizen())
    r = client.get(reverse("intake:apply", args=[item.code]))
    assert r.status_code == 302 and not Application.objects.exists()


def test_check_your_answers_lists_everything_missing_before_the_submit_button(client, item):
    applicant = citizen()
    app = application_create_draft(item=item, applicant=applicant, actor=applicant)
    client.force_login(applicant)
    page = client.get(reverse("intake:draft_review", args=[app.pk])).content.decode()
    assert "还缺少 2 项内容" in page and "店铺名称" in page and "缺少必要材料：营业执照" in page
    assert f"#material_{item.m_license.pk}" in page and "#f_shop" in page
    assert "确认提交" not in page
    app.form_data = {"shop": "青禾小馆"}
    app.save()
    application_add_material(
        application=app, material=item.m_license, upload=SimpleUploadedFile("a.pdf", PDF), actor=applicant
    )
    page = client.get(reverse("intake:draft_review", args=[app.pk])).content.decode()
    assert "还缺少" not in page and "确认提交" in page


def test_a_draft_is_deleted_only_after_confirming(client, item):
    applicant = citizen()
    app = application_create_draft(item=item, applicant=applicant, actor=applicant)
    client.force_login(applicant)
    page = client.get(reverse("intake:draft_delete", args=[app.pk])).content.decode()
    assert "确定删除“食品经营许可”的草稿吗？" in page and Application.objects.filter(pk=app.pk).exists()
    assert client.post(reverse("intake:draft_delete", args=[app.pk])).status_code == 302
    assert not Application.objects.filter(pk=app.pk).exists()


def test_the_personal_centre_gathers_the_applicants_things(client):
    applicant = citizen()
    client.force_login(applicant)
    page = client.get(reverse("centre")).content.decode()
    for part in ("我的办件", "我的消息", "我的评价", "我的投诉", "我的证照"):
        assert part in page
    assert "还没有电子证照" in page  # no licences yet (DESIGN §12: 我的证照 is one of the centre's parts)
