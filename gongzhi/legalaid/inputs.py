"""Inputs of the legal-aid use cases (API JSON and page forms validate with the same models)."""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from gongzhi.core.inputs import IdNumber, Input
from gongzhi.core.operations import NoteIn, ReasonIn, VersionIn
from gongzhi.domain.legalaid import Matter, Penalty, Specialty

__all__ = ["AidApplyIn", "AssignIn", "ComplexIn", "ReassignIn", "ConcludeIn", "ReviewIn", "RevisitIn", "TransferIn",
           "ConsultationIn", "NoteIn", "ReasonIn", "VersionIn"]

_money = dict(ge=0, le=Decimal("999999999999"))


class AidApplyIn(Input):
    applicant_name: str = Field(min_length=1, max_length=64, title="申请人姓名")
    id_number: IdNumber = Field("", max_length=18, title="身份证号码")
    phone: str = Field(min_length=5, max_length=20, title="联系电话")
    address: str = Field("", max_length=200, title="住址")
    minor: bool = Field(False, title="当事人为未成年人")
    area: str = Field(min_length=1, max_length=32, title="案件所在地（区域编码）")
    office: str | None = Field(None, max_length=32, title="受理机构（缺省为所在地机构）")
    household_size: int = Field(1, ge=1, le=30, title="家庭人口")
    monthly_income: Decimal = Field(title="家庭人均月收入（元）", **_money)
    exempt: str | None = Field(None, max_length=24, title="免予经济困难审查的情形")
    pledge: bool = Field(title="经济困难状况诚信承诺")
    matter: Matter = Field(title="援助事项")
    specialty: Specialty = Field(Specialty.OTHER, title="案件类别")
    penalty: Penalty = Field(Penalty.NONE, title="可能判处的刑罚")
    summary: str = Field(min_length=10, max_length=5000, title="案情及申请理由")
    opposing_party: str = Field("", max_length=100, title="对方当事人")
    claim_amount: Decimal | None = Field(None, title="请求金额（元）", **_money)
    lawyer: int | None = Field(None, title="点援律师")
    client_key: str | None = Field(None, max_length=64)


class TransferIn(ReasonIn):
    office: str = Field(min_length=1, max_length=32, title="转交机构")


class ComplexIn(VersionIn):
    reason: str = Field(max_length=2000, title="案情复杂的理由")


class AssignIn(VersionIn):
    lawyer: int | None = Field(None, title="律师（缺省按申请人点援或规则）")


class ReassignIn(ReasonIn):
    lawyer: int | None = Field(None, title="新律师（缺省按规则）")


class ConcludeIn(VersionIn):
    result: str = Field(min_length=5, max_length=5000, title="办理结果")
    recovered: Decimal | None = Field(None, title="挽回经济损失（元）", **_money)


class ReviewScore(Input):
    expert: str = Field(min_length=1, max_length=32, title="评查专家")
    score: int = Field(ge=0, le=100, title="评分")
    comment: str = Field("", max_length=2000, title="评查意见")


class ReviewIn(VersionIn):
    scores: list[ReviewScore] = Field(min_length=1, max_length=9, title="专家评分")


class RevisitIn(VersionIn):
    satisfaction: int = Field(ge=1, le=5, title="满意度")
    note: str = Field("", max_length=2000, title="回访记录")


class ConsultationIn(Input):
    office: str = Field(min_length=1, max_length=32, title="机构")
    channel: str = Field("desk", pattern="^(desk|phone|online)$", title="咨询方式")
    specialty: Specialty = Field(Specialty.OTHER, title="类别")
    topic: str = Field(min_length=2, max_length=200, title="咨询事项")
