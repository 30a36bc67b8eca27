"""Common opinion phrases (常用意见): catalogue data the admins keep, with history (approvals/phrases.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..constants import PhraseTransition


class OpinionPhrase(models.Model):
    """One phrase the reviewer or the decider can pick on one transition's form (it goes into the form's
    opinion or reasons). Retired by unticking 在用, so the history keeps what was offered."""

    transition = models.CharField(_("用于"), max_length=30, choices=PhraseTransition.choices)
    text = models.CharField(_("常用意见"), max_length=200)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    active = models.BooleanField(_("在用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["transition", "order", "id"]
        verbose_name = _("常用意见")
        verbose_name_plural = _("常用意见")
        constraints = [
            models.UniqueConstraint(fields=["transition", "text"], name="opinion_phrase_once_per_transition")
        ]

    def __str__(self) -> str:
        return self.text
