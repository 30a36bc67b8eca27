"""The catalogue's Excel round-trip, made for people (issue 16): one workbook with Chinese headers and
values, materials / steps / form fields each on their own sheet one row per entry, row errors in Chinese
naming the sheet, the row and the column, and an import of the export that changes nothing. All through
the admin's export and import pages."""

import re

import pytest
from django.urls import reverse

from intake import demo
from intake.models import FormField, Item, Material, Step
from intake.services.catalogue import item_publish, item_retire
from portal.audit import audited_save
from portal.exceptions import ConflictError
from tests.factories import UserFactory
from tests.intake.workbook import export_workbook, find, import_through_the_admin, rows, set_cell, upload

pytestmark = pytest.mark.django_db

# values that must never reach the sheet: the codes behind the Chinese names
RAW_CODES = {
    "working", "natural", "published", "draft", "retired", "license", "service", "original", "copy",
    "both", "electronic", "intake", "review", "decision", "delivery", "text", "number", "date", "choice",
    "instant", "promised", "deferred", "commitment", "parallel", "True", "False", "SCJGJ", "ZJJ",
}  # fmt: skip


@pytest.fixture
def admin_client(client):
    demo.load_catalogue()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _catalogue():
    """Everything an import could change, by item code."""
    return {
        i.code: (
            [getattr(i, f.attname) for f in Item._meta.concrete_fields if f.name != "updated_at"],
            sorted(d.code for d in i.co_departments.all()),
            sorted(t.code for t in i.themes.all()),
            [
                (m.pk, m.key, m.name, m.form, m.count, m.mandatory, m.deferrable, m.note, m.order, m.active)
                for m in i.materials.all()
            ],
            [(s.pk, s.key, s.name, s.role, s.limit_days, s.order, s.active) for s in i.steps.all()],
            [
                (f.pk, f.key, f.label, f.kind, f.choices, f.required, f.help_text, f.order, f.active)
                for f in i.form_fields.all()
            ],
        )  # fmt: skip
        for i in Item.objects.prefetch_related(
            "materials", "steps", "form_fields", "co_departments", "themes"
        )
    }


def _history_counts():
    return tuple(m.history.count() for m in (Item, Material, Step, FormField))


def test_the_export_is_a_workbook_for_people(admin_client):
    """Items on one sheet, each material, step and form field on its own row of its own sheet; Chinese
    headers; 是/否, 工作日, choices and departments by their Chinese names, never their codes."""
    book = export_workbook(admin_client)
    assert book.sheetnames == ["事项", "申请材料", "办理环节", "表单字段", "填写说明"]
    items = rows(book["事项"])
    assert len(items) == Item.objects.count()
    headers = [c.value for c in book["事项"][1]]
    assert headers[:6] == ["事项编码", "事项名称", "英文名称", "实施部门", "事项类型", "状态"]
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in headers)
    food = find(book["事项"], 事项编码="SCJG-001")
    assert (food["实施部门"], food["事项类型"], food["状态"], food["时限单位"], food["可全程网办"]) == (
        "市场监督管理局", "行政许可", "已发布", "工作日", "是",
    )  # fmt: skip
    assert food["办理方式"] == "承诺件、容缺受理、告知承诺" and food["主题"] == "开办企业"
    parallel = Item.objects.filter(mode_parallel=True).exclude(co_departments=None).first()
    row = find(book["事项"], 事项编码=parallel.code)
    limits = parallel.co_department_limits or {}
    assert row["协办部门"] == "、".join(
        f"{d.name}：{limits[d.code]}" if d.code in limits else d.name for d in parallel.co_departments.all()
    )

    materials = [r for r in rows(book["申请材料"]) if r["事项编码"] == "SCJG-001"]
    item = Item.objects.get(code="SCJG-001")
    assert [r["材料名称"] for r in materials] == [m.name for m in item.current_materials]
    licence = next(r for r in materials if r["材料名称"] == "营业执照")
    assert (licence["事项名称"], licence["材料形式"], licence["份数"], licence["必要"], licence["可容缺后补"]) == (
        "食品经营许可", "复印件", 1, "是", "否",
    )  # fmt: skip
    steps = [r for r in rows(book["办理环节"]) if r["事项编码"] == "SCJG-001"]
    assert [(r["环节名称"], r["环节岗位"], r["环节时限（工作日）"]) for r in steps] == [
        ("受理", "受理", 1), ("审查", "审查", 2), ("决定", "决定", 1), ("送达", "送达", 1),
    ]  # fmt: skip
    category = find(book["表单字段"], 事项编码="SCJG-001", 字段标识="category")
    assert (category["类型"], category["必填"]) == ("选择", "是")
    assert category["可选值"] == "预包装食品销售、散装食品销售、热食类食品制售、冷食类食品制售"

    for name in ("事项", "申请材料", "办理环节", "表单字段"):
        cells = {str(v) for r in rows(book[name]) for k, v in r.items() if k != "_row" and v is not None}
        assert not cells & RAW_CODES, (name, cells & RAW_CODES)


