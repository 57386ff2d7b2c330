"""Daily rollups of the KPI measures (domain/kpi.py), maintained by ``gongzhi stats-refresh``."""
from django.db import models

from gongzhi.areas.models import Area
from gongzhi.domain.kpi import MEASURES


class GridAncestor(models.Model):
    """Each grid with each of its ancestors (and itself): the rollup's join to every area level."""
    grid = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    ancestor = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grid", "ancestor"], name="uniq_grid_ancestor")]


class Daily(models.Model):
    """Measures of the events reported on ``day`` in ``area`` (any level), optionally split by one
    dimension (category code, kind, channel, or handling unit "d:CODE"/"a:CODE")."""
    day = models.DateField()
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField()
    dim = models.CharField(max_length=12, default="", blank=True)
    key = models.CharField(max_length=48, default="", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "日统计"
        constraints = [models.UniqueConstraint(fields=["area", "dim", "key", "day"], name="uniq_daily")]
        indexes = [models.Index(fields=["level", "dim", "day"], name="daily_level_dim_day")]


for _name in MEASURES:
    Daily.add_to_class(_name, models.IntegerField(default=0))


class State(models.Model):
    """Watermarks of the refresh job (the last timeline row it has folded in)."""
    key = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
