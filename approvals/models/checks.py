"""The window's material check (材料核验): one row per material of the case's item, kept as the clerk goes,
so a reload, another clerk or the next day finds it, and the correction notice is made from it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models import Material

from ..constants import MaterialVerdict
from .case import Case


class MaterialReview(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="material_reviews", verbose_name=_("办件")
    )
    # PROTECT: catalogue rows are retired, never deleted (intake/services/catalogue_rows.py)
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请材料")
    )
    material_name = models.CharField(_("材料名称"), max_length=200)
    verdict = models.CharField(_("核验结果"), max_length=4, choices=MaterialVerdict.choices)
    problem = models.CharField(_("存在问题"), max_length=300, blank=True)
    original_seen = models.BooleanField(_("已核验原件"), default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("核验人"),
    )
    checked_at = models.DateTimeField(_("核验时间"))

    class Meta:
        ordering = ["case", "material__order", "material_id"]
        verbose_name = _("材料核验")
        verbose_name_plural = _("材料核验")
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="material_review_once_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.material_name}: {self.get_verdict_display()}"