def test_importing_the_export_changes_nothing_and_writes_no_history(admin_client):
    """Export → import of the export is a no-op: every item skipped, no row saved, no history entry."""
    before, history = _catalogue(), _history_counts()
    book = export_workbook(admin_client)
    preview = upload(admin_client, book)
    page = preview.content.decode()
    total = Item.objects.count()
    assert f"新增 0 个事项，更新 0 个，未改动 {total} 个" in page
    result = import_through_the_admin(admin_client, book)
    assert {r.import_type for r in result.rows} == {"skip"}
    assert _catalogue() == before
    assert _history_counts() == history
    changelist = admin_client.get(reverse("admin:intake_item_changelist")).content.decode()
    assert f"未改动 {total} 个" in changelist  # the message after the import


def test_an_edited_workbook_updates_only_what_changed(admin_client):
    """A count changed, a material added, a step removed, a mode added: the item is updated in place, the
    preview says what changes in words, and only that item gets a history entry."""
    item = Item.objects.get(code="SCJG-001")
    licence = Material.objects.get(item=item, name="营业执照")
    delivery = Step.objects.get(item=item, name="送达")
    book = export_workbook(admin_client)
    set_cell(
        book["申请材料"], find(book["申请材料"], 事项编码="SCJG-001", 材料名称="营业执照")["_row"], "份数", 2
    )
    book["申请材料"].append(
        ["SCJG-001", "食品经营许可", None, "健康证明", "复印件", 1, "是", "否", "从业人员"]
    )
    book["办理环节"].delete_rows(find(book["办理环节"], 事项编码="SCJG-001", 环节名称="送达")["_row"])
    row = find(book["事项"], 事项编码="SCJG-001")["_row"]
    set_cell(book["事项"], row, "办理方式", "承诺件、容缺受理、告知承诺、即办件")
    set_cell(book["事项"], row, "承诺时限", 0)
    history = item.history.count()

    preview = upload(admin_client, book).content.decode()
    assert "新增 0 个事项，更新 1 个" in preview
    assert "申请材料" in preview and "健康证明" in preview and "办理方式" in preview
    import_through_the_admin(admin_client, book)

    licence.refresh_from_db(), delivery.refresh_from_db(), item.refresh_from_db()
    assert licence.count == 2 and delivery.active is False  # same rows, edited and retired
    new = Material.objects.get(item=item, name="健康证明")
    assert (new.form, new.mandatory, new.note, new.key) == ("copy", True, "从业人员", "m6")
    assert item.mode_instant and item.promised_limit == 0
    assert item.history.count() == history + 1
    assert "份数 1→2" in item.history.latest().history_change_reason
    assert Item.history.filter(code="SCJG-002").count() == Item.objects.get(code="SCJG-002").history.count()


