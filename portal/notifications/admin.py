from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.history_admin import HistoryAdmin

from . import services
from .constants import DeliveryStatus
from .models import Delivery, DeliveryAttempt, MessageTemplate, Notification


@admin.register(MessageTemplate)
class MessageTemplateAdmin(HistoryAdmin):
    list_display = ["event", "channel", "language", "subject", "active"]
    list_filter = ["event", "channel", "language", "active"]
    search_fields = ["event", "subject", "body"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "ok", "provider_answer"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "channel", "status", "attempts", "updated_at", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["idempotency_key", "notification__case_reference"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
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
    readonly_fields = fields = [f.name for f in Notification._meta.fields if f.name not in ("id", "context")]
