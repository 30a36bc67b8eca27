from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休）")
    WORKDAY = "workday", _("调休上班日（班）")


class DaySource(models.TextChoices):
    SEED = "seed", _("国务院节假日安排（内置数据）")
    IMPORT = "import", _("官方安排导入")
    ADMIN = "admin", _("管理员维护")


class LimitUnit(models.TextChoices):
    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")