def test_a_new_item_with_its_rows_is_created_from_the_workbook(admin_client):
    book = export_workbook(admin_client)
    source = find(book["事项"], 事项编码="SCJG-001")
    header = [c.value for c in book["事项"][1]]
    book["事项"].append([{"事项编码": "NEW-001", "事项名称": "新事项"}.get(h, source.get(h)) for h in header])
    book["申请材料"].append(["NEW-001", "新事项", None, "申请书", "原件", 1, "是", "否", None])
    book["办理环节"].append(["NEW-001", "新事项", None, "受理", "受理", 1])
    import_through_the_admin(admin_client, book)
    item = Item.objects.get(code="NEW-001")
    assert [m.name for m in item.materials.all()] == ["申请书"]
    assert [s.role for s in item.steps.all()] == ["intake"]
    assert item.form_fields.count() == 0 and item.department.name == "市场监督管理局"


def test_row_errors_name_the_sheet_row_and_column_in_chinese_and_nothing_is_imported(admin_client):
    """Wrong values anywhere: each error says where (sheet, row, column) and what to write, in Chinese;
    no decimal.ConversionSyntax, no traceback, no field keys; the whole file is refused."""
    before, history = _catalogue(), _history_counts()
    book = export_workbook(admin_client)
    items, materials, fields = book["事项"], book["申请材料"], book["表单字段"]
    first = find(items, 事项编码="SCJG-001")["_row"]
    set_cell(items, first, "承诺时限", 30)  # > 法定时限 20
    second = rows(items)[1]["_row"]
    set_cell(items, second, "法定时限", "二十")  # not a number: once decimal.ConversionSyntax
    set_cell(items, second, "可全程网办", "也许")
    third = rows(items)[2]["_row"]
    set_cell(items, third, "实施部门", "不存在局")
    set_cell(items, third, "办理方式", "承诺件、加急件")
    licence = find(materials, 事项编码="SCJG-001", 材料名称="营业执照")["_row"]
    set_cell(materials, licence, "材料形式", "卷轴")
    set_cell(materials, licence, "份数", "两份")
    category = find(fields, 事项编码="SCJG-001", 字段标识="category")["_row"]
    set_cell(fields, category, "可选值", None)

    response = upload(admin_client, book)
    page = response.content.decode()
    assert "confirm_form" not in response.context
    assert "整个文件都没有导入" in page
    for expected in (
        f"「事项」表第 {first} 行「承诺时限」列：承诺时限不得超过法定时限。",
        f"「事项」表第 {second} 行「法定时限」列：应填写整数（如 5），现为“二十”",
        f"「事项」表第 {second} 行「可全程网办」列：应填写“是”或“否”，现为“也许”",
        f"「事项」表第 {third} 行「实施部门」列：没有名为“不存在局”的部门",
        f"「事项」表第 {third} 行「办理方式」列：应填写 即办件、承诺件、容缺受理、告知承诺、并联审批 之一，现为“加急件”",
        f"「申请材料」表第 {licence} 行「材料形式」列：应填写 原件、复印件、原件和复印件、电子材料 之一，现为“卷轴”",
        f"「申请材料」表第 {licence} 行「份数」列：应填写整数（如 5），现为“两份”",
        f"「表单字段」表第 {category} 行「可选值」列：类型为“选择”的字段须列出可选值",
    ):
        assert expected in page, expected
    for leak in (
        "ConversionSyntax",
        "Traceback",
        "promised_limit",
        "statutory_limit",
        "materials",
        "__all__",
    ):
        assert leak not in page, leak
    assert _catalogue() == before and _history_counts() == history


def test_a_workbook_that_cannot_be_read_is_refused_beside_the_file_field(admin_client):
    book = export_workbook(admin_client)
    book["申请材料"].append(["NOPE-9", "", None, "某材料", "原件", 1, "是", "否", None])
    orphan = book["申请材料"].max_row
    page = upload(admin_client, book).content.decode()
    assert f"「申请材料」表第 {orphan} 行的事项编码“NOPE-9”不在「事项」表中。" in page

    book = export_workbook(admin_client)
    book["事项"].title = "Sheet1"
    page = upload(admin_client, book).content.decode()
    assert "工作簿中没有「事项」工作表。" in page and "encountered" not in page


def test_a_sheet_left_out_leaves_those_rows_as_they_are(admin_client):
    before, history = _catalogue(), _history_counts()
    book = export_workbook(admin_client)
    del book["表单字段"], book["办理环节"]
    result = import_through_the_admin(admin_client, book)
    assert {r.import_type for r in result.rows} == {"skip"}
    assert _catalogue() == before and _history_counts() == history


