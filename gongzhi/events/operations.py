"""Every action on an existing event, once: its input, its label and the service it calls.

The JSON API registers one endpoint per operation and the pages render one form per operation,
both from this table, so no transition is wired twice.  Inputs are pydantic models: the API
validates JSON with them and the pages validate form posts with the same models, and
``field_errors`` (gongzhi.core.operations) turns either's failures into the same Chinese messages.
"""
from __future__ import annotations

from pydantic import Field

from gongzhi.core.inputs import Input
from gongzhi.core.operations import NoteIn, Operation, ReasonIn, VersionIn, operation
from gongzhi.domain.enums import Action, CoHandlerRole, SupervisionLevel

from . import services


class DispatchIn(NoteIn):
    area: str | None = Field(None, description="处置区域编码，缺省为分拨规则的结果", title="处置区域")
    department: str | None = Field(None, description="处置部门编码", title="处置部门")


class ResolveIn(VersionIn):
    result: str = Field(max_length=5000, title="办理结果")


class VerifyIn(NoteIn):
    passed: bool = Field(True, title="核查结论")


class AnswerIn(VersionIn):
    answer: str = Field(max_length=5000, title="答复内容")


class RevisitIn(NoteIn):
    satisfaction: int = Field(ge=1, le=5, title="满意度")


class ExtensionIn(Input):
    workdays: int = Field(ge=1, le=30, title="延长工作日")
    reason: str = Field(max_length=2000, title="理由")


class ExtensionDecisionIn(Input):
    approve: bool = Field(title="审批结论")
    note: str = Field("", max_length=2000, title="说明")


class WhistleTarget(Input):
    department: str
    role: CoHandlerRole = CoHandlerRole.ASSIST


class WhistleIn(Input):
    departments: list[WhistleTarget] = Field(title="召集部门")
    reason: str = Field(max_length=2000, title="理由")


class SuperviseIn(Input):
    level: SupervisionLevel = Field(SupervisionLevel.NORMAL, title="督办级别")
    note: str = Field(max_length=2000, title="督办意见")


class MergeIn(VersionIn):
    into: str = Field(min_length=1, max_length=40, title="主单编号")
    reason: str = Field(max_length=2000, title="理由")


class ReclassifyIn(NoteIn):
    kind: str | None = Field(None, max_length=16, title="事件类型")
    category: str | None = Field(None, max_length=32, title="事件分类")
    urgency: str | None = Field(None, max_length=16, title="紧急程度")


class SplitIn(Input):
    category: str = Field(min_length=1, max_length=32, title="新单分类")
    description: str = Field(max_length=5000, title="新单内容")
    kind: str | None = Field(None, title="新单类型")


OPERATIONS: dict[str, Operation] = {op.path: op for op in [
    operation("accept", "受理", NoteIn, [Action.ACCEPT], lambda u, i, p: services.event_accept(
        actor=u, event_id=i, note=p.note, version=p.version), "primary"),
    operation("reject", "不予受理", ReasonIn, [Action.REJECT], lambda u, i, p: services.event_reject(
        actor=u, event_id=i, reason=p.reason, version=p.version), "danger"),
    operation("dispatch", "派遣", DispatchIn, [Action.DISPATCH], lambda u, i, p: services.event_dispatch(
        actor=u, event_id=i, area_code=p.area or None, department_code=p.department or None, note=p.note,
        version=p.version), "primary"),
    operation("sign", "签收", VersionIn, [Action.SIGN], lambda u, i, p: services.event_sign(
        actor=u, event_id=i, version=p.version), "primary"),
    operation("return", "退回", ReasonIn, [Action.RETURN], lambda u, i, p: services.event_return(
        actor=u, event_id=i, reason=p.reason, version=p.version), "danger"),
    operation("notes", "办理记录", NoteIn, [Action.NOTE], lambda u, i, p: services.event_note(
        actor=u, event_id=i, note=p.note)),
    operation("resolve", "办结", ResolveIn, [Action.RESOLVE], lambda u, i, p: services.event_resolve(
        actor=u, event_id=i, result=p.result, version=p.version), "primary"),
    operation("extensions", "延期申请", ExtensionIn, [Action.REQUEST_EXTENSION],
        lambda u, i, p: services.extension_request(actor=u, event_id=i, workdays=p.workdays,
                                                   reason=p.reason).event),
    operation("extensions/decide", "审批延期", ExtensionDecisionIn, [Action.APPROVE_EXTENSION, Action.DENY_EXTENSION],
        lambda u, i, p: services.extension_decide(actor=u, event_id=i, approve=p.approve, note=p.note)),
    operation("escalate", "上报上一级", ReasonIn, [Action.ESCALATE], lambda u, i, p: services.event_escalate(
        actor=u, event_id=i, reason=p.reason, version=p.version)),
    operation("skip-escalate", "越级上报（按规则）", ReasonIn, [Action.SKIP_ESCALATE],
        lambda u, i, p: services.event_skip_escalate(actor=u, event_id=i, reason=p.reason, version=p.version)),
    operation("whistle", "吹哨（主办/协办）", WhistleIn, [Action.WHISTLE], lambda u, i, p: services.event_whistle(
        actor=u, event_id=i, departments=[(d.department, d.role) for d in p.departments], reason=p.reason)),
    operation("check-in", "协办部门报到", NoteIn, [Action.CHECK_IN], lambda u, i, p: services.event_check_in(
        actor=u, event_id=i, note=p.note), "primary"),
    operation("supervise", "督办", SuperviseIn, [Action.SUPERVISE], lambda u, i, p: services.event_supervise(
        actor=u, event_id=i, level=p.level, note=p.note)),
    operation("verify", "核查", VerifyIn, [Action.VERIFY, Action.VERIFY_FAIL], lambda u, i, p: services.event_verify(
        actor=u, event_id=i, passed=p.passed, note=p.note, version=p.version), "primary"),
    operation("answer", "答复", AnswerIn, [Action.ANSWER], lambda u, i, p: services.event_answer(
        actor=u, event_id=i, answer=p.answer, version=p.version), "primary"),
    operation("revisit", "回访/满意度", RevisitIn, [Action.REVISIT], lambda u, i, p: services.event_revisit(
        actor=u, event_id=i, satisfaction=p.satisfaction, note=p.note, version=p.version), "primary"),
    operation("reopen", "重办", ReasonIn, [Action.REOPEN], lambda u, i, p: services.event_reopen(
        actor=u, event_id=i, reason=p.reason, version=p.version), "danger"),
    operation("close", "归档", NoteIn, [Action.CLOSE], lambda u, i, p: services.event_close(
        actor=u, event_id=i, note=p.note, version=p.version)),
    operation("merge", "并单（并入主单）", MergeIn, [Action.MERGE], lambda u, i, p: services.event_merge(
        actor=u, event_id=i, into=p.into, reason=p.reason, version=p.version)),
    operation("reclassify", "更正分类", ReclassifyIn, [Action.RECLASSIFY], lambda u, i, p: services.event_reclassify(
        actor=u, event_id=i, kind=p.kind or None, category=p.category or None, urgency=p.urgency or None,
        note=p.note, version=p.version)),
    # The split answers with the new order; the pages return to the original.
    operation("split", "拆单", SplitIn, [Action.SPLIT], lambda u, i, p: services.event_split(
        actor=u, event_id=i, category=p.category, description=p.description, kind=p.kind or None)),
]}


def available(actions: list[str]) -> list[Operation]:
    """The operations a user may perform now, given the event's allowed workflow actions."""
    allowed = set(actions)
    return [op for op in OPERATIONS.values() if any(a.value in allowed for a in op.actions)]
