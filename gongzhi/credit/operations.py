"""Every action on an objection or a repair request, once (API endpoints and page forms)."""
from __future__ import annotations

from gongzhi.core.operations import Operation, operation as _op
from gongzhi.domain import credit as dc

from . import inputs as i, services as s

DA, RA = dc.DisputeAction, dc.RepairAction


def _table(ops: list[Operation]) -> dict[str, Operation]:
    return {op.path: op for op in ops}


DISPUTE_OPERATIONS = _table([
    _op("uphold", "异议成立·撤销记录", i.ReasonIn, [DA.UPHOLD], lambda u, c, p: s.dispute_uphold(
        actor=u, dispute_id=c, reason=p.reason, version=p.version), "primary"),
    _op("dismiss", "异议不成立", i.ReasonIn, [DA.DISMISS], lambda u, c, p: s.dispute_dismiss(
        actor=u, dispute_id=c, reason=p.reason, version=p.version), "danger"),
    _op("retract", "撤回异议", i.VersionIn, [DA.RETRACT], lambda u, c, p: s.dispute_retract(
        actor=u, dispute_id=c, version=p.version)),
])

REPAIR_OPERATIONS = _table([
    _op("grant", "准予修复", i.NoteIn, [RA.GRANT], lambda u, c, p: s.repair_grant(
        actor=u, repair_id=c, note=p.note, version=p.version), "primary"),
    _op("refuse", "不予修复", i.ReasonIn, [RA.REFUSE], lambda u, c, p: s.repair_refuse(
        actor=u, repair_id=c, reason=p.reason, version=p.version), "danger"),
    _op("retract", "撤回申请", i.VersionIn, [RA.RETRACT], lambda u, c, p: s.repair_retract(
        actor=u, repair_id=c, version=p.version)),
])
