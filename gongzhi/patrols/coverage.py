"""This month's patrol coverage per grid, computed by the worker and read by the statistics pages.

``refresh`` recomputes every grid that had fixes this month (and records 0 for the others: a grid
nobody walked is 0 %, not unknown) — run every 10 minutes (ops.periodic) and after the demo.
``of_month`` reads the stored values; the pages never unite tracks themselves.
"""
from __future__ import annotations

from datetime import date

from django.db.models import Avg
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.domain.enums import Level

from .models import MonthCoverage, TrackPoint
from .selectors import _bounds, grid_coverage


def refresh(day: date | None = None) -> int:
    """Store each grid's coverage from the 1st of ``day``'s month to ``day``; returns grids stored."""
    day = day or timezone.localdate()
    first = day.replace(day=1)
    lo, hi = _bounds(first, day)
    walked = set(TrackPoint.objects.filter(at__gte=lo, at__lt=hi).values_list("patrol__grid_id", flat=True)
                 .distinct().order_by())
    now = timezone.now()
    grids = Area.objects.filter(level__in=(Level.GRID, Level.MICRO_GRID))
    for g in grids:
        value = grid_coverage(g, first, day) if g.pk in walked else (0.0 if g.geometry else None)
        MonthCoverage.objects.update_or_create(grid=g, month=first,
                                               defaults={"value": value, "upto": day, "computed_at": now})
    return len(grids)


def of_month(area: Area, day: date) -> dict[int, float | None]:
    """grid id → this month's coverage (0..1) for the grids under ``area`` that have been computed."""
    rows = MonthCoverage.objects.filter(grid__path__startswith=area.path, month=day.replace(day=1))
    return dict(rows.values_list("grid_id", "value"))


def average(area: Area, day: date) -> float | None:
    """The mean coverage this month of the grids under ``area`` (each grid counts once)."""
    return MonthCoverage.objects.filter(grid__path__startswith=area.path, month=day.replace(day=1),
                                        value__isnull=False).aggregate(v=Avg("value"))["v"]
