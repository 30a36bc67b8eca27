"""The packages (一件事) in the catalogue's Excel round-trip: an export imports back unchanged (no history),
an edit is imported with history, a bad row is a Chinese error and nothing changes."""

import pytest
from import_export.formats.base_formats import XLSX
from import_export.results import RowResult

from intake.demo import load_catalogue, load_packages
from intake.models import Package
from intake.package_resources import PackageResource


@pytest.fixture
def catalogue(db):
    load_catalogue()
    load_packages()


def _dataset(data: bytes):
    return XLSX().create_dataset(data)


def test_export_then_import_changes_nothing(catalogue):
    data = XLSX().export_data(PackageResource().export())
    dataset = _dataset(data)
    assert dataset.headers[:3] == ["一件事编码", "一件事名称", "办事指南"]
    assert "食品经营许可" not in dataset.dict[0]["包含事项"] and "SCJG-001" in dataset.dict[0]["包含事项"]
    history_before = Package.history.count()
    result = PackageResource().import_data(dataset, dry_run=False)
    assert not result.has_errors()
    assert result.totals[RowResult.IMPORT_TYPE_SKIP] == 3
    assert Package.history.count() == history_before


def test_an_edit_is_imported_with_history_and_a_bad_row_changes_nothing(catalogue):
    dataset = _dataset(XLSX().export_data(PackageResource().export()))
    rows = dataset.dict
    rows[0]["一件事名称"] = "开办餐饮店（新）"
    rows[2]["包含事项"] = "WG-003、SCJG-003"  # 开办旅行社's items in another order
    dataset.dict = rows
    result = PackageResource().import_data(dataset, dry_run=False)
    assert not result.has_errors(), [e.error for r in result.rows for e in r.errors]
    food = Package.objects.get(code="YJS-001")
    assert food.name == "开办餐饮店（新）" and food.history.count() == 2
    assert [pi.item.code for pi in Package.objects.get(code="YJS-003").package_items.all()] == [
        "WG-003",
        "SCJG-003",
    ]
    rows[1]["包含事项"] = "NOPE-1"
    rows[0]["一件事名称"] = "开办餐饮店（再改）"
    dataset.dict = rows
    result = PackageResource().import_data(dataset, dry_run=False)
    assert result.has_errors()
    messages = " ".join(str(e.error) for r in result.rows for e in r.errors)
    assert "没有这些事项编码：NOPE-1" in messages
    assert Package.objects.get(code="YJS-002").package_items.count() == 3
    assert Package.objects.get(code="YJS-001").name == "开办餐饮店（新）"  # the whole import rolled back
