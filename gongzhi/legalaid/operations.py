"""Every action on an existing legal-aid application, once (API endpoints and page forms)."""
from __future__ import annotations

from gongzhi.casework.supervision import SuperviseIn
from gongzhi.core.operations import Operation, operation as _op
from gongzhi.domain.legalaid import AidAction as A

from . import inputs as i, services as s, supervision

OPERATIONS: dict[str, Operation] = {op.path: op for op in [
    _op("approve", "准予法律援助", i.NoteIn, [A.APPROVE], lambda u, c, p: s.aid_approve(
        actor=u, app_id=c, note=p.note, version=p.version), "primary"),
    _op("deny", "不予法律援助", i.ReasonIn, [A.DENY], lambda u, c, p: s.aid_deny(
        actor=u, app_id=c, reason=p.reason, version=p.version), "danger"),
    _op("transfer", "转交有管辖权的机构", i.TransferIn, [A.TRANSFER], lambda u, c, p: s.aid_transfer(
        actor=u, app_id=c, data=p)),
    _op("assign", "指派律师", i.AssignIn, [A.ASSIGN], lambda u, c, p: s.aid_assign(actor=u, app_id=c, data=p),
        "primary"),
    _op("reassign", "更换承办律师", i.ReassignIn, [A.REASSIGN], lambda u, c, p: s.aid_reassign(
        actor=u, app_id=c, data=p), "danger"),
    _op("progress", "办案进展", i.NoteIn, [A.PROGRESS], lambda u, c, p: s.aid_progress(
        actor=u, app_id=c, note=p.note, version=p.version), "primary"),
    _op("conclude", "结案", i.ConcludeIn, [A.CONCLUDE], lambda u, c, p: s.aid_conclude(
        actor=u, app_id=c, data=p), "primary"),
    _op("review", "质量评查", i.ReviewIn, [A.REVIEW], lambda u, c, p: s.aid_review(actor=u, app_id=c, data=p),
        "primary"),
    _op("revisit", "回访", i.RevisitIn, [A.REVISIT], lambda u, c, p: s.aid_revisit(actor=u, app_id=c, data=p)),
    _op("close", "归档", i.NoteIn, [A.CLOSE], lambda u, c, p: s.aid_close(
        actor=u, app_id=c, note=p.note, version=p.version)),
    _op("withdraw", "撤回申请", i.ReasonIn, [A.WITHDRAW], lambda u, c, p: s.aid_withdraw(
        actor=u, app_id=c, reason=p.reason, version=p.version), "danger"),
    _op("complex", "案情复杂·延长审查期限", i.ComplexIn, [A.COMPLEX], lambda u, c, p: s.aid_complex(
        actor=u, app_id=c, data=p)),
    _op("supervise", "督办", SuperviseIn, [A.SUPERVISE], lambda u, c, p: supervision.aid_supervise(
        actor=u, app_id=c, data=p)),
]}
