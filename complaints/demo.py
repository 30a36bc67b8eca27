"""Demo ratings (one bad, with its ticket) and complaints in several states. Idempotent; runs after the
approvals demo and skips gracefully without concluded cases."""

from typing import Any

from approvals.constants import DECIDED_STATES
from approvals.models import Case
from portal.accounts.models import User

from . import services
from .models import Complaint, Rating


def load(stdout: Any) -> None:
    if Complaint.objects.exists() or Rating.objects.exists():
        stdout.write("complaints: already there")
        return
    cases = list(Case.objects.filter(state__in=list(DECIDED_STATES)).order_by("id")[:3])
    made = 0
    for case, score, comment in zip(
        cases, (5, 2, 4), ("办理很快，窗口服务热情", "材料反复退回，多跑了一次", "满意"), strict=False
    ):
        services.rating_submit(
            case=case, actor=case.applicant, data={"overall": score, "comment": comment}, channel="online"
        )
        made += 1
    inspector = User.objects.filter(username="inspector").first()
    citizen = User.objects.filter(username="citizen").first()
    if inspector and citizen:
        c1 = services.complaint_file(
            actor=citizen,
            channel="online",
            name="",
            phone=citizen.phone,
            subject="窗口人员态度生硬",
            content="在3号窗口咨询时工作人员不耐烦，未一次性告知所需材料。",
        )
        c1 = services.complaint_investigate(complaint=c1, actor=inspector)
        c1 = services.complaint_conclude(
            complaint=c1,
            actor=inspector,
            finding="partly",
            action="已对窗口人员进行批评教育，并完善一次性告知单。",
        )
        services.complaint_publish(
            complaint=c1, actor=inspector, subject=c1.public_subject, action=c1.public_action
        )
        services.complaint_file(
            actor=None,
            channel="online",
            name="匿名群众",
            phone="13600000000",
            subject="审批超时",
            content="申请已超过承诺时限仍未办结，请督办。",
        )
    stdout.write(f"complaints: {made} ratings, {Complaint.objects.count()} complaints")
