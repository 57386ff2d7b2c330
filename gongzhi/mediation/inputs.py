"""Inputs of the mediation use cases: the API validates JSON with them, the pages form posts."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from gongzhi.core.inputs import IdNumber, Input
from gongzhi.core.operations import NoteIn, ReasonIn, VersionIn  # noqa: F401 (shared with events)
from gongzhi.domain.enums import Urgency
from gongzhi.domain.mediation import PartyRole, Performance, Referral, SessionMode


class PartyIn(Input):
    role: PartyRole = Field(PartyRole.RESPONDENT, title="身份")
    name: str = Field(min_length=1, max_length=64, title="姓名/名称")
    gender: str = Field("", max_length=2, title="性别")
    id_number: IdNumber = Field("", max_length=18, title="身份证号码")
    phone: str = Field("", max_length=20, title="联系电话")
    address: str = Field("", max_length=200, title="住址")


class CaseIn(Input):
    """Shared by a direct application and a transfer from a grid event."""

    dispute_type: str = Field(min_length=1, max_length=24, title="纠纷类型")
    relation: str = Field("", max_length=40, title="当事人关系")
    claim: str = Field("", max_length=2000, title="申请人请求")
    amount: Decimal | None = Field(None, ge=0, le=Decimal("999999999999"), title="涉及金额（元）")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    dialect: str = Field("", max_length=20, title="方言需求")
    mediator: int | None = Field(None, title="当事人选定的调解员")
    organisation: str | None = Field(None, max_length=32, title="调解组织（缺省按规则）")
    client_key: str | None = Field(None, max_length=64)


class ApplyIn(CaseIn):
    facts: str = Field(min_length=10, max_length=5000, title="纠纷事实")
    area: str = Field(min_length=1, max_length=32, title="纠纷发生地（网格/社区）")
    parties: list[PartyIn] = Field(min_length=2, max_length=50, title="当事人")


class FromEventIn(CaseIn):
    facts: str = Field("", max_length=5000, title="纠纷事实（缺省取事件描述）")
    parties: list[PartyIn] = Field(min_length=1, max_length=50, title="其他当事人")


class TransferIn(ReasonIn):
    organisation: str = Field(min_length=1, max_length=32, title="移交至调解组织")


class AssignIn(VersionIn):
    mediator: int | None = Field(None, title="调解员（缺省按规则推荐）")


class RecuseIn(ReasonIn):
    by_party: bool = Field(False, title="当事人申请回避")


class ScheduleIn(VersionIn):
    scheduled_at: datetime = Field(title="调解时间")
    mode: SessionMode = Field(SessionMode.IN_PERSON, title="调解方式")
    place: str = Field("", max_length=200, title="地点")
    link: str = Field("", max_length=300, title="线上会议链接")


class RecordIn(VersionIn):
    attendees: str = Field(min_length=1, max_length=300, title="参加人员")
    record: str = Field(min_length=5, max_length=10000, title="调解记录")


class SucceedIn(VersionIn):
    agreement_terms: str = Field(min_length=5, max_length=10000, title="协议内容")
    performance_terms: str = Field("", max_length=2000, title="履行方式、时限")
    amount: Decimal | None = Field(None, ge=0, le=Decimal("999999999999"), title="协议金额（元）")


class FailIn(ReasonIn):
    referral: Referral = Field(Referral.LITIGATION, title="引导途径")
    referral_to: str = Field("", max_length=100, title="对接机构")


class ConfirmIn(VersionIn):
    court: str = Field(min_length=2, max_length=100, title="受理法院")


class FollowUpIn(VersionIn):
    performance: Performance = Field(title="履行情况")
    note: str = Field("", max_length=2000, title="回访记录")
