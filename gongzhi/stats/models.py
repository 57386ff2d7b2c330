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


class Folded(models.Model):
    """Each event as the rollup holds it: the columns the measures and dimensions read
    (``rollup.KEPT``, the events' own names and types), as the refresh last folded them in.  At
    every commit ``stats_daily`` is the GROUP BY of these rows (ADR 0015); a change is folded in by
    subtracting this row's contribution and adding the event's new one.

    No foreign keys: a key would cost an index and a check per fold, and an event deleted by hand
    must stay counted here until the check finds it and a rebuild removes it (not vanish silently)."""
    event_id = models.BigIntegerField(primary_key=True)
    seen = models.BigIntegerField(default=0)      # the newest timeline row folded in for it (0: rebuilt)
    reported_on = models.DateField(null=True)
    area_id = models.BigIntegerField()
    category_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    channel = models.CharField(max_length=16)
    handler_area_id = models.BigIntegerField()
    handler_department_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16)
    sla_flag = models.CharField(max_length=8)
    dispatched_at = models.DateTimeField(null=True)
    signed_on_time = models.BooleanField(null=True)
    handle_started_at = models.DateTimeField(null=True)
    resolved_on_time = models.BooleanField(null=True)
    returns = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True)
    reopens = models.PositiveSmallIntegerField(default=0)
    satisfaction = models.PositiveSmallIntegerField(null=True)
    closed_workdays = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计快照"
