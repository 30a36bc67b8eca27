from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


# Events that always reach the inbox whatever the user chose (decisions), and staff events.
ALWAYS_INBOX = {"case.approved", "case.denied"}
MAX_ATTEMPTS = 5
# The Celery task that sends one delivery (tasks.deliver); services queue it by this name.
DELIVER_TASK = "portal.notifications.tasks.deliver"
