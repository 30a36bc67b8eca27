"""Importing the catalogue keeps materials, steps and form fields in place (DESIGN §2: "a case keeps a
snapshot of its item's terms"; "every edit is kept in history"): drafts and filed cases keep the links of
their uploaded files, unchanged rows write nothing, edits are in the item's history and a revert of the item
restores them."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Case
from intake import demo
from intake.constants import ApplicationStatus
from intake.models import ApplicationMaterial, FormField, Item, Material, Step
from intake.services.applications import (
    application_add_material,
    application_create_draft,
    application_submit,
)
from portal.accounts.constants import Role
from tests.factories import UserFactory, citizen, staff
from tests.intake.workbook import export_workbook, find, import_through_the_admin, rows, set_cell, upload

pytestmark = pytest.mark.django_db
from tests.files import pdf_variant  # noqa: E402

MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
CODE = "SCJG-001"  # 食品经营许可: five mandatory materials, four steps, three form fields


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world():
    """The sample catalogue, a filed case and a complete draft of the same item, both with their files."""
    with time_machine.travel(MONDAY, tick=False):
        demo.load_catalogue()
        item = Item.objects.get(code=CODE)
        filed = _complete_draft(item, citizen(username="filer", id_number="110105194912310037"))
        filed = application_submit(application=filed, actor=filed.applicant)
        draft = _complete_draft(item, citizen(username="drafter", id_number="11010519491231002X"))
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    return {"item": item, "case": Case.objects.get(application=filed), "draft": draft, "admin": admin}


def _complete_draft(item, applicant):
    app = application_create_draft(
        item=item,
        applicant=applicant,
        actor=applicant,
        form_data={"shop_name": "青禾小馆", "area": "80", "category": "预包装食品销售"},
    )
    for n, m in enumerate(item.materials.all()):
        upload = SimpleUploadedFile(f"m{n}.pdf", pdf_variant(m.name.encode()))
        application_add_material(application=app, material=m, upload=upload, actor=applicant)
    return app


def _links(application):
    return sorted(
        ApplicationMaterial.objects.filter(application=application).values_list(
            "material_id", "material_name"
        )
    )


def _submit_on_the_page(client, draft):
    client.force_login(draft.applicant)
    response = client.post(reverse("intake:draft_review", args=[draft.pk]))
    draft.refresh_from_db()
    return response, draft


def test_reimporting_the_unchanged_catalogue_keeps_every_link_and_writes_no_history(world, client):
    """DESIGN §2 / issue 15: an import of the same sheet deletes and re-creates nothing; the rows are
    skipped; the draft still submits and the filed case's files still name their materials."""
    case, draft = world["case"], world["draft"]
    rows_before = {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Material, Step, FormField)
    }
    history_before = (
        Item.history.count(),
        Material.history.count(),
        Step.history.count(),
        FormField.history.count(),
    )
    case_links, draft_links = _links(case.application), _links(draft)
    assert all(pk for pk, _name in case_links + draft_links)

    client.force_login(world["admin"])
    result = import_through_the_admin(client, export_workbook(client))

    assert {row.import_type for row in result.rows} == {"skip"}
    assert {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Material, Step, FormField)
    } == rows_before
    assert (
        Item.history.count(),
        Material.history.count(),
        Step.history.count(),
        FormField.history.count(),
    ) == history_before
    assert _links(case.application) == case_links and _links(draft) == draft_links
    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        response, draft = _submit_on_the_page(client, draft)
    assert response.status_code == 302 and response["Location"].startswith("/applications/receipt/")
    assert draft.status == ApplicationStatus.SUBMITTED


