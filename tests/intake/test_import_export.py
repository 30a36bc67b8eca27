import pytest
import tablib

from intake import demo
from intake.models import Item, Material
from intake.resources import ItemResource, catalogue_import
from intake.services.catalogue import item_publish, item_retire
from portal.audit import audited_save
from portal.exceptions import ConflictError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    demo.load_catalogue()


def test_export_then_import_reproduces_the_catalogue(catalogue):
    dataset = ItemResource().export()
    assert len(dataset) == Item.objects.count()
    snapshot = {
        i.code: (
            i.name,
            i.statutory_limit,
            i.promised_limit,
            i.modes,
            [(m.name, m.form, m.mandatory, m.deferrable) for m in i.materials.all()],
            [(s.name, s.limit_days) for s in i.steps.all()],
            sorted(d.code for d in i.co_departments.all()),
        )
        for i in Item.objects.prefetch_related("materials", "steps", "co_departments")
    }
    Material.objects.all().delete()
    Item.objects.update(name="改坏了")
    for fmt in ("csv", "xlsx"):
        data = tablib.Dataset().load(dataset.export(fmt), format=fmt)
        result = catalogue_import(data)
        assert not result.has_errors() and not result.has_validation_errors()
    again = {
        i.code: (
            i.name,
            i.statutory_limit,
            i.promised_limit,
            i.modes,
            [(m.name, m.form, m.mandatory, m.deferrable) for m in i.materials.all()],
            [(s.name, s.limit_days) for s in i.steps.all()],
            sorted(d.code for d in i.co_departments.all()),
        )
        for i in Item.objects.prefetch_related("materials", "steps", "co_departments")
    }
    assert again == snapshot


def test_a_bad_file_imports_nothing_and_reports_each_row(catalogue):
    dataset = ItemResource().export()
    rows = dataset.dict
    rows[0]["promised_limit"] = int(rows[0]["statutory_limit"]) + 5  # promised > statutory
    rows[1]["materials"] = "营业执照|scroll|1|1|0"
    rows[2]["department"] = "NOPE"
    new = dict(rows[3], code="NEW-001", name="新事项")
    rows.append(new)
    bad = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        bad.append([row[h] for h in dataset.headers])
    before = (
        Item.objects.count(),
        Material.objects.count(),
        Item.objects.get(code=rows[0]["code"]).promised_limit,
    )
    result = catalogue_import(bad)
    assert result.has_validation_errors()
    bad_rows = {r.number for r in result.invalid_rows}
    assert {1, 2, 3} <= bad_rows
    messages = str([r.error_dict for r in result.invalid_rows])
    assert "承诺时限不得超过法定时限" in messages and "材料格式" in messages and "未知的部门代码" in messages
    assert (
        Item.objects.count(),
        Material.objects.count(),
        Item.objects.get(code=rows[0]["code"]).promised_limit,
    ) == before
    assert not Item.objects.filter(code="NEW-001").exists()


def test_admin_import_page_and_history_with_revert(catalogue, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/intake/item/import/").status_code == 200
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


def test_item_life_draft_published_retired(catalogue):
    draft = Item.objects.get(status="draft")
    actor = UserFactory(role="catalogue_admin")
    item = item_publish(item=draft, actor=actor, reason="审核通过")
    assert item.status == "published" and item.history.latest().history_change_reason == "审核通过"
    with pytest.raises(ConflictError):
        item_publish(item=item, actor=actor)
    item = item_retire(item=item, actor=actor, reason="事项取消")
    assert item.status == "retired"
    assert item.history.latest().history_user == actor


def test_co_department_limits_travel_with_the_sheet_and_must_fit_the_promise(catalogue):
    """DESIGN §2 并联: a co-department's own limit is written ``ZRZYJ:2`` in the co_departments cell; it round
    trips, and a limit longer than the item's promised limit is refused with nothing imported."""
    dataset = ItemResource().export()
    rows = dataset.dict
    zj = next(r for r in rows if r["code"] == "ZJ-001")  # promised 3 working days, co-department ZRZYJ
    assert zj["co_departments"] == "ZRZYJ:2"
    zj["co_departments"] = "ZRZYJ:3"
    good = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        good.append([row[h] for h in dataset.headers])
    assert not catalogue_import(good).has_validation_errors()
    assert Item.objects.get(code="ZJ-001").co_department_limits == {"ZRZYJ": 3}
    zj["co_departments"] = "ZRZYJ:9"
    bad = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        bad.append([row[h] for h in dataset.headers])
    result = catalogue_import(bad)
    assert result.has_validation_errors()
    assert "不得超过承诺时限" in str([r.error_dict for r in result.invalid_rows])
    assert Item.objects.get(code="ZJ-001").co_department_limits == {"ZRZYJ": 3}


def test_the_review_points_go_out_and_come_back(catalogue):
    """Issue 16: the item's review points (审查要点) are part of the catalogue's round-trip."""
    points = Item.objects.get(code="SCJG-001").review_points
    assert "食品安全管理人员" in points  # the demo catalogue has them
    dataset = ItemResource().export()
    Item.objects.update(review_points="")
    data = tablib.Dataset().load(dataset.export("xlsx"), format="xlsx")
    result = catalogue_import(data)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Item.objects.get(code="SCJG-001").review_points == points
