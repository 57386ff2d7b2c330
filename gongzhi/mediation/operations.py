"""Every action on an existing dispute case, once: the API registers an endpoint per row and the
case page renders a form per row (see ``events.operations`` for the same idea on events)."""
from __future__ import annotations

from gongzhi.casework.supervision import SuperviseIn
from gongzhi.core.operations import Operation, operation as _op
from gongzhi.domain.mediation import CaseAction as A

from . import inputs as i, services as s, supervision

OPERATIONS: dict[str, Operation] = {op.path: op for op in [
    _op("accept", "受理", i.NoteIn, [A.ACCEPT], lambda u, c, p: s.case_accept(
        actor=u, case_id=c, note=p.note, version=p.version), "primary"),
    _op("refuse", "不予受理", i.ReasonIn, [A.REFUSE], lambda u, c, p: s.case_refuse(
        actor=u, case_id=c, reason=p.reason, version=p.version), "danger"),
    _op("transfer", "移交调解组织", i.TransferIn, [A.TRANSFER], lambda u, c, p: s.case_transfer(
        actor=u, case_id=c, data=p)),
    _op("assign", "指派调解员", i.AssignIn, [A.ASSIGN], lambda u, c, p: s.case_assign(actor=u, case_id=c, data=p)),
    _op("recuse", "回避", i.RecuseIn, [A.RECUSE], lambda u, c, p: s.case_recuse(actor=u, case_id=c, data=p),
        "danger"),
    _op("schedule", "安排调解", i.ScheduleIn, [A.SCHEDULE], lambda u, c, p: s.case_schedule(
        actor=u, case_id=c, data=p), "primary"),
    _op("record", "调解记录", i.RecordIn, [A.RECORD], lambda u, c, p: s.case_record(actor=u, case_id=c, data=p)),
    _op("succeed", "调解成功（生成协议书）", i.SucceedIn, [A.SUCCEED], lambda u, c, p: s.case_succeed(
        actor=u, case_id=c, data=p), "primary"),
    _op("sign", "协议已签订", i.NoteIn, [A.SIGN], lambda u, c, p: s.case_sign(
        actor=u, case_id=c, note=p.note, version=p.version), "primary"),
    _op("fail", "调解不成（诉调对接）", i.FailIn, [A.FAIL], lambda u, c, p: s.case_fail(
        actor=u, case_id=c, data=p), "danger"),
    _op("confirm", "申请司法确认", i.ConfirmIn, [A.CONFIRM], lambda u, c, p: s.case_confirm(
        actor=u, case_id=c, data=p)),
    _op("follow-up", "履行回访", i.FollowUpIn, [A.FOLLOW_UP], lambda u, c, p: s.case_follow_up(
        actor=u, case_id=c, data=p), "primary"),
    _op("close", "结案", i.NoteIn, [A.CLOSE], lambda u, c, p: s.case_close(
        actor=u, case_id=c, note=p.note, version=p.version)),
    _op("withdraw", "撤回申请", i.ReasonIn, [A.WITHDRAW], lambda u, c, p: s.case_withdraw(
        actor=u, case_id=c, reason=p.reason, version=p.version), "danger"),
    _op("supervise", "督办", SuperviseIn, [A.SUPERVISE], lambda u, c, p: supervision.case_supervise(
        actor=u, case_id=c, data=p)),
]}
