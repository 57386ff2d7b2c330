"""Point → grid lookup with an STR-tree over the grid polygons.

The tree is built once per process from the grids' GeoJSON and rebuilt when the grid table
changes (count or last update differs) — checked at most every few seconds, so a lookup
is a pure in-memory query in the hot intake path.
"""
from __future__ import annotations

import threading
import time

import shapely
from django.db.models import Count, Max
from shapely.geometry import shape

from gongzhi.domain.enums import Level

from .models import Area

GRID_LEVELS = (Level.GRID, Level.MICRO_GRID)
CHECK_EVERY = 5.0


class _GridIndex:
    def __init__(self):
        self.lock = threading.Lock()
        self.stamp = None
        self.checked = 0.0
        # (STR-tree, areas, levels, ids), replaced as one tuple so a reader never mixes two builds;
        # the Area rows are read-only and shared by the requests of this process.
        self.snapshot = None

    def _current_stamp(self):
        agg = Area.objects.filter(level__in=GRID_LEVELS, geometry__isnull=False).aggregate(
            n=Count("id"), last=Max("updated_at"))
        return agg["n"], agg["last"]

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self.snapshot is not None and now - self.checked < CHECK_EVERY:
            return
        with self.lock:
            stamp = self._current_stamp()
            self.checked = now
            if stamp == self.stamp and self.snapshot is not None and not force:
                return
            rows = list(Area.objects.filter(level__in=GRID_LEVELS, geometry__isnull=False).order_by("id"))
            geoms = [shape(a.geometry) for a in rows]
            tree = shapely.STRtree(geoms) if geoms else None
            self.snapshot = (tree, rows, [a.level for a in rows], [a.id for a in rows])
            self.stamp = stamp

    def locate(self, lon: float, lat: float) -> Area | None:
        """The finest grid containing the point (a micro-grid beats its grid)."""
        self.refresh()
        tree, areas, levels, ids = self.snapshot
        if tree is None:
            return None
        # shapely.points, not Point(lon, lat): the same geometry without the class's numpy
        # argument handling, half of a lookup's instructions.
        hits = tree.query(shapely.points((lon, lat)), predicate="intersects")
        if len(hits) == 0:
            return None
        # A point on a shared border touches two grids: the finer level, then the lower id, wins.
        best = max(hits, key=lambda i: (levels[i], -ids[i]))
        return areas[best]


GRID_INDEX = _GridIndex()


def grid_at(lon: float, lat: float) -> Area | None:
    """The grid at a WGS-84 point, from memory (no query once the index is warm)."""
    return GRID_INDEX.locate(lon, lat)
