"""The transitions API in every state: what each user may not fire answers 4xx and changes nothing."""

import pytest

from approvals.constants import CaseState
from approvals.models import Case, CaseTransition
from approvals.transitions import TRANSITIONS

from .conftest import at

# Steps that walk a fresh case into each state (user attribute on the world, transition, data).
WALKS = {
    "accepted": [("clerk", "accept", {})],
    "in_review": [("clerk", "accept", {}), ("reviewer", "start_review", {})],
    "suspended": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "suspend", {"kind": "expert_review", "reason": "专家评审", "expected_days": 5}),
    ],
    "awaiting_decision": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "send_to_decision", {"opinion": "符合"}),
    ],
    "approved": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "send_to_decision", {"opinion": "符合"}),
        ("decider", "approve", {}),
    ],
    "delivered": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "send_to_decision", {"opinion": "符合"}),
        ("decider", "approve", {}),
        ("clerk", "deliver", {"method": "window"}),
    ],
}


@pytest.mark.parametrize("state", list(WALKS))
def test_forbidden_transitions_in_every_state_change_nothing(world, state):
    with at(2026, 3, 2):
        case = world.case()
        for who, name, data in WALKS[state]:
            r = world.fire(getattr(world, who), case, name, **data)
            assert r.status_code == 200, (name, r.json())
        assert Case.objects.get(pk=case.pk).state == state
        users = [
            world.citizen,
            world.other_citizen,
            world.clerk,
            world.reviewer,
            world.decider,
            world.head,
            world.reviewer_b,
            world.decider_b,
            world.inspector,
        ]
        for user in users:
            listing = world.api(user).get(f"/api/v1/cases/{case.reference}/transitions/")
            allowed = {t["name"] for t in listing.json()} if listing.status_code == 200 else set()
            assert listing.status_code in (200, 404)
            for name in TRANSITIONS:
                if name in allowed:
                    continue
                before = Case.objects.filter(pk=case.pk).values().get()
                n_log = CaseTransition.objects.count()
                r = world.fire(user, case, name)
                assert r.status_code in (400, 403, 404, 409), (user.username, name, r.status_code)
                assert Case.objects.filter(pk=case.pk).values().get() == before
                assert CaseTransition.objects.count() == n_log


def test_unknown_case_and_anonymous(world):
    with at(2026, 3, 2):
        case = world.case()
    assert world.api(world.clerk).get("/api/v1/cases/NOPE/").status_code == 404
    from rest_framework.test import APIClient

    anon = APIClient()
    assert anon.get("/api/v1/cases/").status_code in (401, 403)
    assert anon.post(
        f"/api/v1/cases/{case.reference}/transitions/accept/", {}, format="json"
    ).status_code in (401, 403)
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_list_filters_overdue_and_due_soon(world):
    with at(2026, 3, 2):
        late = world.case()
        world.fire(world.clerk, late, "accept")  # promised due Mon 03-09
    with at(2026, 3, 9):
        soon = world.case()
        world.fire(world.clerk, soon, "accept")  # promised due Mon 03-16
    with at(2026, 3, 12):
        api = world.api(world.reviewer)
        overdue = {c["reference"] for c in api.get("/api/v1/cases/?overdue=true").json()["results"]}
        assert overdue == {late.reference}
        everything = {c["reference"] for c in api.get("/api/v1/cases/").json()["results"]}
        assert everything == {late.reference, soon.reference}
        assert world.api(world.reviewer_b).get("/api/v1/cases/").json()["results"] == []
        mine = {c["reference"] for c in world.api(world.citizen).get("/api/v1/cases/").json()["results"]}
        assert mine == {late.reference, soon.reference}
        assert world.api(world.other_citizen).get("/api/v1/cases/").json()["results"] == []


def test_due_soon_is_today_or_the_next_working_day(world):
    with at(2026, 3, 9):
        case = world.case()
        world.fire(world.clerk, case, "accept")  # promised due Mon 03-16
    api = world.api(world.reviewer)
    with at(2026, 3, 12):
        assert api.get("/api/v1/cases/?due_soon=true").json()["results"] == []
    with at(2026, 3, 13):  # Friday: the next working day is Mon 03-16
        assert [c["reference"] for c in api.get("/api/v1/cases/?due_soon=true").json()["results"]] == [
            case.reference
        ]
        assert api.get("/api/v1/cases/?overdue=true").json()["results"] == []
