"""Inputs of the 积分超市 use cases (API JSON and page forms validate with the same models)."""
from __future__ import annotations

from datetime import date

from pydantic import Field, StrictBool, StrictInt

from gongzhi.core.inputs import Input


class ClaimIn(Input):
    shop_id: StrictInt = Field(gt=0, title="积分超市")
    person_id: StrictInt | None = Field(None, gt=0, title="居民（管理员代为申报时填写）")
    rule: str = Field(min_length=1, max_length=32, title="积分规则")
    hours: StrictInt = Field(ge=1, le=24, title="时长（小时）")
    worked_on: date = Field(title="服务日期")
    activity: str = Field(min_length=1, max_length=200, title="服务内容")
    client_key: str | None = Field(None, max_length=64)


class DecideIn(Input):
    confirm: StrictBool = Field(title="确认（false 为驳回）")
    reason: str = Field("", max_length=200, title="驳回原因")


class ReverseIn(Input):
    reason: str = Field(min_length=1, max_length=200, title="冲正原因")


class RedeemIn(Input):
    item_id: StrictInt = Field(gt=0, title="商品")
    counter_id: StrictInt = Field(gt=0, title="兑换点")
    qty: StrictInt = Field(1, ge=1, le=10, title="数量")
    client_key: str | None = Field(None, max_length=64)


class CodeIn(Input):
    code: str = Field(min_length=4, max_length=24, title="兑换码")


class StockIn(Input):
    add: StrictInt = Field(ge=-100_000, le=100_000, title="入库（正数）或出库（负数）数量")
