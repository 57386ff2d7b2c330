"""Inputs of the grid-work use cases (API JSON bodies and page forms validate with the same models)."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.domain.enums import CoordSystem
from gongzhi.events.intake import Coordinate


class CompleteIn(Input):
    checked: list[str] = Field(default_factory=list, max_length=50, title="已完成的检查项")
    note: str = Field("", max_length=500, title="情况说明")
    lon: Coordinate | None = Field(None, title="经度")
    lat: Coordinate | None = Field(None, title="纬度")
    coord_system: CoordSystem = Field(CoordSystem.WGS84, title="坐标系")
    client_key: str = Field("", max_length=64, title="提交编号", description="同一编号重复提交只销号一次")
    at: datetime | None = Field(None, title="完成时间", description="离线完成时手机上的时间（带时区）")
    version: int | None = Field(None, ge=1)


class CarryIn(Input):
    reason: str = Field(min_length=2, max_length=200, title="结转原因")
    due_on: date | None = Field(None, title="结转后完成日期", description="留空为结转期限的最后一天")
    client_key: str = Field("", max_length=64, title="提交编号")
    version: int | None = Field(None, ge=1)


class FindingIn(Input):
    description: str = Field(min_length=5, max_length=2000, title="发现的问题")
    category: str | None = Field(None, max_length=32, title="事件分类", description="留空为该职责预设的分类")
    lon: Coordinate | None = Field(None, title="经度")
    lat: Coordinate | None = Field(None, title="纬度")
    coord_system: CoordSystem = Field(CoordSystem.WGS84, title="坐标系")
    client_key: str = Field("", max_length=64, title="提交编号")


class WithdrawIn(Input):
    reason: str = Field(min_length=2, max_length=200, title="撤销原因")
    version: int | None = Field(None, ge=1)


class GenerateIn(Input):
    year: int = Field(ge=2004, le=2100, title="年")
    month: int = Field(ge=1, le=12, title="月")
