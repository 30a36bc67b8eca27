from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .constants import DayKind, DaySource


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered. Years without one fall back to
    weekends-off and every date computed from them is provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    published = models.BooleanField(_("已公布官方安排"), default=True)
    source = models.CharField(_("来源"), max_length=10, choices=DaySource.choices, default=DaySource.ADMIN)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A dated override of the weekend rule: a holiday off or a make-up working day (调休) on."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("节日名称"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=DaySource.choices, default=DaySource.ADMIN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
