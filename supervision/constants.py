from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workcalendar.constants import LimitUnit


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌")
    STATUTORY = "statutory", _("法定超期")
    STEP = "step", _("环节超时")
    INTAKE_OVERDUE = "intake_overdue", _("超期未受理")
    REFUSAL_NO_REASON = "refusal_no_reason", _("不予受理未说明理由")
    SECOND_CORRECTION = "second_correction", _("二次补正告知")
    LICENCE_YELLOW = "licence_yellow", _("证照送达预警")
    LICENCE_RED = "licence_red", _("证照送达超期")
    AFTER_CHECK_OVERDUE = "after_check_overdue", _("事后核查超期")


# Levels that are conduct triggers (行为监察) rather than deadline alerts.
CONDUCT_LEVELS = frozenset(
    {
        AlertLevel.INTAKE_OVERDUE,
        AlertLevel.REFUSAL_NO_REASON,
        AlertLevel.SECOND_CORRECTION,
        AlertLevel.AFTER_CHECK_OVERDUE,
    }
)
# Conduct findings that stay open after the case ends, until the efficiency office has reviewed them.
KEPT_UNTIL_REVIEWED = frozenset({AlertLevel.REFUSAL_NO_REASON, AlertLevel.SECOND_CORRECTION})
# Levels escalated to the efficiency office.
OFFICE_LEVELS = frozenset(
    {
        AlertLevel.RED,
        AlertLevel.STATUTORY,
        AlertLevel.REFUSAL_NO_REASON,
        AlertLevel.SECOND_CORRECTION,
        AlertLevel.LICENCE_RED,
        AlertLevel.AFTER_CHECK_OVERDUE,
    }
)
# Levels that need a written explanation (情况说明) before review.
EXPLANATION_REQUIRED = frozenset({AlertLevel.RED, AlertLevel.STATUTORY, AlertLevel.LICENCE_RED})

# Default days per level when no rule row exists: yellow = working days left before the promised due
# date; intake_overdue = the deemed-acceptance limit (行政许可法 Art. 32).
DEFAULT_DAYS = {AlertLevel.YELLOW: 1, AlertLevel.INTAKE_OVERDUE: 5, AlertLevel.LICENCE_YELLOW: 1}


# The unit an alert's due date counts in (the days left shown beside it): the case's own limit unit for the
# promised and statutory dates, computed in it; working days for the rest: the step (the 流程时限表 states
# a step's limit in working days and approvals.services.common.enter_step counts it so), the licence
# (Art. 44: 10 working days), the after-check (the item's working days,
# approvals.services.decision.after_check_due_of) and the window's answer (Art. 32: 5 working days).
CASE_UNIT_LEVELS = frozenset({AlertLevel.YELLOW, AlertLevel.RED, AlertLevel.STATUTORY})


def alert_due_unit(level: str, case_unit: str) -> str:
    """``LimitUnit`` value ("working" / "natural") the due date of an alert of ``level`` counts in."""
    return case_unit if level in CASE_UNIT_LEVELS else LimitUnit.WORKING


class AlertState(models.TextChoices):
    RAISED = "raised", _("已预警")
    EXPLAINED = "explained", _("已说明")
    REVIEWED = "reviewed", _("已审核")


class FindingKind(models.TextChoices):
    NONE = "none", _("不予问责")
    REMINDER = "reminder", _("提醒谈话")
    CRITICISM = "criticism", _("批评教育")
    CIRCULATED = "circulated", _("通报批评")
    ADMONITION = "admonition", _("诫勉谈话")
    DISCIPLINE = "discipline", _("移送纪检监察")


class Breakdown(models.TextChoices):
    DEPARTMENT = "department", _("按部门")
    ITEM = "item", _("按事项")
    WINDOW = "window", _("按窗口")
    CLERK = "clerk", _("按受理人员")
    MONTH = "month", _("按月份")
