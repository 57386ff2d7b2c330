"""The patrol inputs: what the phone sends (the field page's queue and the API take the same)."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.domain.enums import CoordSystem

# One batch of fixes: a phone sends every minute or so (a fix each 5–15 s); a day offline in
# several batches.  More in one request is refused, not cut.
MAX_FIXES = 2000


class FixIn(Input):
    lon: float = Field(ge=-180, le=180, title="经度")
    lat: float = Field(ge=-90, le=90, title="纬度")
    at: datetime = Field(title="定位时间")
    accuracy: float | None = Field(None, ge=0, le=100_000, title="定位精度(米)")


class PatrolStartIn(Input):
    client_key: str = Field(min_length=8, max_length=64, title="幂等键")
    grid: str | None = Field(None, max_length=32, title="网格编码", description="不填为本人所在网格")
    at: datetime | None = Field(None, title="开始时间", description="离线时手机记录的时间")


class PointsIn(Input):
    patrol_key: str = Field(min_length=8, max_length=64, title="巡查的幂等键")
    coord_system: CoordSystem = Field(CoordSystem.WGS84, title="坐标系")
    fixes: list[FixIn] = Field(max_length=MAX_FIXES, title="轨迹点")


class PatrolEndIn(Input):
    patrol_key: str = Field(min_length=8, max_length=64, title="巡查的幂等键")
    at: datetime | None = Field(None, title="结束时间")
    note: str = Field("", max_length=500, title="备注")
