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
def has_role(user, roles: str) -> bool:  # type: ignore[no-untyped-def]
    """``{% if user|has_role:"clerk,reviewer" %}``: the user holds any of the comma-separated roles."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(*[r.strip() for r in roles.split(",") if r.strip()])
