"""Every action on an existing deposit or grant, once (API endpoints and page forms)."""
from __future__ import annotations

from pydantic import Field

from gongzhi.core.operations import Operation, operation as _op
from gongzhi.domain import ledger as dl

from . import inputs as i, services as s

A, GA = dl.DepositAction, dl.GrantAction


class PayIn(i.VersionIn):
    reference: str = Field("", max_length=64, title="银行流水号")


def _table(ops: list[Operation]) -> dict[str, Operation]:
    return {op.path: op for op in ops}


DEPOSIT_OPERATIONS = _table([
    _op("receive", "登记到账", i.ReceiveIn, [A.RECEIVE], lambda u, c, p: s.receive(actor=u, deposit_id=c, data=p),
        "primary"),
    _op("confirm", "复核到账·转入代管", i.NoteIn, [A.CONFIRM], lambda u, c, p: s.confirm(
        actor=u, deposit_id=c, note=p.note, version=p.version), "primary"),
    _op("performed", "确认调解协议已履行", i.ConditionIn, [A.PERFORMED], lambda u, c, p: s.condition_met(
        actor=u, deposit_id=c, data=p), "primary"),
    _op("decided", "登记司法机关处理决定", i.ConditionIn, [A.DECIDED], lambda u, c, p: s.condition_met(
        actor=u, deposit_id=c, data=p), "primary"),
    _op("propose", "提出处置方案", i.ProposeIn, [A.PROPOSE], lambda u, c, p: s.propose(
        actor=u, deposit_id=c, data=p), "primary"),
    _op("approve", "复核同意", i.NoteIn, [A.APPROVE, A.RELEASE, A.REFUND, A.FORFEIT], lambda u, c, p: s.approve(
        actor=u, deposit_id=c, note=p.note, version=p.version), "primary"),
    _op("reject", "复核不同意", i.ReasonIn, [A.REJECT], lambda u, c, p: s.reject(
        actor=u, deposit_id=c, reason=p.reason, version=p.version), "danger"),
    _op("lapse", "撤销未缴存承诺", i.ReasonIn, [A.LAPSE], lambda u, c, p: s.lapse(
        actor=u, deposit_id=c, reason=p.reason, version=p.version), "danger"),
    _op("note", "工作记录", i.NoteIn, [A.NOTE], lambda u, c, p: s.note(
        actor=u, deposit_id=c, note=p.note, version=p.version)),
])

GRANT_OPERATIONS = _table([
    _op("approve", "批准救助", i.NoteIn, [GA.APPROVE], lambda u, c, p: s.grant_approve(
        actor=u, grant_id=c, note=p.note, version=p.version), "primary"),
    _op("refuse", "不予救助", i.ReasonIn, [GA.REFUSE], lambda u, c, p: s.grant_refuse(
        actor=u, grant_id=c, reason=p.reason, version=p.version), "danger"),
    _op("pay", "发放救助金", PayIn, [GA.PAY], lambda u, c, p: s.grant_pay(
        actor=u, grant_id=c, reference=p.reference, version=p.version), "primary"),
])
