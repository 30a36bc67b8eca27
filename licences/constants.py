from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenceStatus(models.TextChoices):
    """The stored status; "expired" is not stored: a valid licence past its last day shows as expired."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    REPLACED = "replaced", _("已换发")


class VerifyAnswer(models.TextChoices):
    """What the public verification (证照核验) answers about a licence."""

    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")
    REPLACED = "replaced", _("已换发（原证作废）")


# Where a licence type's printed fields come from: the case, or the application form (``form.<key>``).
CASE_SOURCES = {
    "holder": _("持证人"),
    "item": _("事项名称"),
    "reference": _("申报号"),
    "department": _("发证机关"),
}
DEFAULT_PATTERN = "{dept}{year}{seq:06d}"
