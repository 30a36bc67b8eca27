"""告知承诺 (notification-commitment, DESIGN §2–3): the approval on the applicant's commitment is checked
afterwards (事后核查) by its due date. The department records the result: passed (the approval stands) or
failed (the approval is revoked, 行政许可法 Art. 69); an after-check past its due date raises an alert.

Dates: approved Thu 2026-09-24; 20 working days later (Mid-Autumn 09-25..27, National Day 10-01..07 off,
Sat 10-10 worked) the after-check is due 2026-10-29.
"""

import datetime

from django.urls import reverse

from approvals.models import Case, CaseTransition
from portal.notifications.models import Notification
from supervision.models import Alert
from supervision.services import alert_scan

from .conftest import TZ, at

D = datetime.date


def _approved_on_commitment(w):
    case = w.case(mode="commitment", commitment=True)
    w.fire(w.clerk, case, "accept")
    assert w.fire(w.decider, case, "approve_on_the_spot", note="告知承诺").json()["state"] == "approved"
    case = Case.objects.get(pk=case.pk)
    assert case.after_check_due == D(2026, 10, 29)
    return case


def test_a_passed_after_check_is_recorded_and_closes_the_check(world):
    """告知承诺 (DESIGN §2): the head records "passed" with what was found; the approval stands, the log and
    the applicant say so; it cannot be recorded twice, and nobody outside the department records it."""
    with at(2026, 9, 24):
        case = _approved_on_commitment(world)
    with at(2026, 10, 20):
        assert (
            world.fire(world.reviewer_b, case, "record_after_check", result="passed", note="x").status_code
            == 404
        )
        assert (
            world.fire(world.clerk, case, "record_after_check", result="passed", note="x").status_code == 403
        )
        r = world.fire(world.head, case, "record_after_check", result="passed")
        assert r.status_code == 400 and "note" in r.json()
        r = world.fire(world.head, case, "record_after_check", result="passed", note="现场核查，承诺属实")
        assert r.status_code == 200 and r.json()["state"] == "approved"
        assert (
            world.fire(world.head, case, "record_after_check", result="passed", note="again").status_code
            == 409
        )
    case = Case.objects.get(pk=case.pk)
    entry = CaseTransition.objects.get(case=case, name="record_after_check")
    assert entry.actor == world.head and entry.data["after_check_result"] == "passed"
    told = Notification.objects.get(recipient=world.citizen, event="case.after_check_passed")
    assert case.reference in told.subject and world.item.name in told.subject


def test_a_failed_after_check_revokes_the_approval(world, client):
    """告知承诺 (DESIGN §3, 行政许可法 Art. 69): "failed" — the commitment was false — revokes the approval,
    recorded and told to the applicant; through the case page."""
    with at(2026, 9, 24):
        case = _approved_on_commitment(world)
    with at(2026, 10, 28):
        client.force_login(world.decider)
        page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
        assert "/do/record_after_check/" in page and "2026-10-29" in page
        r = client.post(
            reverse("approvals:case_transition", args=[case.reference, "record_after_check"]),
            {"result": "failed", "note": "经营场所与承诺不符"},
            follow=True,
        )
        assert "操作成功" in r.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.state == "revoked" and case.after_check_result == "failed"
    assert CaseTransition.objects.get(case=case, name="revoke").reason == "经营场所与承诺不符"
    assert (
        "经营场所与承诺不符" in Notification.objects.get(recipient=world.citizen, event="case.revoked").body
    )


def test_an_overdue_after_check_raises_an_alert_once_and_closes_when_recorded(world):
    """告知承诺 (DESIGN §2 "checked afterwards within a set period"): past the after-check due date (10-29)
    with nothing recorded, the scan raises one "事后核查超期" alert for the department head and the efficiency
    office; it closes once the result is recorded."""
    with at(2026, 9, 24):
        case = _approved_on_commitment(world)
    alert_scan(now=datetime.datetime(2026, 10, 29, 23, 0, tzinfo=TZ))
    assert not Alert.objects.filter(case=case, level="after_check_overdue").exists()  # due today: not late
    alert_scan(now=datetime.datetime(2026, 10, 30, 9, 0, tzinfo=TZ))
    alert_scan(now=datetime.datetime(2026, 10, 30, 10, 0, tzinfo=TZ))
    alert = Alert.objects.get(case=case, level="after_check_overdue")
    assert alert.due == D(2026, 10, 29) and alert.closed_at is None
    for who in (world.head, world.inspector):
        note = Notification.objects.get(
            recipient=who, event="alert.raised", context__level="after_check_overdue"
        )
        assert "事后核查" in note.body and world.item.name in note.body and "2026-10-29" in note.body
    with at(2026, 11, 2):
        world.fire(world.head, case, "record_after_check", result="passed", note="补查属实")
    alert_scan(now=datetime.datetime(2026, 11, 2, 11, 0, tzinfo=TZ))
    alert.refresh_from_db()
    assert alert.closed_at is not None
