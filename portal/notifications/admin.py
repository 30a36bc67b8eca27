from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.history_admin import HistoryAdmin

from . import services
from .constants import DeliveryStatus
from .models import Delivery, DeliveryAttempt, MessageTemplate, Notification


@admin.register(MessageTemplate)
class MessageTemplateAdmin(HistoryAdmin):
    list_display = ["event", "channel", "language", "subject_preview", "active"]
    list_filter = ["event", "channel", "language", "active"]
    search_fields = ["event", "subject", "body"]

    @admin.display(description=_("标题"))
    def subject_preview(self, obj: MessageTemplate) -> str:
        """The subject as it reads, each value it is filled with named in words (〈事项名称〉), not the
        template's own syntax."""
        return template_preview(obj.subject)


# The values a message is filled with, named for the admins' preview.
VARIABLE_NAMES = {
    "item_name": _("事项名称"),
    "reference": _("申报号"),
    "answer_label": _("协办意见"),
    "department": _("部门"),
    "business_type": _("业务类型"),
    "level_label": _("预警等级"),
    "number": _("编号"),
    "promised_due": _("承诺办结日期"),
    "statutory_due": _("法定办结日期"),
    "reason": _("理由"),
    "kind": _("特别程序"),
    "expected_days": _("预计工作日"),
}


def template_preview(text: str) -> str:
    import re

    from django.template import Context, Engine

    names = set(re.findall(r"{{\s*(\w+)", text)) | set(re.findall(r"{%\s*if\s+(?:not\s+)?(\w+)", text))
    context = {name: f"〈{VARIABLE_NAMES.get(name, _('内容'))}〉" for name in names}
    try:
        return Engine().from_string(text).render(Context(context))
    except Exception:  # a template an admin is still writing: shown as typed
        return text


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "ok", "provider_answer"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    # the idempotency key is the gateway's, not a person's: searchable, not shown
    list_display = ["notification", "channel", "status", "attempts", "updated_at", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["idempotency_key", "notification__case_reference"]
    readonly_fields = tuple(f.name for f in Delivery._meta.fields if f.name not in ("id", "idempotency_key"))
    fields = tuple(readonly_fields)
    inlines = [AttemptInline]
    actions = ["resend"]

    @admin.action(description=_("重新发送所选的失败消息"))
    def resend(self, request, queryset):
        failed = list(queryset.filter(status=DeliveryStatus.FAILED))
        for delivery in failed:
            services.delivery_resend(delivery=delivery)
        n = len(failed)
        self.message_user(
            request,
            ngettext("已重新排队 %(n)s 条消息。", "已重新排队 %(n)s 条消息。", n) % {"n": n},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "event", "subject", "case_reference", "read_at"]
    list_filter = ["event"]
    search_fields = ["case_reference", "subject"]
    # the event by its name; the context (the values the wording was filled with, by their keys) stays out:
    # the subject and the body say it in words
    readonly_fields = tuple(f.name for f in Notification._meta.fields if f.name not in ("id", "context"))
    fields = tuple(readonly_fields)