def test_an_edited_sheet_updates_rows_in_place_retires_removed_ones_and_revert_restores_them(world, client):
    """DESIGN §2 / issue 15: materials, steps and form fields are updated in place by their key, a removed
    one is retired (never deleted while files refer to it), the edit is in the item's history, and the
    item's revert restores the rows."""
    item, case, draft = world["item"], world["case"], world["draft"]
    licence = Material.objects.get(item=item, name="营业执照")
    plan = Material.objects.get(item=item, name="经营场所平面图")
    review = Step.objects.get(item=item, name="审查")
    case_links = _links(case.application)

    client.force_login(world["admin"])
    book = export_workbook(client)
    materials, steps = book["申请材料"], book["办理环节"]
    row = find(materials, 事项编码=CODE, 材料名称="营业执照")["_row"]
    set_cell(materials, row, "材料名称", "营业执照（副本）")
    set_cell(materials, row, "份数", 2)
    materials.delete_rows(find(materials, 事项编码=CODE, 材料名称="经营场所平面图")["_row"])
    set_cell(steps, find(steps, 事项编码=CODE, 环节名称="审查")["_row"], "环节时限（工作日）", 3)

    with time_machine.travel(MONDAY + datetime.timedelta(hours=2), tick=False):
        result = import_through_the_admin(client, book)
    assert [r.import_type for r in result.rows].count("update") == 1  # only the edited item is saved

    licence.refresh_from_db(), plan.refresh_from_db(), review.refresh_from_db()
    assert (licence.name, licence.count, licence.active) == ("营业执照（副本）", 2, True)  # same row, edited
    assert plan.active is False  # retired, not deleted: the files uploaded for it keep their link
    assert review.limit_days == 3
    assert _links(case.application)[0][0] is not None and [pk for pk, _ in _links(case.application)] == [
        pk for pk, _ in case_links
    ]
    # the guide no longer asks for the retired material; the filed case still lists and serves its file
    guide = client.get(reverse("intake:item_detail", args=[CODE])).content.decode()
    assert "营业执照（副本）" in guide and "经营场所平面图" not in guide
    clerk = staff(Role.CLERK)
    client.force_login(clerk)
    page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
    assert "经营场所平面图" in page
    row_of_plan = ApplicationMaterial.objects.get(application=case.application, material=plan)
    assert client.get(reverse("intake:material_download", args=[row_of_plan.pk])).status_code == 200

    # the draft, made before the edit, still submits on its page
    with time_machine.travel(MONDAY + datetime.timedelta(hours=3), tick=False):
        response, draft = _submit_on_the_page(client, draft)
    assert response.status_code == 302 and draft.status == ApplicationStatus.SUBMITTED
    assert {m["name"] for m in draft.item_snapshot["materials"]} == {m.name for m in item.current_materials}

    # the item's history shows the edit
    client.force_login(world["admin"])
    history = client.get(reverse("admin:intake_item_history", args=[item.pk])).content.decode()
    assert "目录导入" in history and "份数 1→2" in history and "停用材料“经营场所平面图”" in history
    record = item.history.order_by("-history_date", "-history_id").first()
    assert {m["name"] for m in record.catalogue_rows["materials"] if m["active"]} == {
        m.name for m in item.current_materials
    }

    # revert the item to the version before the import: its rows come back, in place
    before = item.history.filter(history_date__lt=MONDAY + datetime.timedelta(hours=2)).order_by(
        "-history_date", "-history_id"
    )[0]
    url = reverse("admin:intake_item_simple_history", args=[item.pk, before.history_id])
    form = client.get(url).context["adminform"].form
    response = client.post(url, _form_data(form))
    assert response.status_code == 302, response.content.decode()[:2000]
    licence.refresh_from_db(), plan.refresh_from_db(), review.refresh_from_db()
    assert (licence.name, licence.count) == ("营业执照", 1)
    assert plan.active is True and review.limit_days == 2
    assert Material.objects.filter(item=item).count() == 5  # nothing re-created
    assert "恢复为" in item.history.order_by("-history_date", "-history_id").first().history_change_reason


def test_a_sheet_without_keys_matches_rows_by_name_and_rejects_duplicate_keys(world, client):
    """A sheet without its key column still updates in place, rows matched by name."""
    item = world["item"]
    pks = sorted(Material.objects.filter(item=item).values_list("pk", flat=True))
    client.force_login(world["admin"])
    book = export_workbook(client)
    for name in ("申请材料", "办理环节"):  # no key column at all
        book[name].delete_cols([c.value for c in book[name][1]].index(f"{name[2:4]}标识") + 1)
    result = import_through_the_admin(client, book)
    assert {r.import_type for r in result.rows} == {"skip"}
    assert sorted(Material.objects.filter(item=item).values_list("pk", flat=True)) == pks

    book = export_workbook(client)
    materials = book["申请材料"]
    mine = [r for r in rows(materials) if r["事项编码"] == CODE]
    set_cell(materials, mine[1]["_row"], "材料标识", mine[0]["材料标识"])
    page = upload(client, book).content.decode()
    assert (
        f"「申请材料」表第 {mine[1]['_row']} 行「材料标识」列：同一事项内标识不能重复："
        f"“{mine[0]['材料标识']}”已用于第 {mine[0]['_row']} 行" in page
    )


def _form_data(form):
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = value
    return data
