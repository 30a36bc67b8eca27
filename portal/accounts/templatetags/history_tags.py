"""The admin's history list in words (templates/simple_history/object_history_list.html): the reason of each
row as its label (portal/audit.py), not the code a service recorded."""

from typing import Any

from django import template

from portal.audit import reason_label

register = template.Library()


@register.simple_tag
def history_reason(record: Any) -> str:
    return reason_label(getattr(record, "history_change_reason", ""), getattr(record, "instance_type", None))
