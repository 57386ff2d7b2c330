"""Coordinates: phones send GCJ-02 or BD-09, GPS and 天地图 WGS-84; we store WGS-84."""
from __future__ import annotations

import prcoords

from .enums import CoordSystem


class BadCoordinates(ValueError):
    pass


def to_wgs84(lon: float, lat: float, system: CoordSystem) -> tuple[float, float]:
    """Convert (lon, lat) to WGS-84 with prcoords' iterative ("bored") inverses (≈1e-6° exact)."""
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadCoordinates(f"坐标超出范围: 经度 {lon}, 纬度 {lat}")
    c = prcoords.Coords(lat, lon)
    if system == CoordSystem.GCJ02:
        c = prcoords.gcj_wgs_bored(c)
    elif system == CoordSystem.BD09:
        c = prcoords.bd_wgs_bored(c)
    return round(c.lon, 7), round(c.lat, 7)


def from_wgs84(lon: float, lat: float, system: CoordSystem) -> tuple[float, float]:
    c = prcoords.Coords(lat, lon)
    if system == CoordSystem.GCJ02:
        c = prcoords.wgs_gcj(c)
    elif system == CoordSystem.BD09:
        c = prcoords.wgs_bd(c)
    return c.lon, c.lat
