"""Grid maps as inline SVG: no tile server, no network, no JS library needed to read them.

Coordinates are projected with Web Mercator, the projection of every XYZ tile service, so that an
optional intranet tile layer (``GONGZHI_TILE_URL`` such as a 天地图 mirror,
``http://tiles.example/{z}/{x}/{y}.png``) lines up with the polygons when it is configured. The
page script inverts the same projection to turn a tap on the map into WGS-84 lon/lat.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from shapely.geometry import shape

WIDTH = 1000.0
TILE = 256


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → Web Mercator in units of the whole world (0..1, y down)."""
    x = (lon + 180.0) / 360.0
    s = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
    return x, y


@dataclass
class SvgMap:
    x0: float
    y0: float
    scale: float           # SVG units per world unit
    height: float
    grids: list[dict] = field(default_factory=list)
    pins: list[dict] = field(default_factory=list)
    tiles: list[dict] = field(default_factory=list)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = mercator(lon, lat)
        return round((x - self.x0) * self.scale, 1), round((y - self.y0) * self.scale, 1)

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH:.0f} {self.height:.0f}"


def _rings(geometry: dict):
    geom = shape(geometry)
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    for poly in polys:
        yield list(poly.exterior.coords)


def build(grids, events=(), highlight: str | None = None, margin: float = 0.04) -> SvgMap | None:
    """A map of ``grids`` (Areas with geometry) and ``events`` (objects with lon/lat/sla_flag)."""
    rings = [(g, list(_rings(g.geometry))) for g in grids if g.geometry]
    if not rings:
        return None
    pts = [mercator(lon, lat) for _, rs in rings for r in rs for lon, lat in r]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    x0, y0 = min(xs) - w * margin, min(ys) - h * margin
    scale = WIDTH / (w * (1 + 2 * margin))
    m = SvgMap(x0=x0, y0=y0, scale=scale, height=round(h * (1 + 2 * margin) * scale, 1))
    for g, rs in rings:
        points = [" ".join("{},{}".format(*m.xy(lon, lat)) for lon, lat in r) for r in rs]
        c = shape(g.geometry).representative_point()
        lx, ly = m.xy(c.x, c.y)
        m.grids.append({"code": g.code, "name": g.name, "points": points, "lx": lx, "ly": ly,
                        "on": g.code == highlight})
    for ev in events:
        if ev.lon is None or ev.lat is None:
            continue
        x, y = m.xy(ev.lon, ev.lat)
        m.pins.append({"x": x, "y": y, "flag": ev.sla_flag, "id": ev.id, "title": ev.title,
                       "number": ev.number})
    if getattr(settings, "GONGZHI_TILE_URL", ""):
        m.tiles = _tiles(m, settings.GONGZHI_TILE_URL)
    return m


def _tiles(m: SvgMap, url: str) -> list[dict]:
    # The zoom at which the map's width spans about four tiles.
    world_w = WIDTH / m.scale
    z = max(0, min(18, round(math.log2(4 / world_w))))
    n = 2 ** z
    x1, y1 = m.x0 + WIDTH / m.scale, m.y0 + m.height / m.scale
    size = m.scale / n
    out = []
    for tx in range(int(m.x0 * n), int(x1 * n) + 1):
        for ty in range(int(m.y0 * n), int(y1 * n) + 1):
            out.append({"href": url.format(z=z, x=tx, y=ty), "x": round((tx / n - m.x0) * m.scale, 1),
                        "y": round((ty / n - m.y0) * m.scale, 1), "size": round(size, 1)})
    return out


# ---- the web map (Leaflet): the same grids as GeoJSON ---------------------------------------------
# The SVG above stays as what a page shows without its script; the script draws these instead.

def _round(coords, places: int = 6):
    # 6 decimals of a degree are ~0.1 m: enough for a boundary, a third of the bytes of a float.
    if isinstance(coords, (int, float)):
        return round(coords, places)
    return [_round(c, places) for c in coords]


def grid_features(grids) -> dict:
    """The grids as a GeoJSON FeatureCollection, each with its code, name, its community's name and
    a point inside it for the label (a centroid can fall outside an L-shaped grid)."""
    features = []
    for g in grids:
        if not g.geometry:
            continue
        p = shape(g.geometry).representative_point()
        parent = g.parent if g.parent_id else None
        features.append({"type": "Feature", "id": g.code,
                         "geometry": {"type": g.geometry["type"], "coordinates": _round(g.geometry["coordinates"])},
                         "properties": {"code": g.code, "name": g.name, "label": [round(p.x, 6), round(p.y, 6)],
                                        "community": parent.code if parent else "",
                                        "community_name": parent.name if parent else ""}})
    return {"type": "FeatureCollection", "features": features}


def community_labels(grids) -> list[dict]:
    """One label per community, at a point inside the union of its grids: what a reader zoomed out
    needs (forty grid names in a thumb's width are unreadable)."""
    from shapely.ops import unary_union
    by: dict[str, list] = {}
    names: dict[str, str] = {}
    for g in grids:
        if g.geometry and g.parent_id:
            by.setdefault(g.parent.code, []).append(shape(g.geometry))
            names[g.parent.code] = g.parent.name
    out = []
    for code, shapes in by.items():
        p = unary_union(shapes).representative_point()
        out.append({"code": code, "name": names[code], "label": [round(p.x, 6), round(p.y, 6)]})
    return out
