"""Template helpers of the item guide."""

from django import template

from ..constants import MODE_HINTS, HandlingMode

register = template.Library()


@register.simple_tag
def item_modes(item) -> list[tuple[str, str, str]]:
    """(value, label, one plain line) for each handling mode the item allows."""
    return [(m, str(HandlingMode(m).label), str(MODE_HINTS[HandlingMode(m)])) for m in item.modes]
