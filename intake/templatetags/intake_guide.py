"""Template helpers of the item guide."""

from django import template

from ..constants import MODE_HINTS, HandlingMode

register = template.Library()


@register.simple_tag
def item_modes(item) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(value, label, one plain line) for each handling mode the item allows."""
    return [(m, HandlingMode(m).label, MODE_HINTS[HandlingMode(m)]) for m in item.modes]
