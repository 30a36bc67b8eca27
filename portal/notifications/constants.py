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


class Event(models.TextChoices):
    """Every event the portal sends a notification for (catalog.DEFAULTS has each one's wording), by the name
    the admin and the staff read."""

    APPLICATION_RECEIVED = "application.received", _("申请已收到")
    CASE_CORRECTION_REQUESTED = "case.correction_requested", _("一次性告知补正")
    CASE_NOT_ACCEPTED = "case.not_accepted", _("不予受理")
    CASE_ACCEPTED = "case.accepted", _("申请已受理")
    CASE_SUSPENDED = "case.suspended", _("进入特别程序（中止计时）")
    CASE_RESUMED = "case.resumed", _("恢复办理（恢复计时）")
    CASE_EXTENDED = "case.extended", _("延长法定期限")
    CASE_APPROVED = "case.approved", _("准予许可")
    CASE_DENIED = "case.denied", _("不予许可")
    CASE_RESULT_READY = "case.result_ready", _("办理结果已送达")
    CASE_WITHDRAWN = "case.withdrawn", _("申请已撤回")
    CASE_TERMINATED = "case.terminated", _("终止办理")
    CASE_REVOKED = "case.revoked", _("许可已撤销")
    CASE_LICENCE_REISSUED = "case.licence_reissued", _("证照已换发")
    CASE_AFTER_CHECK_PASSED = "case.after_check_passed", _("事后核查通过")
    CASE_DEFERRED_FAULTY = "case.deferred_faulty", _("容缺后补材料需重新提交")
    RATING_INVITATION = "rating.invitation", _("邀请评价服务")
    RATING_REMINDER = "rating.reminder", _("提醒评价服务")
    COMPLAINT_REGISTERED = "complaint.registered", _("投诉已登记")
    COMPLAINT_CONCLUDED = "complaint.concluded", _("投诉已办结")
    COMPLAINT_ASSIGNED = "complaint.assigned", _("新投诉待办")
    STAFF_NEW_WORK = "staff.new_work", _("新的待办件")
    STAFF_NEW_SUBMISSION = "staff.new_submission", _("新的网上申请待受理")
    STAFF_REFUSAL_PROPOSED = "staff.refusal_proposed", _("不予受理待签批")
    STAFF_REFUSAL_DECIDED = "staff.refusal_decided", _("不予受理签批结果")
    STAFF_CO_APPROVAL_NEW = "staff.co_approval_new", _("并联审批协办待办")
    STAFF_CO_APPROVAL_ANSWERED = "staff.co_approval_answered", _("协办部门已答复")
    STAFF_CO_APPROVAL_RESOLVED = "staff.co_approval_resolved", _("协办分歧处理结果")
    STAFF_DEFERRED_SUPPLIED = "staff.deferred_supplied", _("容缺后补材料待核验")
    STAFF_STEP_WARNING = "staff.step_warning", _("环节超时提醒")
    STAFF_DAILY_DIGEST = "staff.daily_digest", _("今日待办摘要")
    ALERT_RAISED = "alert.raised", _("效能预警")
    TICKET_OPENED = "ticket.opened", _("差评整改工单")
    TICKET_CANCELLED = "ticket.cancelled", _("整改工单已撤销")
    HALL_APPOINTMENT_REMINDER = "hall.appointment_reminder", _("大厅预约提醒")
    HALL_WAIT_ALERT = "hall.wait_alert", _("大厅等候超时预警")
