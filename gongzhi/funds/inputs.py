"""Inputs of the 三金 use cases (API JSON and page forms validate with the same models).  Money is
entered as 分 (integers) over the API, and as yuan text on the pages (domain.ledger.parse_fen)."""
from __future__ import annotations

from datetime import date

from pydantic import Field, StrictInt, model_validator

from gongzhi.core.inputs import Input
from gongzhi.core.operations import NoteIn, ReasonIn, VersionIn
from gongzhi.domain import ledger as dl

__all__ = ["PledgeIn", "ReceiveIn", "ConditionIn", "ProposeIn", "GrantIn", "DonationIn",
           "NoteIn", "ReasonIn", "VersionIn"]

# Money is StrictInt: a lax int took true as 1 分 and 100.0 as 100 分 (a yuan amount typed as a float
# is a client's mistake to refuse, not to round).


class PledgeIn(Input):
    kind: dl.DepositKind = Field(title="资金类别")
    secured_kind: dl.SecuredKind = Field(title="所担保的案件类别")
    case_id: int | None = Field(None, gt=0, title="调解案件")
    case_ref: str = Field("", max_length=100, title="刑事和解案件编号")
    depositor: str = Field(min_length=1, max_length=64, title="缴存人")
    depositor_phone: str = Field("", max_length=20, title="缴存人电话")
    beneficiary: str = Field(min_length=1, max_length=64, title="被害方（权利人）")
    beneficiary_phone: str = Field("", max_length=20, title="被害方电话")
    amount: StrictInt = Field(gt=0, le=10**13, title="金额（分）")
    loss: StrictInt | None = Field(None, gt=0, le=10**13, title="被害方损失（分）")
    note: str = Field("", max_length=500, title="说明")
    client_key: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _case(self):
        if self.secured_kind is dl.SecuredKind.MEDIATION and not self.case_id:
            raise ValueError("承诺金须关联调解案件")
        if self.secured_kind is dl.SecuredKind.CRIMINAL and not self.case_ref.strip():
            raise ValueError("须填写刑事和解案件编号")
        return self


class ReceiveIn(VersionIn):
    amount: StrictInt = Field(gt=0, le=10**13, title="到账金额（分）")
    bank_reference: str = Field(min_length=1, max_length=64, title="银行流水号")
    note: str = Field("", max_length=2000, title="说明")


class ConditionIn(VersionIn):
    decision_ref: str = Field("", max_length=100, title="决定文书文号")
    note: str = Field("", max_length=2000, title="说明")


class ProposeIn(VersionIn):
    to_victim: StrictInt = Field(0, ge=0, le=10**13, title="支付被害方（分）")
    refund: StrictInt = Field(0, ge=0, le=10**13, title="退还缴存人（分）")
    forfeit: StrictInt = Field(0, ge=0, le=10**13, title="没收（分）")
    decision_ref: str = Field(min_length=1, max_length=100, title="决定文书文号")
    reason: str = Field(min_length=1, max_length=2000, title="处置理由")


class GrantIn(Input):
    case_id: int | None = Field(None, gt=0, title="调解案件")
    case_ref: str = Field("", max_length=100, title="案件编号")
    applicant: str = Field(min_length=1, max_length=64, title="申请人")
    applicant_phone: str = Field("", max_length=20, title="申请人电话")
    payer: str = Field(min_length=1, max_length=64, title="赔偿义务人")
    amount: StrictInt = Field(gt=0, le=10**13, title="申请金额（分）")
    facts: str = Field(min_length=4, max_length=4000, title="困难情况及理由")
    agreement: bool = Field(False, title="有调解协议或生效文书确定赔偿义务")
    payer_cannot_pay: bool = Field(False, title="赔偿义务人确无履行能力")
    assets_checked: bool = Field(False, title="已核实赔偿义务人财产状况")
    applicant_hardship: bool = Field(False, title="申请人生活困难")
    client_key: str | None = Field(None, max_length=64)


class DonationIn(Input):
    donor: str = Field(min_length=1, max_length=100, title="捐赠人")
    amount: StrictInt = Field(gt=0, le=10**13, title="金额（分）")
    received_on: date = Field(title="到账日期")
    reference: str = Field("", max_length=64, title="银行流水号")
    note: str = Field("", max_length=200, title="说明")
    key: str = Field(min_length=1, max_length=64, title="幂等键")
