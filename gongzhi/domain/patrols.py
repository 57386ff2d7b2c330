"""Patrols (巡查) and the field's offline queue, as rules: a patrol's lifecycle table, how much of a
grid a walked track covered, when a forgotten patrol ends by itself, and what a queued offline action
becomes when it reaches the server.  Pure Python (shapely for the geometry): the services load and
store, these decide.

Coverage (覆盖率) is measured, not guessed:

1. the grid polygon and every track are put into one local plane in metres (an equirectangular
   projection around the grid's centre: at grid scale — a few km — its error is far below a GPS
   fix's);
2. a track is cut where two consecutive fixes lie more than ``max_step_m`` apart (a gap in the
   signal, a ride on a bus: the straight line between them was not walked), so only its walked
   pieces count; a lone fix counts as a point;
3. each piece is buffered by ``sight_m`` on either side (what a walking worker sees of the street),
   all pieces of all tracks are united, so walking a street twice counts it once;
4. coverage = area(union ∩ grid) / area(grid), in [0, 1].
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import shapely
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from .enums import LabelledEnum
from .workflow import rule

# Mean Earth radius (IUGG), metres: one degree of latitude ≈ 111,195 m.
EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180

LonLat = tuple[float, float]


class BadGeometry(ValueError):
    pass


class Plane:
    """Lon/lat (WGS-84 degrees) → metres east/north of an origin (equirectangular)."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.kx = _M_PER_DEG * math.cos(math.radians(lat0))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * _M_PER_DEG

    def geometry(self, geojson: dict) -> BaseGeometry:
        return shapely.transform(shape(geojson), lambda c: (c - (self.lon0, self.lat0)) * (self.kx, _M_PER_DEG))


def distance_m(a: LonLat, b: LonLat) -> float:
    """Metres between two fixes (equirectangular at their mean latitude: exact enough below ~10 km)."""
    kx = _M_PER_DEG * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * _M_PER_DEG)


def walked_pieces(track: Sequence[LonLat], max_step_m: float) -> list[list[LonLat]]:
    """The track cut wherever two consecutive fixes are more than ``max_step_m`` apart (exactly
    ``max_step_m`` still joins; distances are taken to the centimetre, finer than any fix).  Each
    piece keeps its order; a piece may be one fix."""
    pieces: list[list[LonLat]] = []
    for fix in track:
        if pieces and round(distance_m(pieces[-1][-1], fix), 2) <= max_step_m:
            pieces[-1].append(fix)
        else:
            pieces.append([fix])
    return pieces


def swept(tracks: Iterable[Sequence[LonLat]], plane: Plane, *, sight_m: float, max_step_m: float) -> BaseGeometry:
    """The ground the tracks saw, in ``plane``'s metres (step 2 and 3 of the module's algorithm)."""
    shapes = []
    for track in tracks:
        for piece in walked_pieces(track, max_step_m):
            pts = [plane.xy(lon, lat) for lon, lat in piece]
            geom = Point(pts[0]) if len(set(pts)) == 1 else LineString(pts)
            shapes.append(geom.buffer(sight_m))
    return unary_union(shapes) if shapes else Point(0, 0).buffer(0)


def coverage(grid: dict, tracks: Iterable[Sequence[LonLat]], *, sight_m: float, max_step_m: float) -> float:
    """The share of the grid's area (a GeoJSON Polygon/MultiPolygon, WGS-84) the tracks covered,
    0..1.  A grid without an area (no polygon, a degenerate one) is refused: its coverage is not 0,
    it is unknown."""
    if not grid or sight_m <= 0:
        raise BadGeometry("网格没有边界或巡查视距不为正，无法计算覆盖率")
    try:
        lon0, lat0 = shape(grid).centroid.coords[0]
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise BadGeometry(f"网格边界无效: {exc}") from exc
    plane = Plane(lon0, lat0)
    area = plane.geometry(grid)
    if not area.is_valid:
        area = area.buffer(0)
    if area.area <= 0:
        raise BadGeometry("网格边界面积为零，无法计算覆盖率")
    seen = swept(tracks, plane, sight_m=sight_m, max_step_m=max_step_m)
    return min(1.0, max(0.0, seen.intersection(area).area / area.area))


def track_length_m(track: Sequence[LonLat], max_step_m: float) -> float:
    """Metres walked: the pieces' lengths (a jump over a gap is not walked)."""
    return sum(distance_m(a, b) for piece in walked_pieces(track, max_step_m)
               for a, b in zip(piece, piece[1:], strict=False))


# ---- the patrol's lifecycle (CaseKind.PATROL on the engine) ----

class PatrolStatus(LabelledEnum):
    ACTIVE = "active", "巡查中"
    ENDED = "ended", "已结束"
    AUTO_ENDED = "auto_ended", "超时自动结束"


class PatrolAction(LabelledEnum):
    START = "start", "开始巡查"
    END = "end", "结束巡查"
    AUTO_END = "auto_end", "超时自动结束"


class Cap(StrEnum):
    WALKER = "walker"        # the grid worker whose patrol it is
    SYSTEM = "system"        # the sweep


PS, PA = PatrolStatus, PatrolAction

# START is the patrol's creation (patrols.services.patrol_start), not a step of this table.
PATROL_TRANSITIONS = {
    PA.END: rule({PS.ACTIVE}, PS.ENDED, Cap.WALKER),
    PA.AUTO_END: rule({PS.ACTIVE}, PS.AUTO_ENDED, Cap.SYSTEM),
}


def auto_end_due(started_at: datetime, now: datetime, max_hours: float) -> bool:
    """A patrol still running ``max_hours`` after it started was forgotten: the sweep ends it.
    Exactly at the limit it still runs."""
    return now - started_at > timedelta(hours=max_hours)


def ends_at(started_at: datetime, last_fix_at: datetime | None, now: datetime, max_hours: float) -> datetime:
    """When an auto-ended patrol is taken to have ended: its last fix (the walk stopped there),
    never later than the limit, and never before its start."""
    limit = started_at + timedelta(hours=max_hours)
    end = min(last_fix_at or started_at, limit, now)
    return max(end, started_at)


# ---- the offline queue: what a queued action becomes on the server ----

class SyncKind(LabelledEnum):
    TASK_DONE = "task_done", "完成清单任务"
    REPORT = "report", "上报事件"
    PATROL_START = "patrol_start", "开始巡查"
    PATROL_POINTS = "patrol_points", "巡查轨迹点"
    PATROL_END = "patrol_end", "结束巡查"


class SyncOutcome(LabelledEnum):
    DONE = "done", "已同步"
    CONFLICT = "conflict", "冲突：服务器上的状态已变化"


@dataclass(frozen=True)
class Fix:
    """One GPS fix as the phone sent it (before conversion to WGS-84)."""

    lon: float
    lat: float
    at: datetime
    accuracy_m: float | None = None


def usable_fixes(fixes: Iterable[Fix], *, started_at: datetime, now: datetime, max_accuracy_m: float,
                 clock_skew: timedelta) -> list[Fix]:
    """The fixes a patrol keeps: taken after it started and not in the future (a phone's clock may
    run ``clock_skew`` ahead), and not vaguer than ``max_accuracy_m`` (a cell-tower fix 1 km off
    would paint the grid covered).  Sorted by time; the same moment twice is kept once."""
    seen, out = set(), []
    for f in sorted(fixes, key=lambda f: f.at):
        if f.at < started_at or f.at > now + clock_skew:
            continue
        if f.accuracy_m is not None and f.accuracy_m > max_accuracy_m:
            continue
        if f.at in seen:
            continue
        seen.add(f.at)
        out.append(f)
    return out
