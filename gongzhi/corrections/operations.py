"""Every action on an existing 社区矫正 case, once (API endpoints and page forms), per kind."""
from __future__ import annotations

from gongzhi.core.operations import Operation, operation as _op
from gongzhi.domain import corrections as dc

from . import inputs as i, services as s

A, SA, LA, MA, OA = dc.SubjAction, dc.SanctionAction, dc.LeaveAction, dc.MonitorAction, dc.OversightAction


def _table(ops: list[Operation]) -> dict[str, Operation]:
    return {op.path: op for op in ops}


SUBJECT_OPERATIONS = _table([
    _op("documents", "法律文书送达", i.NoteIn, [A.DOCUMENTS], lambda u, c, p: s.documents_received(
        actor=u, subject_id=c, note=p.note, version=p.version)),
    _op("report-in", "报到", i.NoteIn, [A.REPORT_IN], lambda u, c, p: s.report_in(
        actor=u, subject_id=c, note=p.note, version=p.version), "primary"),
    _op("team", "组建矫正小组", i.TeamIn, [A.TEAM], lambda u, c, p: s.form_team(actor=u, subject_id=c, data=p)),
    _op("plan", "制定矫正方案", i.PlanIn, [A.PLAN], lambda u, c, p: s.write_plan(actor=u, subject_id=c, data=p)),
    _op("announce", "入矫宣告", i.NoteIn, [A.ANNOUNCE], lambda u, c, p: s.announce(
        actor=u, subject_id=c, note=p.note, version=p.version), "primary"),
    _op("checkin", "报告", i.CheckinIn, [A.CHECKIN], lambda u, c, p: s.checkin(actor=u, subject_id=c, data=p),
        "primary"),
    _op("schedule", "安排报告", i.ScheduleIn, [A.SCHEDULE], lambda u, c, p: s.schedule(
        actor=u, subject_id=c, data=p)),
    _op("visit", "走访", i.VisitIn, [A.VISIT], lambda u, c, p: s.visit(actor=u, subject_id=c, data=p)),
    _op("activity", "教育帮扶", i.ActivityIn, [A.ACTIVITY], lambda u, c, p: s.activity(
        actor=u, subject_id=c, data=p)),
    _op("score", "月度计分考核", i.ScoreIn, [A.SCORE], lambda u, c, p: s.record_score(
        actor=u, subject_id=c, data=p)),
    _op("level", "调整管理等级", i.LevelIn, [A.LEVEL], lambda u, c, p: s.set_level(actor=u, subject_id=c, data=p)),
    _op("unreachable", "联系不上", i.ReasonIn, [A.UNREACHABLE], lambda u, c, p: s.unreachable(
        actor=u, subject_id=c, reason=p.reason, version=p.version), "danger"),
    _op("abscond", "认定脱管", i.ReasonIn, [A.ABSCOND], lambda u, c, p: s.abscond(
        actor=u, subject_id=c, reason=p.reason, version=p.version), "danger"),
    _op("found", "恢复监管", i.NoteIn, [A.FOUND], lambda u, c, p: s.found(
        actor=u, subject_id=c, note=p.note, version=p.version), "primary"),
    _op("transfer-out", "变更执行地", i.TransferOutIn, [A.TRANSFER_OUT], lambda u, c, p: s.transfer_out(
        actor=u, subject_id=c, data=p)),
    _op("transfer-in", "接收变更执行地", i.TransferInIn, [A.TRANSFER_IN], lambda u, c, p: s.transfer_in(
        actor=u, subject_id=c, data=p), "primary"),
    _op("transfer-refuse", "不同意接收", i.ReasonIn, [A.TRANSFER_REFUSE], lambda u, c, p: s.transfer_refuse(
        actor=u, subject_id=c, reason=p.reason, version=p.version), "danger"),
    _op("release", "期满解矫", i.NoteIn, [A.RELEASE], lambda u, c, p: s.release(
        actor=u, subject_id=c, note=p.note, version=p.version), "primary"),
    _op("terminate", "终止矫正", i.TerminateIn, [A.TERMINATE], lambda u, c, p: s.terminate(
        actor=u, subject_id=c, data=p), "danger"),
    _op("note", "工作记录", i.NoteIn, [A.NOTE], lambda u, c, p: s.note(
        actor=u, subject_id=c, note=p.note, version=p.version)),
])

