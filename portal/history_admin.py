"""The admin's history pages in words, for every model with history (django-simple-history).

simple-history's list already names each changed field by its verbose name; its values are the stored
ones (``True``, ``draft``, ``[a, b]``). ``HistoryAdmin`` shows them as a person reads them — a choice's
label, 是/否, a list joined with 、, a time in local time — and the reason of each row in words
(templates/simple_history/object_history_list.html, portal/audit.py ``reason_label``). Every admin with
history derives from it instead of ``SimpleHistoryAdmin``."""

import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


def value_in_words(field: Any, value: Any) -> Any:
    """One stored value of ``field`` as a person reads it."""
    if value is None or value == "" or value == [] or (isinstance(value, DeletedObject) and value.pk is None):
        return _("（空）")
    if isinstance(value, DeletedObject):
        return _("（已删除的%(model)s）") % {"model": value.model._meta.verbose_name}
    if isinstance(field, models.BooleanField):
        return _("是") if value else _("否")
    choices = getattr(field, "flatchoices", None)
    if choices and not isinstance(value, list):
        return str(dict(choices).get(value, value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    return value


class WordsContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        prepared = super().prepare_delta_change_value(change, value)
        return value_in_words(self.model._meta.get_field(change.field), prepared)


class HistoryAdmin(SimpleHistoryAdmin):
    def get_historical_record_context_helper(self, request: Any, historical_record: Any) -> Any:
        return WordsContextHelper(self.model, historical_record)
