"""Inputs of the 民事速裁 use cases (API JSON and page forms validate with the same models)."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.core.operations import NoteIn, ReasonIn, VersionIn
from gongzhi.domain import court as dc

__all__ = ["NoteIn", "ReasonIn", "VersionIn"]


class PartyIn(Input):
    side: dc.Litigant = Field(title="诉讼地位")
    name: str = Field(min_length=1, max_length=100, title="姓名/名称")
    id_number: str = Field("", max_length=18, title="身份证号码")
    phone: str = Field("", max_length=20, title="联系电话")
    address: str = Field("", max_length=200, title="住址")


class RegisterIn(Input):
    court: str | None = Field(None, max_length=32, title="法院编码")
    cause: dc.Cause = Field(title="案由")
    facts: str = Field(min_length=4, max_length=5000, title="事实与理由")
    claim: str = Field("", max_length=2000, title="诉讼请求")
    amount: str = Field("", max_length=20, title="标的额（元）")
    parties: list[PartyIn] = Field(min_length=2, max_length=60, title="当事人")
    foreign: bool = Field(False, title="涉外")
    counterclaim: bool = Field(False, title="有反诉")
    appraisal: bool = Field(False, title="需评估鉴定")
    public_notice: bool = Field(False, title="需公告送达")
    mediated: bool = Field(False, title="已经调解或拒绝调解")
    agreed_pct: int | None = Field(None, ge=50, le=200, title="约定适用小额诉讼（平均工资%）")
    client_key: str | None = Field(None, max_length=64)


class IntakeIn(Input):
    mediation_case: int = Field(title="调解案件")
    cause: dc.Cause | None = Field(None, title="案由")
    court: str | None = Field(None, max_length=32, title="法院编码")


class OverrideIn(ReasonIn):
    track: dc.Track = Field(title="变更为")


class ElementsIn(VersionIn):
    values: dict = Field(title="要素")


class BookIn(VersionIn):
    start: datetime = Field(title="开庭时间")
    room: str = Field(min_length=1, max_length=40, title="法庭")
    minutes: int | None = Field(None, ge=10, le=480, title="时长（分钟）")


class JudgeIn(VersionIn):
    terms: str = Field(min_length=2, max_length=5000, title="判决主文")
    awarded: str = Field("", max_length=20, title="判决金额（元）")
    on_spot: bool = Field(False, title="当庭宣判")


class MediateIn(VersionIn):
    terms: str = Field(min_length=2, max_length=5000, title="调解协议内容")
    awarded: str = Field("", max_length=20, title="调解金额（元）")


class SeriesIn(Input):
    cases: list[int] = Field(min_length=2, max_length=500, title="案件")


class LeadIn(Input):
    case: int = Field(title="示范案件")


class DayIn(Input):
    day: date = Field(title="日期")
