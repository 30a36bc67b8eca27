from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups of the same name (see ``roles.py`` for their permissions)."""

    CITIZEN = "citizen", _("自然人申请人")
    ENTERPRISE = "enterprise", _("法人申请人")
    CLERK = "clerk", _("综合受理窗口")
    REVIEWER = "reviewer", _("审查岗")
    DECIDER = "decider", _("决定岗")
    HEAD = "head", _("部门负责人")
    INSPECTOR = "inspector", _("效能办")
    CATALOGUE_ADMIN = "catalogue_admin", _("事项管理员")


STAFF_ROLES = frozenset(
    {Role.CLERK, Role.REVIEWER, Role.DECIDER, Role.HEAD, Role.INSPECTOR, Role.CATALOGUE_ADMIN}
)
APPLICANT_ROLES = frozenset({Role.CITIZEN, Role.ENTERPRISE})


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
