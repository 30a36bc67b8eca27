from django.db import models
from django.utils.translation import gettext_lazy as _


class HalfDay(models.TextChoices):
    MORNING = "am", _("上午")
    AFTERNOON = "pm", _("下午")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    NO_SHOW = "no_show", _("爽约")


class TicketState(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SKIPPED = "skipped", _("过号")
    FINISHED = "finished", _("已办结")


class CallAction(models.TextChoices):
    CALL = "call", _("叫号")
    RECALL = "recall", _("重呼")
    SKIP = "skip", _("过号")
    TRANSFER = "transfer", _("转窗")
    FINISH = "finish", _("办结")


# Three no-shows within 30 days block online booking for 30 days.
NO_SHOW_LIMIT = 3
NO_SHOW_WINDOW_DAYS = 30
NO_SHOW_BLOCK_DAYS = 30
# The calling screen shows this many recent calls and waiting numbers.
DISPLAY_CALLS = 8
DISPLAY_WAITING = 30
