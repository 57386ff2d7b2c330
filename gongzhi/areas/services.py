"""Importing the area tree from GeoJSON: all-or-nothing, with every problem reported."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from shapely.geometry import shape
from shapely.validation import explain_validity

from gongzhi.domain.enums import GridKind, Level

from .models import Area
from .selectors import GRID_INDEX

LEVEL_NAMES = {"city": Level.CITY, "county": Level.COUNTY, "township": Level.TOWNSHIP,
               "community": Level.COMMUNITY, "grid": Level.GRID, "micro_grid": Level.MICRO_GRID}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("\n".join(report.errors))


def _level(raw) -> Level:
    if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
        return Level(int(raw))
    return LEVEL_NAMES[str(raw).lower()]


def import_areas(geojson: dict) -> ImportReport:
    """Upsert features by ``properties.code``; parents before children; nothing saved on error.

    properties: code, name, level (grid|micro_grid|community|... or 1–6), parent (code),
    grid_kind (normal|campus|scenic|industrial, optional).
    """
    report = ImportReport()
    features = geojson.get("features") if isinstance(geojson, dict) else None
    if not isinstance(features, list):
        report.errors.append("不是 GeoJSON FeatureCollection（缺少 features 数组）")
        raise ImportFailed(report)
    rows = []
    for i, f in enumerate(features, 1):
        props = (f or {}).get("properties") or {}
        where = f"第 {i} 个要素({props.get('code', '?')})"
        try:
            level = _level(props.get("level", "grid"))
            kind = GridKind(props.get("grid_kind", "normal"))
        except (KeyError, ValueError):
            report.errors.append(f"{where}: 层级或网格类型无效")
            continue
        if not props.get("code") or not props.get("name"):
            report.errors.append(f"{where}: 缺少 code 或 name")
            continue
        geom = None
        if f.get("geometry"):
            try:
                g = shape(f["geometry"])
            except Exception as exc:  # shapely raises several types for malformed input
                report.errors.append(f"{where}: 几何无法解析（{exc}）")
                continue
            if g.geom_type not in ("Polygon", "MultiPolygon") or not g.is_valid:
                report.errors.append(f"{where}: 几何必须是有效的面（{g.geom_type}: {explain_validity(g)}）")
                continue
            geom = f["geometry"]
        rows.append((level, str(props["code"]), props["name"], props.get("parent"), kind, geom))
    if report.errors:
        raise ImportFailed(report)
    with transaction.atomic():
        for level, code, name, parent_code, kind, geom in sorted(rows, key=lambda r: r[0]):
            parent = None
            if parent_code:
                parent = Area.objects.filter(code=str(parent_code)).first()
                if parent is None:
                    report.errors.append(f"{code}: 上级 {parent_code} 不存在")
                    continue
                if parent.level >= level:
                    report.errors.append(f"{code}: 上级 {parent_code} 的层级不高于本级")
                    continue
            area, created = Area.objects.update_or_create(code=code, defaults={
                "name": name, "level": level, "parent": parent, "grid_kind": kind, "geometry": geom})
            if created:
                report.created += 1
            else:
                report.updated += 1
        if report.errors:
            transaction.set_rollback(True)
            raise ImportFailed(report)
    GRID_INDEX.refresh(force=True)
    return report


def import_file(path: str) -> ImportReport:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ImportFailed(ImportReport(errors=[f"无法读取 {path}: {exc}"])) from exc
    return import_areas(data)
