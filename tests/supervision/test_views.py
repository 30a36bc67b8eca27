"""Dashboard, alert pages and exports."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from approvals.constants import CaseState
from portal.accounts.constants import Role
from supervision.constants import AlertState
from supervision.models import AccountabilityFinding
from supervision.services import alert_scan
from tests.factories import DepartmentFactory, ItemFactory, WindowFactory, staff

from .factories import at, make_case

D = datetime.date


@pytest.fixture
def world(calendar):
    d1 = DepartmentFactory(code="VW1", name="自然资源局")
    d2 = DepartmentFactory(code="VW2", name="教育局")
    w = WindowFactory(number=81)
    i1 = ItemFactory(department=d1, name="建设用地规划许可")
    i2 = ItemFactory(department=d2, name="民办学校设立")
    holder = staff(Role.REVIEWER, d1)
    late = make_case(
        i1,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 9),
        statutory_due=D(2026, 3, 30),
        holder=holder,
        window=w,
    )
    make_case(
        i2,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 3),
        promised_due=D(2026, 3, 10),
        statutory_due=D(2026, 3, 31),
        concluded_on=D(2026, 3, 5),
        elapsed_days=2,
        window=w,
    )
    make_case(
        i1,
        state=CaseState.DENIED,
        accepted_on=D(2026, 3, 3),
        promised_due=D(2026, 3, 10),
        statutory_due=D(2026, 3, 31),
        concluded_on=D(2026, 3, 12),
        elapsed_days=7,
    )
    alert_scan(now=at(D(2026, 3, 16), 9))
    return {"d1": d1, "d2": d2, "holder": holder, "late": late}


Q = "?accepted_from=2026-01-01&accepted_to=2026-12-31&as_of=2026-04-01T00:00"


def test_dashboard_inspector_and_head(client, world):
    client.force_login(staff(Role.INSPECTOR))
    page = client.get("/supervision/" + Q)
    assert page.status_code == 200
    html = page.content.decode()
    assert "自然资源局" in html and "教育局" in html
    assert "vendor/echarts/echarts.min.js" in html and 'id="supervision-charts"' in html
    assert "<script>" not in html.replace("<script src", "")  # no inline scripts
    assert world["late"].reference in html
    client.force_login(staff(Role.HEAD, world["d2"]))
    html = client.get("/supervision/" + Q).content.decode()
    assert "教育局" in html and world["late"].reference not in html
    client.force_login(staff(Role.CLERK, world["d1"]))
    assert client.get("/supervision/").status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "summary",
        "department",
        "month",
        "item_days",
        "redblue_department",
        "redblue_window",
        "overdue",
        "alerts",
        "findings",
        "clerk",
        "window",
        "item",
    ],
)
def test_exports(client, world, name):
    client.force_login(staff(Role.INSPECTOR))
    response = client.get(f"/supervision/export/{name}.xlsx" + Q)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.active.max_row >= 1
    response = client.get(f"/supervision/export/{name}.csv" + Q)
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())


def test_summary_export_values(client, world):
    client.force_login(staff(Role.INSPECTOR))
    response = client.get("/supervision/export/summary.xlsx" + Q)
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert values["受理量"] == 3 and values["办结量"] == 2 and values["按时办结率"] == 0.5


def test_monthly_report(client, world):
    client.force_login(staff(Role.INSPECTOR))
    response = client.get("/supervision/monthly-report.xlsx?month=2026-03")
    wb = load_workbook(io.BytesIO(response.content))
    assert "部门红蓝榜" in wb.sheetnames and "总体指标" in wb.sheetnames
    assert client.get("/supervision/monthly-report.csv?month=2026-03").status_code == 200


def test_alert_pages_flow(client, world):
    alert = world["late"].alerts.get(level="red")
    client.force_login(world["holder"])
    assert client.get("/supervision/alerts/").status_code == 200
    page = client.get(f"/supervision/alerts/{alert.pk}/")
    assert "提交情况说明" in page.content.decode()
    client.post(
        f"/supervision/alerts/{alert.pk}/", {"action": "explain", "explain-explanation": "材料补正延误"}
    )
    alert.refresh_from_db()
    assert alert.state == AlertState.EXPLAINED
    inspector = staff(Role.INSPECTOR)
    client.force_login(inspector)
    client.post(f"/supervision/alerts/{alert.pk}/", {"action": "review", "review-note": "属实"})
    client.post(
        f"/supervision/alerts/{alert.pk}/",
        {
            "action": "finding",
            "finding-kind": "reminder",
            "finding-person": world["holder"].pk,
            "finding-finding": "超期未办结",
        },
    )
    alert.refresh_from_db()
    assert alert.state == AlertState.REVIEWED
    assert AccountabilityFinding.objects.get().person == world["holder"]
    # someone of another department sees no such alert
    client.force_login(staff(Role.REVIEWER, world["d2"]))
    assert client.get(f"/supervision/alerts/{alert.pk}/").status_code == 404


def test_monthly_red_blue_on_dashboard(client, world):
    client.force_login(staff(Role.INSPECTOR))
    html = client.get("/supervision/" + Q + "&rb_month=2026-03").content.decode()
    assert "2026-03 月度红蓝榜" in html
    red = html.split('class="red-list"')[1].split("</ol>")[0]
    blue = html.split('class="blue-list"')[1].split("</ol>")[0]
    # 教育局 decided on time (100 %), 自然资源局 late (0 %)
    assert "教育局" in red and "自然资源局" in blue


def test_alerts_api_scoped(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(staff(Role.INSPECTOR))
    body = client.get("/api/v1/supervision/alerts/", {"level": "red"}).json()
    assert [a["reference"] for a in body["results"]] == [world["late"].reference]
    client.force_authenticate(staff(Role.HEAD, world["d2"]))
    assert client.get("/api/v1/supervision/alerts/").json()["results"] == []
    client.force_authenticate(staff(Role.CITIZEN))
    assert client.get("/api/v1/supervision/alerts/").status_code == 403


def test_demo_is_idempotent(world):
    from supervision import demo
    from supervision.constants import AlertLevel
    from supervision.models import AlertRule

    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert AlertRule.objects.filter(department=None, item=None).count() == len(AlertLevel)
    assert "alert rules" in out.getvalue()


def test_home_panel_and_nav(client, db):
    client.force_login(staff(Role.INSPECTOR))
    html = client.get("/").content.decode()
    assert "/supervision/" in html and "/supervision/alerts/" in html
    client.force_login(staff(Role.CITIZEN))
    html = client.get("/").content.decode()
    assert "/supervision/alerts/" not in html


def test_alert_list_only_open_filter(client, db):
    """DESIGN §5: the alert list's 仅未关闭 checkbox and the dashboard's link (both send ``open=1``) and the
    API's ``open=true`` leave out the alerts closed when their case concluded."""
    from rest_framework.test import APIClient

    from .factories import AlertFactory

    open_, closed = AlertFactory(), AlertFactory(closed=True)
    inspector = staff(Role.INSPECTOR)
    client.force_login(inspector)
    everything = client.get("/supervision/alerts/").content.decode()
    only_open = client.get("/supervision/alerts/", {"open": "1"}).content.decode()
    assert open_.case.reference in everything and closed.case.reference in everything
    assert open_.case.reference in only_open and closed.case.reference not in only_open
    api = APIClient()
    api.force_authenticate(inspector)
    body = api.get("/api/v1/supervision/alerts/", {"open": "true"}).json()
    assert [a["reference"] for a in body["results"]] == [open_.case.reference]


