from django.db import models
from django.utils.translation import gettext_lazy as _


class Score(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("网上评价")
    LINK = "link", _("短信链接评价")
    WINDOW = "window", _("窗口评价器")
    LEGACY = "legacy", _("历史系统迁移")


class AppealState(models.TextChoices):
    NONE = "", _("无")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("维持评价")
    VOIDED = "voided", _("评价作废")


class TicketState(models.TextChoices):
    OPENED = "opened", _("待回访")
    CALLED_BACK = "called_back", _("已回访")
    FIXED = "fixed", _("立行立改")
    ON_LEDGER = "on_ledger", _("列入整改台账")
    EXPLAINED = "explained", _("解释说明")
    VERIFIED = "verified", _("效能办已核实")
    CLOSED = "closed", _("已办结")
    CANCELLED = "cancelled", _("已撤销（评价作废）")


class ComplaintChannel(models.TextChoices):
    ONLINE = "online", _("网上投诉")
    PHONE = "phone", _("电话投诉")
    WINDOW = "window", _("窗口投诉")


class ComplaintState(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已分派")
    INVESTIGATING = "investigating", _("调查中")
    CONCLUDED = "concluded", _("已办结")


class Finding(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("属实")
    PARTLY = "partly", _("部分属实")
    UNSUBSTANTIATED = "unsubstantiated", _("不属实")


BAD_RATING_MAX = 2
TICKET_LIMIT_DAYS = 15
COMPLAINT_LIMIT_DAYS = 15
ASSIGN_LIMIT_DAYS = 1
REMINDER_AFTER_DAYS = 3
