"""Legacy import: all errors with row numbers, nothing imported on error; dates from the calendar."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals.constants import CaseState
from approvals.models import Case
from intake.constants import ItemStatus
from intake.models import Application, Item
from portal.accounts.models import Department
from supervision.legacy import COLUMNS
from tests.factories import DepartmentFactory, ItemFactory

D = datetime.date
HEADER = ",".join(COLUMNS)


def _write(tmp_path, lines):
    path = tmp_path / "legacy.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


GOOD = [
    # suspension over the Qingming holiday: 26,27,30,31 March + 9,10 April = 6 working days
    "LG-0001,OLD-ITEM-1,旧事项甲,OLD-D1,旧部门甲,10,8,working,张三,2026-03-24 09:00,2026-03-25 10:00,"
    "2026-04-10 16:00,approved,2026-03-31/2026-04-08,5",
    "LG-0002,OLD-ITEM-1,旧事项甲,OLD-D1,旧部门甲,10,8,working,李四,2026-03-24 09:00,2026-03-25 10:00,"
    "2026-04-20 16:00,denied,,2",
    "LG-0003,KNOWN-1,,KNOWN-D,,20,5,natural,王五,2026-03-01 09:00,2026-03-02 10:00,,open,,",
    "LG-0004,OLD-ITEM-2,旧事项乙,OLD-D2,旧部门乙,20,5,working,赵六,2026-03-01 09:00,2026-03-02 10:00,"
    "2026-03-05 10:00,withdrawn,,",
]


@pytest.fixture
def known(calendar):
    dept = DepartmentFactory(code="KNOWN-D", name="已有部门")
    return ItemFactory(code="KNOWN-1", department=dept)


def test_import_ok(tmp_path, known):
    out = io.StringIO()
    call_command("import_cases", _write(tmp_path, GOOD), "--batch-size", "3", stdout=out)
    assert "导入完成：4 件" in out.getvalue()
    c1 = Case.objects.get(reference="LG-0001")
    assert c1.state == CaseState.APPROVED and c1.outcome == "approved"
    assert (c1.accepted_on, c1.concluded_on, c1.elapsed_days) == (D(2026, 3, 25), D(2026, 4, 10), 6)
    assert c1.promised_due == D(2026, 4, 14) and c1.statutory_due == D(2026, 4, 16)
    assert c1.suspended_days == 5  # 1, 2, 3, 7 and 8 April: working days inside the suspension
    assert c1.item.status == ItemStatus.RETIRED and c1.department.is_legacy and not c1.department.is_active
    c3 = Case.objects.get(reference="LG-0003")
    assert c3.state == CaseState.ACCEPTED and c3.item == known and c3.promised_due == D(2026, 3, 7)
    assert Case.objects.get(reference="LG-0004").state == CaseState.WITHDRAWN
    assert Department.objects.filter(is_legacy=True).count() == 2
    assert Item.objects.filter(code__startswith="OLD-").count() == 2
    assert Application.objects.get(reference="LG-0002").channel == "legacy"
    from django.apps import apps

    try:
        rating = apps.get_model("complaints", "Rating")
        rating._meta.get_field("case")
    except Exception:  # noqa: BLE001 - complaints has no ratings yet
        return
    assert sorted(rating.objects.values_list("overall", flat=True)) == [2, 5]


def test_import_reports_all_errors_and_imports_nothing(tmp_path, known):
    bad = GOOD + [
        "LG-0001,X,,D,,10,8,working,a,2026-03-01 09:00,2026-03-02 10:00,,open,,",  # duplicate of row 2
        "LG-0006,X,,D,,5,8,weekly,a,2026-03-01 09:00,2026-03-02 10:00,,maybe,,7",  # 4 problems
        "LG-0007,X,,D,,5,3,working,a,2026-03-01,2026-03-02 10:00,2026-03-01 09:00,approved,2026-03-05/2026-03-03,",
        ",,,,,x,,,,,,,open,,",
    ]
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_cases", _write(tmp_path, bad), stdout=io.StringIO(), stderr=err)
    assert "未导入任何数据" in str(exc.value)
    text = err.getvalue()
    assert "第 6 行: reference: 申报号 LG-0001 与第 2 行重复" in text
    assert "第 7 行: promised_limit" in text and "第 7 行: limit_unit" in text
    assert "第 7 行: outcome" in text and "第 7 行: rating" in text
    assert "第 8 行: concluded_at: 办结时间早于受理时间" in text
    assert "第 8 行: suspensions" in text
    assert "第 9 行: reference: 不能为空" in text and "第 9 行: statutory_limit" in text
    assert Case.objects.count() == 0 and Application.objects.count() == 0
    assert not Department.objects.filter(is_legacy=True).exists()


def test_import_rejects_existing_references(tmp_path, known):
    call_command("import_cases", _write(tmp_path, GOOD[:1]), stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", _write(tmp_path, GOOD), stdout=io.StringIO(), stderr=err)
    assert "第 2 行: reference: 申报号 LG-0001 已存在" in err.getvalue()
    assert Case.objects.count() == 1


def test_missing_columns(tmp_path, db):
    path = tmp_path / "x.csv"
    path.write_text("reference,item_code\nA,B\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
    assert "缺少列" in err.getvalue()


def test_seed_cases(calendar):
    out = io.StringIO()
    call_command("seed_cases", "--count", "120", "--batch-size", "50", "--seed", "1", stdout=out)
    assert "已生成 120 件" in out.getvalue()
    assert Case.objects.count() == 120
    concluded = Case.objects.filter(elapsed_days__isnull=False)
    assert concluded.exists()
    assert all(c.concluded_on and c.accepted_on <= c.concluded_on for c in concluded)


def test_seed_cases_rates_some(calendar):
    """About a third of the decided cases are rated, each rating naming its case's department, item,
    window and clerk (the supervision figures rank windows and clerks by their ratings)."""
    from django.apps import apps

    from portal.accounts.constants import Role
    from tests.factories import UserFactory, WindowFactory

    for number in (1, 2):
        WindowFactory(number=number)
        UserFactory(role=Role.CLERK)
    call_command("seed_cases", "--count", "300", "--batch-size", "100", "--seed", "2", stdout=io.StringIO())
    try:
        rating = apps.get_model("complaints", "Rating")
    except LookupError:
        return
    assert 0 < rating.objects.count() < Case.objects.filter(elapsed_days__isnull=False).count()
    desks = {
        (r.case.department_id, r.case.item_id, r.case.window_id, r.case.clerk_id)
        for r in rating.objects.select_related("case")
    }
    assert desks == {(r.department_id, r.item_id, r.window_id, r.clerk_id) for r in rating.objects.all()}
    assert all(clerk is not None for *_, clerk in desks)
