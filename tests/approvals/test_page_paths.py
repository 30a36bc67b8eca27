"""Every path of DESIGN §3 fired through the case page's forms (the API tests cover the same paths and
the hand-computed dates)."""

import pytest
from django.urls import reverse

from approvals.models import Case, CaseTransition

from .conftest import at

PATHS = {
    "correction, supply, acceptance": [
        ("clerk", "request_correction", {"materials": "营业执照：复印件不清晰"}),
        ("citizen", "supply", {"note": "原件明天送到窗口"}),
        ("clerk", "accept", {}),
    ],
    "refusal with sign-off": [("clerk", "refuse", {"reason": "不属于本机关职权范围", "approved_by": "head"})],
    "review, suspension, resumption, extension, denial, delivery": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "suspend", {"kind": "hearing", "reason": "依申请举行听证", "expected_days": "5"}),
        ("reviewer", "resume", {}),
        ("reviewer", "request_extension", {"days": "5", "reason": "情况复杂"}),
        ("head", "extend", {"reason": "同意"}),
        ("reviewer", "send_to_decision", {"opinion": "不符合条件"}),
        ("decider", "deny", {"reasons": "经营场所不符合要求"}),
        ("clerk", "deliver", {"method": "window", "place": "7号窗口"}),
    ],
    "approval and postal delivery": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "send_to_decision", {"opinion": "符合"}),
        ("decider", "approve", {"opinion": "准予"}),
        ("clerk", "deliver", {"method": "post", "tracking_number": "EMS1"}),
    ],
    "withdrawal": [("clerk", "accept", {}), ("citizen", "withdraw", {"reason": "不再需要"})],
    "termination": [
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("head", "terminate", {"reason": "申请人失联"}),
    ],
}
END = {
    "correction, supply, acceptance": "accepted",
    "refusal with sign-off": "not_accepted",
    "review, suspension, resumption, extension, denial, delivery": "delivered",
    "approval and postal delivery": "delivered",
    "withdrawal": "withdrawn",
    "termination": "terminated",
}


@pytest.mark.parametrize("path", list(PATHS))
def test_path_through_the_pages(world, client, path):
    users = {
        "clerk": world.clerk,
        "citizen": world.citizen,
        "reviewer": world.reviewer,
        "decider": world.decider,
        "head": world.head,
    }
    with at(2026, 9, 24):
        case = world.case()
        for who, name, data in PATHS[path]:
            client.force_login(users[who])
            page = client.get(reverse("approvals:case_detail", args=[case.reference])).content.decode()
            assert f"/do/{name}/" in page, (who, name)  # the button is there for this user
            r = client.post(
                reverse("approvals:case_transition", args=[case.reference, name]), data, follow=True
            )
            assert "操作成功" in r.content.decode(), (who, name, r.content.decode()[-2000:])
    case = Case.objects.get(pk=case.pk)
    assert case.state == END[path]
    assert list(CaseTransition.objects.filter(case=case).values_list("name", flat=True))[1:] == [
        n for _, n, _ in PATHS[path]
    ]
