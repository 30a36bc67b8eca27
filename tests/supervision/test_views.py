"""Dashboard, alert pages and exports."""

import datetime
import io

import pytest
import time_machine
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
    (each with the days overdue or left, on the page's date) and who holds it ("—" for nobody, an empty cell
    for a due date it has not got), every text escaped."""
    from django.urls import reverse

    odd = ItemFactory(department=world["d2"], name="<b>校车 & 许可</b>")
    nobody = make_case(odd, state=CaseState.IN_REVIEW, accepted_on=D(2026, 3, 4), promised_due=D(2026, 3, 11))
    client.force_login(staff(Role.INSPECTOR))
    with time_machine.travel(at(D(2026, 3, 16), 9), tick=False):
        html = client.get("/supervision/" + Q).content.decode()
    table = html.split('id="sup-overdue"', 1)[1].split("</table>", 1)[0]
    late = world["late"]
    assert (
        "<tr>\n"
        f'      <td><a href="{reverse("approvals:case_detail", args=[late.reference])}">{late.reference}</a></td>\n'
        "      <td>建设用地规划许可</td><td>自然资源局</td>"
        '<td><span class="due-red">2026-03-09<br>已超期5个工作日</span></td>'
        '<td><span class="due-green">2026-03-30<br>剩余10个工作日</span></td>'
        f"<td>{world['holder'].display_name}</td>\n"
        "    </tr>"
    ) in table
    assert (
        "<tr>\n"
        f'      <td><a href="{reverse("approvals:case_detail", args=[nobody.reference])}">{nobody.reference}</a></td>\n'
        "      <td>&lt;b&gt;校车 &amp; 许可&lt;/b&gt;</td><td>教育局</td>"
        '<td><span class="due-red">2026-03-11<br>已超期3个工作日</span></td><td></td><td>—</td>\n'
        "    </tr>"
    ) in table
    assert table.index(late.reference) < table.index(nobody.reference)  # the most late first


# --- every due date with its days left (DESIGN §12), on the official calendar ---------------------------
# The page's date: Wednesday 8 April 2026, after the Qingming holiday (Sat 4 – Mon 6 April). From Friday
# 3 April that is 2 working days overdue on the official calendar (3 with weekends off alone), 5 natural days.
TODAY = D(2026, 4, 8)


def _row(html: str, needle: str) -> str:
    """The table row (``<tr>…</tr>``) of ``html`` holding ``needle``."""
    at_ = html.index(needle)
    return html[html.rindex("<tr>", 0, at_) : html.index("</tr>", at_)]


def _cells(row: str) -> list[str]:
    """The visible text of each cell of a row (a line break as a space)."""
    import re

    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    return [re.sub(r"<[^>]+>", "", c.replace("<br>", " ")) for c in cells]


@pytest.fixture
def due_world(calendar):
    from supervision.constants import AlertLevel

    from .factories import AlertFactory

    dept = DepartmentFactory(code="DL1", name="住建局")
    working = ItemFactory(department=dept, name="施工许可", limit_unit="working")
    natural = ItemFactory(department=dept, name="临时占道许可", limit_unit="natural")
    raised = at(D(2026, 4, 7), 9)
    # a working-day case 2 working days past its promised date, its statutory date 2 working days away
    w = make_case(
        working,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 20),
        promised_due=D(2026, 4, 3),
        statutory_due=D(2026, 4, 10),
        limit_unit="working",
    )
    # a natural-day case 5 natural days past its promised date, its statutory date tomorrow
    n = make_case(
        natural,
        state=CaseState.IN_REVIEW,
        accepted_on=D(2026, 3, 27),
        promised_due=D(2026, 4, 3),
        statutory_due=D(2026, 4, 9),
        limit_unit="natural",
    )
    # an approved natural-day case: its licence (Art. 44) counts in working days all the same
    lic = make_case(
        natural,
        state=CaseState.APPROVED,
        accepted_on=D(2026, 3, 2),
        promised_due=D(2026, 3, 9),
        statutory_due=D(2026, 3, 9),
        concluded_on=D(2026, 3, 20),
        licence_due=D(2026, 4, 3),
        limit_unit="natural",
    )
    alerts = {
        "red": AlertFactory(case=w, level=AlertLevel.RED, due=D(2026, 4, 3), raised_at=raised),
        "natural_red": AlertFactory(case=n, level=AlertLevel.RED, due=D(2026, 4, 3), raised_at=raised),
        # a step of a natural-day case: the step's limit counts in working days (the 流程时限表's unit)
        "step": AlertFactory(
            case=n, level=AlertLevel.STEP, step="现场勘查", due=D(2026, 4, 7), raised_at=raised
        ),
        "licence": AlertFactory(case=lic, level=AlertLevel.LICENCE_RED, due=D(2026, 4, 3), raised_at=raised),
        "closed": AlertFactory(
            case=w, level=AlertLevel.YELLOW, due=D(2026, 4, 2), raised_at=raised, closed_at=at(TODAY, 8)
        ),
    }
    return {"working": w, "natural": n, "licence": lic, "alerts": alerts}


def test_dashboard_due_dates_say_the_working_days_left(client, due_world):
    """The overdue table gives both dates of each case with the days overdue or left in the case's unit;
    the open alerts give theirs in the unit of their kind; all on the page's one date."""
    client.force_login(staff(Role.INSPECTOR))
    with time_machine.travel(at(TODAY, 10), tick=False):
        html = client.get("/supervision/").content.decode()
    overdue = html.split('id="sup-overdue"', 1)[1].split("</table>", 1)[0]
    w, n = due_world["working"], due_world["natural"]
    assert _cells(_row(overdue, w.reference))[3:5] == [
        "2026-04-03 已超期2个工作日",
        "2026-04-10 剩余2个工作日",
    ]
    assert _cells(_row(overdue, n.reference))[3:5] == [
        "2026-04-03 已超期5个自然日",
        "2026-04-09 剩余1个自然日",
    ]
    alerts = html.split('id="sup-alerts"', 1)[1].split("</table>", 1)[0]
    assert "2026-04-03 已超期2个工作日" in _cells(
        _row(alerts, f"/supervision/alerts/{due_world['alerts']['red'].pk}/")
    )
    assert "2026-04-03 已超期5个自然日" in _cells(
        _row(alerts, f"/supervision/alerts/{due_world['alerts']['natural_red'].pk}/")
    )
    assert "2026-04-07 已超期1个工作日" in _cells(_row(alerts, "现场勘查"))
    # Art. 44: 10 working days to issue the licence, whatever the item's unit
    assert "2026-04-03 已超期2个工作日" in _cells(
        _row(alerts, f"/supervision/alerts/{due_world['alerts']['licence'].pk}/")
    )
    assert f"/supervision/alerts/{due_world['alerts']['closed'].pk}/" not in alerts  # open alerts only
    # the colours of the case pages: red past the date, green with more than a day left
    assert '<span class="due-red">2026-04-03<br>已超期2个工作日</span>' in overdue
    assert '<span class="due-green">2026-04-10<br>剩余2个工作日</span>' in overdue
    assert '<span class="due-yellow">2026-04-09<br>剩余1个自然日</span>' in overdue


def test_alert_list_due_dates_say_the_days_left_while_open(client, due_world):
    """The alert list: an open alert's due date with its days overdue, a closed alert's date alone."""
    client.force_login(staff(Role.INSPECTOR))
    with time_machine.travel(at(TODAY, 10), tick=False):
        html = client.get("/supervision/alerts/").content.decode()
    alerts = due_world["alerts"]
    assert "2026-04-03 已超期2个工作日" in _cells(_row(html, f"/supervision/alerts/{alerts['red'].pk}/"))
    closed = _cells(_row(html, f"/supervision/alerts/{alerts['closed'].pk}/"))
    assert "2026-04-02" in closed and "已关闭" in closed[4]
    assert not any("已超期" in c or "剩余" in c or "今天到期" in c for c in closed)


def test_alert_list_due_dates_in_english(client, due_world):
    client.force_login(staff(Role.INSPECTOR))
    with time_machine.travel(at(TODAY, 10), tick=False):
        html = client.get("/supervision/alerts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2026-04-03 2 working days overdue" in _cells(
        _row(html, f"/supervision/alerts/{due_world['alerts']['red'].pk}/")
    )
