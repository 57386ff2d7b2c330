"""The registry's inputs, shared by the API (bodies) and the pages (forms validated with the same
models).  ID numbers are checked to GB 11643 (check digit, birth date) by the same domain rule the
import uses, dates are never in the future where they record something that happened."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, Field

from gongzhi.core.inputs import Input
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import Gender, HouseUse, Relation, Residency, SpecialGroup, Target, UnitKind
from gongzhi.domain.registry_rows import BadValue, check_id_number


def _id(v: str) -> str:
    if not v.strip():
        return ""
    try:
        return check_id_number(v, timezone.localdate())
    except BadValue as exc:
        raise ValueError(str(exc)) from None


def _past(v: date | None) -> date | None:
    if v is not None and v > timezone.localdate():
        raise ValueError("日期不能晚于今天")
    return v


IdNumber = Annotated[str, AfterValidator(_id)]
PastDate = Annotated[date | None, AfterValidator(_past)]


class PersonIn(Input):
    name: str = Field(min_length=1, max_length=64, title="姓名")
    id_number: IdNumber = Field("", max_length=20, title="身份证号码")
    phone: str = Field("", max_length=20, title="联系电话")
    gender: Gender = Field(Gender.UNKNOWN, title="性别")
    birth_date: PastDate = Field(None, title="出生日期")
    residency: Residency = Field(Residency.REGISTERED, title="人口类型")
    grid: str = Field(min_length=1, max_length=32, title="所属网格（编码）")
    address: str = Field(min_length=1, max_length=200, title="居住地址")
    relation: Relation | None = Field(None, title="与户主关系")
    moved_in_on: PastDate = Field(None, title="迁入日期")


class HouseIn(Input):
    grid: str = Field(min_length=1, max_length=32, title="所属网格（编码）")
    address: str = Field(min_length=1, max_length=200, title="地址")
    use: HouseUse = Field(HouseUse.OWNER, title="用途")
    owner_name: str = Field("", max_length=64, title="产权人")
    owner_phone: str = Field("", max_length=20, title="产权人电话")
    estate: str = Field("", max_length=100, title="小区")


class UnitIn(Input):
    name: str = Field(min_length=1, max_length=100, title="名称")
    kind: UnitKind = Field(title="类别")
    grid: str = Field(min_length=1, max_length=32, title="所属网格（编码）")
    address: str = Field("", max_length=200, title="地址")
    credit_code: str = Field("", max_length=18, title="统一社会信用代码")
    contact_name: str = Field("", max_length=64, title="负责人")
    contact_phone: str = Field("", max_length=20, title="联系电话")


class ClaimIn(Input):
    name: str = Field(min_length=1, max_length=64, title="姓名")
    id_number: IdNumber = Field(min_length=15, max_length=20, title="身份证号码")
    phone: str = Field("", max_length=20, title="联系电话")
    grid: str = Field(min_length=1, max_length=32, title="所在网格（编码）")
    address: str = Field(min_length=2, max_length=200, title="居住地址（如 瑞京社区12号3栋201室）")
    relation: Relation | None = Field(None, title="与户主关系")
    client_key: str = Field("", max_length=64, title="提交编号", description="同一编号重复提交只记一次")


class ReasonIn(Input):
    reason: str = Field(min_length=2, max_length=200, title="原因")


class MoveOutIn(Input):
    on: PastDate = Field(title="迁出日期")
    note: str = Field("", max_length=200, title="说明")


class MarkIn(Input):
    group: SpecialGroup = Field(title="类别")
    since: PastDate = Field(title="起始日期")
    note: str = Field("", max_length=500, title="说明")


class MarkEndIn(Input):
    until: PastDate = Field(title="终止日期")


class LinkIn(Input):
    case_kind: CaseKind = Field(title="案件类型")
    case_id: int = Field(ge=1, le=2**63 - 1, title="案件ID")
    target: Target = Field(title="登记对象类别")
    target_id: int = Field(ge=1, le=2**63 - 1, title="登记对象ID")
    note: str = Field("", max_length=100, title="说明")