def test_case_links_are_those_reverse_gives():
    """The drill-down links (put into a URL reversed once) are the URLs ``reverse`` gives, plain references
    and others alike; a reference no case URL can hold links nowhere."""
    from django.urls import reverse

    from supervision.templatetags.supervision_tags import case_url

    for reference in ("SP20260301-000001", "SD518110-000875395", "a.b_c", "含中文 空格", "CASEREFERENCE"):
        assert case_url(reference) == reverse("approvals:case_detail", args=[reference]), reference
    assert case_url("a/b") == ""


def test_dashboard_overdue_table_rows(client, world):
    """Each overdue case's row: its reference linked to the case page, item, department, both due dates
    and who holds it ("—" for nobody, an empty cell for a due date it has not got), every text escaped."""
    from django.urls import reverse

    odd = ItemFactory(department=world["d2"], name="<b>校车 & 许可</b>")
    nobody = make_case(odd, state=CaseState.IN_REVIEW, accepted_on=D(2026, 3, 4), promised_due=D(2026, 3, 11))
    client.force_login(staff(Role.INSPECTOR))
    html = client.get("/supervision/" + Q).content.decode()
    table = html.split('id="sup-overdue"', 1)[1].split("</table>", 1)[0]
    late = world["late"]
    assert (
        "<tr>\n"
        f'      <td><a href="{reverse("approvals:case_detail", args=[late.reference])}">{late.reference}</a></td>\n'
        "      <td>建设用地规划许可</td><td>自然资源局</td><td>2026-03-09</td><td>2026-03-30</td>"
        f"<td>{world['holder'].display_name}</td>\n"
        "    </tr>"
    ) in table
    assert (
        "<tr>\n"
        f'      <td><a href="{reverse("approvals:case_detail", args=[nobody.reference])}">{nobody.reference}</a></td>\n'
        "      <td>&lt;b&gt;校车 &amp; 许可&lt;/b&gt;</td><td>教育局</td><td>2026-03-11</td><td></td><td>—</td>\n"
        "    </tr>"
    ) in table
    assert table.index(late.reference) < table.index(nobody.reference)  # the most late first
