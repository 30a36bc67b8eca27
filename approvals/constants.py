from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.constants import ACCEPTANCE_ANSWER_DAYS, DeliveryMethod  # noqa: F401 - DeliveryMethod: chosen on the application (intake), used by the case


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("特别程序中")
    AWAITING_DECISION = "awaiting_decision", _("待决定")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    DELIVERED = "delivered", _("已送达")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")
    REVOKED = "revoked", _("已撤销")


# A case is concluded (办结) once a decision exists: approved or denied, whether delivered or not
# (DESIGN §5 "concluded"). Other end states end the case without a decision.
DECIDED_STATES = frozenset({CaseState.APPROVED, CaseState.DENIED, CaseState.DELIVERED, CaseState.REVOKED})
CLOSED_STATES = frozenset(
    {
        CaseState.APPROVED,
        CaseState.DENIED,
        CaseState.DELIVERED,
        CaseState.WITHDRAWN,
        CaseState.TERMINATED,
        CaseState.REVOKED,
        CaseState.NOT_ACCEPTED,
    }
)
# Cases that end without a decision: their clock stops on the day they end (DESIGN §3).
ENDED_STATES = frozenset({CaseState.WITHDRAWN, CaseState.NOT_ACCEPTED, CaseState.TERMINATED})
# States in which the deadline clock runs (accepted and not concluded).
RUNNING_STATES = frozenset(
    {CaseState.ACCEPTED, CaseState.IN_REVIEW, CaseState.AWAITING_DECISION, CaseState.SUSPENDED}
)
# Running and not suspended: the clock is ticking today (a special procedure stops it, DESIGN §4).
TICKING_STATES = RUNNING_STATES - {CaseState.SUSPENDED}


class CaseAction(models.TextChoices):
    """What can happen to a case: the name of each transition (its transition log's ``name``, the URL of its
    form and API operation) and its label."""

    SUBMIT = "submit", _("提交申请")
    ACCEPT = "accept", _("受理")
    DEEM_ACCEPT = "deem_accept", _("逾期视为受理")
    REQUEST_CORRECTION = "request_correction", _("一次性告知补正")
    PROPOSE_REFUSAL = "propose_refusal", _("提请不予受理")
    REFUSE = "refuse", _("同意不予受理（签批）")
    REJECT_REFUSAL = "reject_refusal", _("退回不予受理提请")
    SUPPLY = "supply", _("提交补正材料")
    START_REVIEW = "start_review", _("开始审查")
    SEND_TO_DECISION = "send_to_decision", _("提交决定")
    APPROVE = "approve", _("准予许可")
    APPROVE_ON_THE_SPOT = "approve_on_the_spot", _("当场办结（即办/告知承诺）")
    DENY = "deny", _("不予许可")
    SUSPEND = "suspend", _("启动特别程序（中止计时）")
    RESUME = "resume", _("特别程序结束（恢复计时）")
    REQUEST_EXTENSION = "request_extension", _("申请延长法定时限")
    EXTEND = "extend", _("批准延长法定时限")
    REJECT_EXTENSION = "reject_extension", _("不批准延期")
    SUPPLY_DEFERRED = "supply_deferred", _("提交容缺后补材料")
    CHECK_DEFERRED = "check_deferred", _("核验容缺后补材料")
    WITHDRAW = "withdraw", _("撤回申请")
    TERMINATE = "terminate", _("终止办理")
    REVOKE = "revoke", _("撤销许可（承诺不实）")
    RECORD_AFTER_CHECK = "record_after_check", _("登记事后核查结果")
    DELIVER = "deliver", _("送达结果")


# Entries of the transition log that are not transitions (the state stays): their names in words.
LOG_ONLY_ACTIONS = {
    "check_materials": _("核验材料"),
    "sub_approval": _("协办部门答复"),
    "sub_approval_resolved": _("牵头部门处理协办分歧"),
    "change_delivery": _("申请人修改送达方式"),  # services.delivery.CHANGE_DELIVERY
}


class PhraseTransition(models.TextChoices):
    """The transitions whose forms offer common opinion phrases (approvals/phrases.py), by their labels."""

    SEND_TO_DECISION = "send_to_decision", _("提交决定（审查意见）")
    APPROVE = "approve", _("准予许可（决定意见）")
    DENY = "deny", _("不予许可（理由）")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    WITHDRAWN = "withdrawn", _("撤回")
    TERMINATED = "terminated", _("终止")
    NOT_ACCEPTED = "not_accepted", _("不予受理")


class SuspensionKind(models.TextChoices):
    HEARING = "hearing", _("听证")
    TENDERING = "tendering", _("招标、拍卖")
    INSPECTION = "inspection", _("现场勘验")
    TESTING = "testing", _("检验、检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    PUBLIC_NOTICE = "public_notice", _("公示")


class SubApprovalAnswer(models.TextChoices):
    CONSENT = "consent", _("同意")
    CONDITIONAL = "conditional", _("附条件同意")
    OBJECT = "object", _("不同意")
    DEEMED = "deemed", _("逾期视为同意")


class AfterCheckResult(models.TextChoices):
    """告知承诺 after-check (事后核查): the commitment proved true, or false (the approval is revoked)."""

    PASSED = "passed", _("核查通过")
    FAILED = "failed", _("承诺不实")


# Legal maximum of an extension (延期, Art. 42): 10 working days, approved by the department head; 15 for a
# case handled jointly (统一/联合/集中办理), the days beyond 10 with the approval of the head of the people's
# government at that level. Art. 82: the law's periods count working days, so these are working days even
# for an item whose own limit counts natural days; an item may carry another law's limit instead.
EXTENSION_MAX_DAYS = 10
EXTENSION_MAX_DAYS_JOINT = 15
# Art. 44: the licence is issued and delivered within 10 working days of the decision to approve.
LICENCE_DELIVERY_DAYS = 10
# Art. 32: a submitted application unanswered for 5 working days counts as accepted.
DEEMED_ACCEPTANCE_DAYS = ACCEPTANCE_ANSWER_DAYS


class MaterialVerdict(models.TextChoices):
    """The window's check of one material of an application (one row per material, not per file)."""

    OK = "ok", _("合格")
    FIX = "fix", _("需补正")
