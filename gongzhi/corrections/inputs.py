"""Inputs of the 社区矫正 use cases (API JSON and page forms validate with the same models)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from gongzhi.core.inputs import IdNumber, Input
from gongzhi.core.operations import NoteIn, ReasonIn, VersionIn
from gongzhi.domain import corrections as dc

__all__ = ["ReceiveIn", "NoteIn", "ReasonIn", "VersionIn"]


class ReceiveIn(Input):
    township: str = Field(min_length=1, max_length=32, title="执行地司法所")
    grid: str | None = Field(None, max_length=32, title="居住地网格")
    name: str = Field(min_length=1, max_length=64, title="姓名")
    gender: str = Field("", max_length=2, title="性别")
    id_number: IdNumber = Field("", max_length=18, title="身份证号码")
    phone: str = Field("", max_length=20, title="联系电话")
    address: str = Field(min_length=2, max_length=200, title="居住地址")
    kind: dc.CorrType = Field(title="矫正类别")
    decider: dc.Decider = Field(title="决定机关类别")
    decision_body: str = Field(min_length=2, max_length=100, title="决定机关")
    decision_no: str = Field(min_length=2, max_length=60, title="文书编号")
    crime: str = Field(min_length=1, max_length=100, title="罪名")
    prohibition: str = Field("", max_length=200, title="禁止令内容")
    decided_on: date = Field(title="判决、裁定、决定生效日期")
    term_start: date = Field(title="矫正期限起")
    term_end: date = Field(title="矫正期限止")
    client_key: str | None = Field(None, max_length=64)


class Member(Input):
    role: dc.TeamRole = Field(title="身份")
    name: str = Field(min_length=1, max_length=64, title="姓名")
    phone: str = Field("", max_length=20, title="电话")
    org: str = Field("", max_length=100, title="单位")


class TeamIn(VersionIn):
    members: list[Member] = Field(min_length=2, max_length=12, title="矫正小组成员")


class PlanIn(VersionIn):
    plan: str = Field(min_length=20, max_length=5000, title="矫正方案")


class LevelIn(VersionIn):
    level: dc.Level = Field(title="管理等级")
    reason: str = Field(max_length=500, title="理由")


class ScoreIn(VersionIn):
    month: date = Field(title="考核月份（任一日）")
    score: int = Field(ge=0, le=100, title="得分")
    note: str = Field("", max_length=300, title="说明")


class ScheduleIn(VersionIn):
    due_on: date = Field(title="报告日期")
    way: dc.CheckinWay = Field(dc.CheckinWay.IN_PERSON, title="报告方式")


class CheckinIn(VersionIn):
    checkin: int | None = Field(None, title="报告安排（缺省为最早一条未完成的）")
    way: dc.CheckinWay = Field(dc.CheckinWay.IN_PERSON, title="报告方式")
    result: str = Field(min_length=2, max_length=500, title="报告情况")


class VisitIn(VersionIn):
    place: str = Field(min_length=2, max_length=100, title="走访地点")
    result: str = Field(min_length=2, max_length=2000, title="走访情况")
    met: bool = Field(True, title="见到本人")


class ActivityIn(VersionIn):
    kind: dc.ActivityKind = Field(title="类别")
    help_kind: dc.HelpKind | None = Field(None, title="帮扶类别")
    on: date = Field(title="日期")
    hours: Decimal = Field(Decimal("0"), ge=0, le=24, decimal_places=1, title="时长（小时）")
    partner: int | None = Field(None, title="合作单位")
    content: str = Field(min_length=2, max_length=500, title="内容")


class TransferOutIn(ReasonIn):
    to: str = Field(min_length=1, max_length=32, title="新执行地社区矫正机构")


class TransferInIn(VersionIn):
    township: str = Field(min_length=1, max_length=32, title="接收的司法所")
    grid: str | None = Field(None, max_length=32, title="居住地网格")
    address: str = Field(min_length=2, max_length=200, title="新居住地址")


class TerminateIn(ReasonIn):
    end_reason: dc.EndReason = Field(title="终止情形")


class SanctionIn(Input):
    step: dc.Step = Field(title="奖惩")
    facts: str = Field(min_length=5, max_length=3000, title="事实")
    evidence: str = Field("", max_length=3000, title="证据")
    client_key: str | None = Field(None, max_length=64)


class OutcomeIn(VersionIn):
    outcome: str = Field("", max_length=300, title="结果说明")


class LeaveIn(Input):
    kind: dc.LeaveKind = Field(dc.LeaveKind.TRIP, title="类别")
    start: date = Field(title="外出日期")
    end: date = Field(title="返回日期")
    destination: str = Field(min_length=2, max_length=100, title="前往地")
    reason: str = Field(min_length=2, max_length=300, title="事由")
    client_key: str | None = Field(None, max_length=64)


class MonitorIn(Input):
    ground: dc.MonitorGround = Field(title="适用情形")
    facts: str = Field(min_length=5, max_length=2000, title="事实和依据")
    months: int = Field(ge=1, le=3, title="期限（月）")
    device: str = Field("", max_length=40, title="设备编号")
    client_key: str | None = Field(None, max_length=64)


class RenewIn(ReasonIn):
    months: int = Field(ge=1, le=3, title="延长（月）")


class PositionIn(Input):
    device: str = Field(min_length=1, max_length=40, title="设备编号")
    at: datetime = Field(title="定位时间")
    lon: float = Field(ge=73, le=136, title="经度")
    lat: float = Field(ge=3, le=54, title="纬度")


class OversightIn(Input):
    kind: dc.OversightKind = Field(title="文书")
    omission: dc.Omission = Field(title="监督事项")
    target_row: int | None = Field(None, title="所指执法行为（时间线记录）")
    facts: str = Field(min_length=5, max_length=3000, title="发现的问题")
    demand: str = Field(min_length=5, max_length=3000, title="检察意见")
    client_key: str | None = Field(None, max_length=64)


class AnswerIn(VersionIn):
    answer: str = Field(min_length=10, max_length=5000, title="整改情况及回复")


class TaskDoneIn(Input):
    note: str = Field(min_length=2, max_length=500, title="走访情况")
