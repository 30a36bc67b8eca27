"""Template helpers every app uses: masking of personal data in staff lists and role checks."""

from django import template

from ..validators import mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value: str | None) -> str:
    """``110101199003071234`` → ``1101**********1234`` (resident ID or credit code)."""
    return mask_id_number(str(value or ""))


@register.filter
def mask_ids_in_text(value: object) -> str:
    """Free text (an answer on an application form) with every resident ID number in it masked."""
    from portal.pii import mask_text

    return mask_text(str(value if value is not None else ""))


@register.filter(name="mask_phone")
def mask_phone_filter(value: str | None) -> str:
    """``13912345678`` → ``139****5678``."""
    return mask_phone(str(value or ""))


@register.filter
def has_role(user, roles: str) -> bool:
    """``{% if user|has_role:"clerk,reviewer" %}``: the user holds any of the comma-separated roles."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(*[r.strip() for r in roles.split(",") if r.strip()])


@register.inclusion_tag("partials/nav_item.html", takes_context=True)
def nav_item(context, url_name: str, label: str, badge: int = 0, badge_label: str = "", exact: bool = False):
    """One link of the main navigation, marked as the current section when the page is under it (``exact``:
    only on that page, for a link whose address is the start of other sections' addresses)."""
    from django.urls import reverse

    href = reverse(url_name)
    request = context.get("request")
    path = getattr(request, "path", "")
    active = path == href if exact or href == "/" else path.startswith(href)
    return {"href": href, "label": label, "active": active, "badge": badge, "badge_label": badge_label}


def _anchor(bound_field) -> str:
    """The id a link in the error summary points at: the control that takes the focus (crispy-forms-gds
    numbers radios and checkboxes of a group from 1)."""
    from django.forms import CheckboxSelectMultiple, RadioSelect

    if isinstance(bound_field.field.widget, RadioSelect | CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    return bound_field.id_for_label or bound_field.auto_id or bound_field.html_name


@register.inclusion_tag("partials/error_summary.html")
def error_summary(errors, anchors: str = ""):
    """GOV.UK's error summary at the top of a page: one link per message to the field it is about.

    ``errors`` is a Django form, a dict of field name → messages (hand-made forms; ``anchors`` maps a name to
    its control's id, ``"overall=overall-5,comment=comment"``, else the name is the id), or a list of
    ``(id, message)`` pairs."""
    from django.forms import BaseForm

    items: list[tuple[str, str]] = []
    if isinstance(errors, BaseForm):
        if errors.is_bound and errors.errors:
            visible = list(errors.visible_fields())
            first = _anchor(visible[0]) if visible else ""
            items += [(first, str(e)) for e in errors.non_field_errors()]
            items += [(_anchor(bf), str(e)) for bf in visible for e in bf.errors]
    elif isinstance(errors, dict):
        where = dict(pair.split("=", 1) for pair in anchors.split(",") if "=" in pair)
        for key, messages in errors.items():
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                items.append((str(where.get(key, key)), str(message)))
    elif errors:
        items = [(str(a), str(m)) for a, m in errors]
    return {"items": items}
