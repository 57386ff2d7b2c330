"""Reads of patrols: a grid's coverage over a period (量化考核 and statistics read it), a walker's
patrols."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from gongzhi.areas.models import Area
from gongzhi.domain import patrols as dp
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.patrols import PatrolStatus

from . import scope
from .models import Patrol, TrackPoint
from .services import sight


def _bounds(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """Datetimes are [start, end); dates are whole days, both included (Asia/Shanghai)."""
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0), SHANGHAI)
    if not isinstance(end, datetime):
        end = datetime.combine(end + timedelta(days=1), time(0), SHANGHAI)
    return start, end


def grid_coverage(grid: Area | int, start: date | datetime, end: date | datetime) -> float | None:
    """The share of the grid walked by any of its patrols between start and end (their fixes taken
    in that time, all patrols united: two workers on one street count it once); None for a grid
    without a polygon (unknown, not 0)."""
    area = grid if isinstance(grid, Area) else Area.objects.get(pk=grid)
    if not area.geometry:
        return None
    lo, hi = _bounds(start, end)
    tracks: dict[int, list] = defaultdict(list)
    for pid, lon, lat in (TrackPoint.objects.filter(patrol__grid=area, at__gte=lo, at__lt=hi)
                          .order_by("patrol_id", "at").values_list("patrol_id", "lon", "lat").iterator()):
        tracks[pid].append((lon, lat))
    try:
        return round(dp.coverage(area.geometry, tracks.values(), **sight()), 4)
    except dp.BadGeometry:
        return None


def coverage(grid: Area | int, start: date | datetime, end: date | datetime) -> float:
    """``grid_coverage`` as a number 0..1 for scorecards: a grid without a polygon scores 0."""
    return grid_coverage(grid, start, end) or 0.0


def running(user) -> Patrol | None:
    return Patrol.objects.filter(walker=user, status=PatrolStatus.ACTIVE).select_related("grid").first()


def patrols(user, *, limit: int = 50):
    return scope.visible_patrols(user).select_related("grid", "walker__profile").order_by("-started_at")[:limit]


def patrol_json(p: Patrol) -> dict:
    return {"id": p.id, "number": p.number, "client_key": p.client_key, "status": p.status,
            "status_label": PatrolStatus(p.status).label, "grid": p.grid.code, "grid_name": p.grid.name,
            "started_at": p.started_at, "ended_at": p.ended_at, "points": p.points,
            "length_m": p.length_m, "coverage": p.coverage}
