"""The admin's yes/no icons with Chinese alternative text.

Django draws a boolean in the admin's lists and read-only fields as an icon whose ``alt`` is the Python value
(``alt="True"``), which a screen reader reads out in English and no translation catalogue reaches. Every
caller (``admin.utils.display_for_field``, ``display_for_value``, ``helpers.AdminReadonlyField``) imports
``_boolean_icon`` from ``admin_list`` when it draws, so replacing it there once, at start-up, covers them all.
"""

from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

ICONS = {True: "yes", False: "no", None: "unknown"}


def boolean_icon(field_val: bool | None) -> SafeString:
    words = {True: _("是"), False: _("否"), None: _("未知")}
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{ICONS[field_val]}.svg"), words[field_val]
    )


def install() -> None:
    admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]