SANCTION_OPERATIONS = _table([
    _op("decide", "批准并作出决定", i.OutcomeIn, [SA.DECIDE], lambda u, c, p: s.sanction_approve(
        actor=u, sanction_id=c, data=p), "primary"),
    _op("submit", "批准并提请", i.OutcomeIn, [SA.SUBMIT], lambda u, c, p: s.sanction_approve(
        actor=u, sanction_id=c, data=p), "primary"),
    _op("reject", "不予批准", i.ReasonIn, [SA.REJECT], lambda u, c, p: s.sanction_step(SA.REJECT)(
        actor=u, sanction_id=c, data=i.OutcomeIn(version=p.version), reason=p.reason), "danger"),
    _op("adopt", "决定机关采纳", i.OutcomeIn, [SA.ADOPT], lambda u, c, p: s.sanction_step(SA.ADOPT)(
        actor=u, sanction_id=c, data=p)),
    _op("decline", "决定机关不予采纳", i.ReasonIn, [SA.DECLINE], lambda u, c, p: s.sanction_step(SA.DECLINE)(
        actor=u, sanction_id=c, data=i.OutcomeIn(version=p.version), reason=p.reason)),
    _op("correct", "确认已改正", i.ReasonIn, [SA.CORRECT], lambda u, c, p: s.sanction_step(SA.CORRECT)(
        actor=u, sanction_id=c, data=i.OutcomeIn(version=p.version), reason=p.reason)),
])

LEAVE_OPERATIONS = _table([
    _op("approve", "批准", i.NoteIn, [LA.APPROVE], lambda u, c, p: s.leave_approve(
        actor=u, leave_id=c, note=p.note, version=p.version), "primary"),
    _op("refuse", "不予批准", i.ReasonIn, [LA.REFUSE], lambda u, c, p: s.leave_refuse(
        actor=u, leave_id=c, reason=p.reason, version=p.version), "danger"),
    _op("return", "销假", i.NoteIn, [LA.RETURN], lambda u, c, p: s.leave_return(
        actor=u, leave_id=c, note=p.note, version=p.version), "primary"),
    _op("withdraw", "撤回", i.ReasonIn, [LA.WITHDRAW], lambda u, c, p: s.leave_withdraw(
        actor=u, leave_id=c, reason=p.reason, version=p.version)),
])

MONITOR_OPERATIONS = _table([
    _op("approve", "批准电子定位", i.NoteIn, [MA.APPROVE], lambda u, c, p: s.monitor_approve(
        actor=u, monitor_id=c, note=p.note, version=p.version), "primary"),
    _op("refuse", "不予批准", i.ReasonIn, [MA.REFUSE], lambda u, c, p: s.monitor_refuse(
        actor=u, monitor_id=c, reason=p.reason, version=p.version), "danger"),
    _op("renew", "延长", i.RenewIn, [MA.RENEW], lambda u, c, p: s.monitor_renew(actor=u, monitor_id=c, data=p)),
    _op("end", "解除", i.ReasonIn, [MA.END], lambda u, c, p: s.monitor_end(
        actor=u, monitor_id=c, reason=p.reason, version=p.version)),
])

OVERSIGHT_OPERATIONS = _table([
    _op("answer", "书面回复", i.AnswerIn, [OA.ANSWER], lambda u, c, p: s.oversight_answer(
        actor=u, oversight_id=c, data=p), "primary"),
    _op("accept", "认可回复·办结", i.NoteIn, [OA.ACCEPT], lambda u, c, p: s.oversight_accept(
        actor=u, oversight_id=c, note=p.note, version=p.version), "primary"),
    _op("reopen", "不认可回复·要求重新整改", i.ReasonIn, [OA.REOPEN], lambda u, c, p: s.oversight_reopen(
        actor=u, oversight_id=c, reason=p.reason, version=p.version), "danger"),
])