def test_admin_import_page_and_history_with_revert(admin_client):
    client = admin_client
    page = client.get("/admin/intake/item/import/").content.decode()
    assert "Excel 工作簿（.xlsx）" in page and "填写说明" in page
    assert client.get("/admin/intake/item/export/").status_code == 200
    item = Item.objects.get(name="食品经营许可")
    r = client.get(f"/admin/intake/item/{item.pk}/change/")
    assert r.status_code == 200 and "营业执照" in r.content.decode()  # inline materials
    item.promised_limit = 3
    audited_save(item, actor=None, reason="压缩承诺时限")
    history = client.get(f"/admin/intake/item/{item.pk}/history/").content.decode()
    assert "压缩承诺时限" in history
    first = item.history.earliest()
    assert client.get(f"/admin/intake/item/{item.pk}/history/{first.history_id}/").status_code == 200


def test_item_life_draft_published_retired():
    demo.load_catalogue()
    draft = Item.objects.get(status="draft")
    actor = UserFactory(role="catalogue_admin")
    item = item_publish(item=draft, actor=actor, reason="审核通过")
    assert item.status == "published" and item.history.latest().history_change_reason == "审核通过"
    with pytest.raises(ConflictError):
        item_publish(item=item, actor=actor)
    item = item_retire(item=item, actor=actor, reason="事项取消")
    assert item.status == "retired"
    assert item.history.latest().history_user == actor


def test_the_import_page_in_english_counts_items_with_plurals(admin_client):
    """English pages with correct plurals: one item with errors, then two."""
    admin_client.cookies["django_language"] = "en"
    book = export_workbook(admin_client)
    items = book["事项"]
    first, second = rows(items)[0]["_row"], rows(items)[1]["_row"]
    set_cell(items, first, "法定时限", "二十")
    page = upload(admin_client, book).content.decode()
    assert "1 item has errors: nothing in the file was imported" in page
    set_cell(items, second, "法定时限", "二十")
    page = upload(admin_client, book).content.decode()
    assert "2 items have errors: nothing in the file was imported" in page


def test_co_department_limits_travel_with_the_sheet_and_must_fit_the_promise(admin_client):
    """DESIGN §3 并联: a co-department's own limit is written "部门名称：2" in the 协办部门 cell; it round
    trips, and a limit longer than the item's promised limit is refused naming the cell, nothing imported."""
    item = Item.objects.get(code="ZJ-001")  # promised 3 working days, one co-department with 2
    (co,) = item.co_departments.all()
    assert item.co_department_limits == {co.code: 2}
    book = export_workbook(admin_client)
    row = find(book["事项"], 事项编码="ZJ-001")
    assert row["协办部门"] == f"{co.name}：2"
    set_cell(book["事项"], row["_row"], "协办部门", f"{co.name}:3")
    import_through_the_admin(admin_client, book)
    item.refresh_from_db()
    assert item.co_department_limits == {co.code: 3}

    before, history = _catalogue(), _history_counts()
    book = export_workbook(admin_client)
    row = find(book["事项"], 事项编码="ZJ-001")
    set_cell(book["事项"], row["_row"], "协办部门", f"{co.name}：9")
    page = upload(admin_client, book).content.decode()
    assert f"「事项」表第 {row['_row']} 行「协办部门」列" in page and "不得超过承诺时限" in page
    assert _catalogue() == before and _history_counts() == history
    item.refresh_from_db()
    assert item.co_department_limits == {co.code: 3}


def test_the_review_points_go_out_and_come_back(admin_client):
    """Issue 16: the item's review points (审查要点) are part of the catalogue's round-trip."""
    points = Item.objects.get(code="SCJG-001").review_points
    assert "食品安全管理人员" in points  # the demo catalogue has them
    book = export_workbook(admin_client)
    assert find(book["事项"], 事项编码="SCJG-001")["审查要点"] == points
    Item.objects.update(review_points="")
    import_through_the_admin(admin_client, book)
    assert Item.objects.get(code="SCJG-001").review_points == points
