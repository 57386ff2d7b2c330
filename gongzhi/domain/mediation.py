"""多元调处: the dispute case's states, who may move it, 民转刑 risk flags and who should mediate.

Pure Python (no Django): the services feed facts in and store what comes out, so the rules can
be read and tested as tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .enums import LabelledEnum, SlaFlag, SupervisionLevel
from .privacy import Visibility
from .supervision import Escalation
from .workflow import rule


class CaseStatus(LabelledEnum):
    APPLIED = "applied", "待受理"
    REFUSED = "refused", "不予受理"
    ACCEPTED = "accepted", "已受理"
    MEDIATING = "mediating", "调解中"
    SUCCEEDED = "succeeded", "调解成功·待签协议"
    SIGNED = "signed", "协议已签·履行中"
    FAILED = "failed", "调解终止·已引导"
    CLOSED = "closed", "已结案"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_CASE_STATUSES = frozenset({CaseStatus.APPLIED, CaseStatus.ACCEPTED, CaseStatus.MEDIATING,
                                CaseStatus.SUCCEEDED})
# A case counts as concluded (for success rates and durations) once it has an outcome.
CONCLUDED = frozenset({CaseStatus.SUCCEEDED, CaseStatus.SIGNED, CaseStatus.FAILED, CaseStatus.CLOSED})


class CaseAction(LabelledEnum):
    APPLY = "apply", "申请调解"
    ACCEPT = "accept", "受理"
    REFUSE = "refuse", "不予受理"
    TRANSFER = "transfer", "移交调解组织"
    ASSIGN = "assign", "指派调解员"
    RECUSE = "recuse", "回避"
    SCHEDULE = "schedule", "安排调解"
    RECORD = "record", "调解记录"
    SUCCEED = "succeed", "调解成功"
    SIGN = "sign", "签订协议"
    FAIL = "fail", "调解不成·引导诉讼/仲裁"
    CONFIRM = "confirm", "申请司法确认"
    FOLLOW_UP = "follow_up", "履行回访"
    CLOSE = "close", "结案"
    WITHDRAW = "withdraw", "撤回申请"
    REMIND = "remind", "调解提醒"
    SUPERVISE = "supervise", "督办"
    AUTO_SUPERVISE = "auto_supervise", "超期自动督办"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class CaseClock(LabelledEnum):
    HANDLE = "handle", "调解期限"


class CaseCapacity(StrEnum):
    ORG = "org"              # a mediator of the organisation handling the case
    MEDIATOR = "mediator"    # the mediator assigned to it
    CENTRE = "centre"        # a 综治中心/社区 holding the area the dispute is in
    SUPERVISOR = "supervisor"  # 督查 staff holding the area the dispute is in
    APPLICANT = "applicant"  # the person who applied online
    SYSTEM = "system"        # the reminder and SLA workers


class Source(LabelledEnum):
    EVENT = "event", "网格事件转入"
    POLICE_110 = "police_110", "110非警务警情转入"
    ONLINE = "online", "网上申请"
    DESK = "desk", "窗口申请"


class OrgKind(LabelledEnum):
    VILLAGE = "village", "村（社区）人民调解委员会"
    TOWNSHIP = "township", "乡镇（街道）人民调解委员会"
    PROFESSIONAL = "professional", "行业性专业性调解委员会"
    COURT = "court", "法院诉调对接调解室"
    POLICE = "police", "派出所调解室"
    STUDIO = "studio", "个人调解工作室"
    ONLINE = "online", "在线调解平台"


class PartyRole(LabelledEnum):
    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"
    THIRD = "third", "第三人"


class SessionMode(LabelledEnum):
    IN_PERSON = "in_person", "现场调解"
    ONLINE = "online", "线上调解"


class Referral(LabelledEnum):
    LITIGATION = "litigation", "引导诉讼（诉调对接）"
    ARBITRATION = "arbitration", "引导仲裁"
    ADMINISTRATIVE = "administrative", "移交行政处理"
    OTHER = "other", "其他途径"


class Performance(LabelledEnum):
    FULL = "full", "已全部履行"
    PARTIAL = "partial", "部分履行"
    NONE = "none", "未履行"


class RiskLevel(LabelledEnum):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高（民转刑预警）"


S, A, C = CaseStatus, CaseAction, CaseCapacity
_WORKING = {S.ACCEPTED, S.MEDIATING}

TRANSITIONS = {
    A.ACCEPT: rule({S.APPLIED}, S.ACCEPTED, C.ORG),
    A.REFUSE: rule({S.APPLIED}, S.REFUSED, C.ORG, reason=True),
    # A committee may hand a dispute to the one that fits (a professional committee, the township).
    A.TRANSFER: rule({S.APPLIED}, S.APPLIED, C.ORG, C.CENTRE, reason=True),
    A.ASSIGN: rule({S.APPLIED} | _WORKING, None, C.ORG),
    A.RECUSE: rule(_WORKING, None, C.ORG, C.MEDIATOR, C.APPLICANT, reason=True),
    A.SCHEDULE: rule(_WORKING, None, C.ORG),
    A.RECORD: rule(_WORKING, S.MEDIATING, C.ORG),
    A.SUCCEED: rule({S.MEDIATING}, S.SUCCEEDED, C.ORG),
    A.SIGN: rule({S.SUCCEEDED}, S.SIGNED, C.ORG),
    A.FAIL: rule(_WORKING | {S.SUCCEEDED}, S.FAILED, C.ORG, reason=True),
    A.CONFIRM: rule({S.SIGNED}, None, C.ORG),
    A.FOLLOW_UP: rule({S.SIGNED}, None, C.ORG),
    A.CLOSE: rule({S.SIGNED, S.FAILED}, S.CLOSED, C.ORG),
    A.WITHDRAW: rule({S.APPLIED} | _WORKING, S.WITHDRAWN, C.APPLICANT, C.ORG, reason=True),
    A.REMIND: rule(_WORKING, None, C.SYSTEM),
    # 督办 by a centre or a supervisor while the case is open; it presses, it changes no status.
    A.SUPERVISE: rule(OPEN_CASE_STATUSES, None, C.CENTRE, C.SUPERVISOR, reason=True),
    # The sweep's automatic 督办 (ESCALATION below), only where the handling clock runs.
    A.AUTO_SUPERVISE: rule(_WORKING, None, C.SYSTEM),
    # The sweep flags a case only where its clock runs (CLOCK_RUNS_IN); the flag changes no status.
    A.SLA_YELLOW: rule(_WORKING, None, C.SYSTEM),
    A.SLA_RED: rule(_WORKING, None, C.SYSTEM),
}

# 《人民调解法》/《人民调解工作若干规定》: 一般在一个月内调结.  The handling clock runs from 受理 until
# the case has an outcome (成功/终止) or is withdrawn; its limit is the dispute type's limit_workdays.
CLOCK_RUNS_IN: dict[CaseClock, frozenset[CaseStatus]] = {
    CaseClock.HANDLE: frozenset(_WORKING),
}
# What each action does to the clock: start one (a clock), stop it (None); actions not listed keep
# whatever runs (a 调解记录 or 回避 does not restart the month).
CLOCK_EFFECTS: dict[CaseAction, CaseClock | None] = {
    A.ACCEPT: CaseClock.HANDLE,
    A.SUCCEED: None, A.FAIL: None, A.WITHDRAW: None, A.REFUSE: None,
}


class EscalateTo(LabelledEnum):
    SUPERVISING_BODY = "supervising_body", "上一级调解组织或综治中心"


# 超期督办: a month gone without an outcome is pressed one level up, like an event's 上报 — a red
# handling clock brings a 红牌督办 addressed to the committee above (supervising_org).  Yellow only
# warns the handling committee (its own list and the board).
ESCALATION: dict[tuple[CaseClock, SlaFlag], Escalation] = {
    (CaseClock.HANDLE, SlaFlag.RED): Escalation(SupervisionLevel.RED, EscalateTo.SUPERVISING_BODY),
}

# Who reads each timeline row (domain.privacy): the parties follow where their dispute stands and
# when they are expected; how the mediators work it (records, visits, recusals) stays internal.
_PUBLIC, _INTERNAL = Visibility.PUBLIC, Visibility.INTERNAL
ROW_VISIBILITY = {
    A.APPLY: _PUBLIC, A.ACCEPT: _PUBLIC, A.REFUSE: _PUBLIC, A.TRANSFER: _PUBLIC, A.ASSIGN: _PUBLIC,
    A.SCHEDULE: _PUBLIC, A.SUCCEED: _PUBLIC, A.SIGN: _PUBLIC, A.FAIL: _PUBLIC, A.CONFIRM: _PUBLIC,
    A.CLOSE: _PUBLIC, A.WITHDRAW: _PUBLIC, A.REMIND: _PUBLIC,
    A.RECUSE: _INTERNAL, A.RECORD: _INTERNAL, A.FOLLOW_UP: _INTERNAL,
    A.SLA_YELLOW: _INTERNAL, A.SLA_RED: _INTERNAL, A.SUPERVISE: _INTERNAL, A.AUTO_SUPERVISE: _INTERNAL,
}
# Public rows whose words are meant for the parties (a refusal's reason, where to go next).
PUBLIC_TEXT = frozenset({A.REFUSE, A.FAIL, A.WITHDRAW, A.SCHEDULE, A.REMIND})

# 《人民调解法》司法确认: the parties apply within 30 days of the agreement taking effect.
CONFIRMATION_DAYS = 30


def success_rate(succeeded: int, concluded: int) -> float | None:
    """调解成功率 = succeeded / concluded (accepted cases with an outcome), e.g. 1298/1581 = 82.1%."""
    return round(100 * succeeded / concluded, 1) if concluded else None


# ---- 民转刑 risk ----------------------------------------------------------------------------------

# Words in the facts that call for an early warning; one pattern per flag, read by people.
RISK_WORDS = {
    "言语威胁": re.compile(r"扬言|报复|砍死|杀了|弄死|同归于尽|放火|炸了|不得好死|拼命"),
    "自伤自杀倾向": re.compile(r"自杀|跳楼|轻生|喝农药|不想活"),
    "已发生肢体冲突": re.compile(r"打架|动手|殴打|打伤|受伤|斗殴|推搡|持刀|拿刀"),
    "群体性苗头": re.compile(r"群体|聚集|围堵|集体上访|堵路"),
}
LARGE_AMOUNT = Decimal("100000")
REPEAT_THRESHOLD = 2      # earlier disputes between the same parties within a year
CROWD_PARTIES = 5


@dataclass(frozen=True)
class RiskFacts:
    text: str
    amount: Decimal | None = None
    parties: int = 2
    earlier_disputes: int = 0   # between the same parties, last 12 months


@dataclass(frozen=True)
class Risk:
    level: RiskLevel
    flags: tuple[str, ...]


def assess_risk(f: RiskFacts) -> Risk:
    """1. each word pattern found raises its flag; 2. repeats, crowds and large sums add flags;
    3. threats or self-harm, or violence that keeps recurring, make it HIGH; any flag MEDIUM."""
    flags = [name for name, pattern in RISK_WORDS.items() if pattern.search(f.text or "")]
    if f.earlier_disputes >= REPEAT_THRESHOLD:
        flags.append(f"反复纠纷（一年内 {f.earlier_disputes} 次）")
    if f.parties >= CROWD_PARTIES and "群体性苗头" not in flags:
        flags.append("群体性苗头")
    if f.amount is not None and f.amount >= LARGE_AMOUNT:
        flags.append("涉及金额较大")
    grave = {"言语威胁", "自伤自杀倾向"} & set(flags)
    violent_repeat = "已发生肢体冲突" in flags and f.earlier_disputes >= 1
    if grave or violent_repeat:
        level = RiskLevel.HIGH
    elif flags:
        level = RiskLevel.MEDIUM
    else:
        level = RiskLevel.LOW
    return Risk(level, tuple(flags))


# ---- who mediates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgFacts:
    id: int
    name: str
    kind: OrgKind
    area_path: str
    types: frozenset[str]        # dispute type codes it takes; empty = all
    open_cases: int = 0
    mediators: int = 1


@dataclass(frozen=True)
class MediatorFacts:
    id: int
    name: str
    org_id: int
    level: int                   # 1 = 一级 (highest) … 5 = 五级
    types: frozenset[str] = frozenset()
    dialects: frozenset[str] = frozenset()
    open_cases: int = 0
    max_cases: int = 10
    succeeded: int = 0
    concluded: int = 0
    active: bool = True


@dataclass(frozen=True)
class CaseFacts:
    type_code: str
    area_path: str
    risk: RiskLevel = RiskLevel.LOW
    amount: Decimal | None = None
    dialect: str = ""
    excluded: frozenset[int] = field(default_factory=frozenset)   # mediators recused on this case


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    score: float
    reason: str


class AssignmentError(Exception):
    """No one can take the case, or the party's chosen mediator cannot (a 409 with the reason)."""


def rank_organisations(orgs: list[OrgFacts], case: CaseFacts) -> list[Choice]:
    """Organisations that can take the case, best first.

    1. Only those sitting in an area that contains the dispute (a village committee does not
       mediate the next village's quarrel; county-level professional committees cover all).
    2. A professional committee for this very type wins: 专业对口 (+3).
    3. Otherwise the nearest committee: each level deeper counts +1 ("矛盾不上交").
    4. Ties go to the one with fewer open cases per mediator.
    """
    out = []
    for o in orgs:
        if not case.area_path.startswith(o.area_path):
            continue
        if o.types and case.type_code not in o.types:
            continue
        depth = o.area_path.count("/")
        specialist = bool(o.types)
        load = o.open_cases / max(o.mediators, 1)
        score = 3 * specialist + depth - 0.01 * load
        why = ["专业对口" if specialist else "属地管辖", f"在办 {o.open_cases} 件"]
        out.append(Choice(o.id, o.name, score, "；".join(why)))
    return sorted(out, key=lambda c: (-c.score, c.id))


def supervising_org(orgs: list[OrgFacts], handling: OrgFacts) -> OrgFacts | None:
    """The committee one level above the handling one, to whom an overdue case's 督办 goes.

    1. A committee below the township (a village or community committee, a studio or a police
       room): the township's 人民调解委员会 (kind TOWNSHIP) whose area contains the handler's.
    2. The township committee itself, or a committee at the county (professional, court): no
       committee above it in the data — None, and the county's 综治中心 takes the 督办.
    3. Of several townships containing it (a tree, so only when nested): the nearest.
    """
    out = [o for o in orgs if o.kind == OrgKind.TOWNSHIP and o.id != handling.id
           and handling.area_path.startswith(o.area_path)
           and not (handling.kind == OrgKind.TOWNSHIP and o.area_path == handling.area_path)]
    return max(out, key=lambda o: (len(o.area_path), -o.id), default=None)


def mediator_problem(m: MediatorFacts, case: CaseFacts, org_id: int) -> str | None:
    """Why this mediator cannot take the case, or None."""
    if not m.active:
        return f"调解员 {m.name} 已停用"
    if m.org_id != org_id:
        return f"调解员 {m.name} 不属于承办调解组织"
    if m.id in case.excluded:
        return f"调解员 {m.name} 已对本案回避"
    if m.open_cases >= m.max_cases:
        return f"调解员 {m.name} 在办案件已满（{m.open_cases}/{m.max_cases}）"
    return None


def rank_mediators(mediators: list[MediatorFacts], case: CaseFacts, org_id: int) -> list[Choice]:
    """Mediators of the organisation who can take the case, best first.

    1. Drop anyone with a problem (inactive, recused, full).
    2. Specialty in the dispute type +2; the party's dialect +1.
    3. High-risk or large-sum cases prefer senior mediators (一级 best): +0.5 per level above 五级.
    4. A proven success rate adds up to +1; each open case costs 0.2 (spread the load).
    """
    out = []
    senior = case.risk == RiskLevel.HIGH or (case.amount is not None and case.amount >= LARGE_AMOUNT)
    for m in mediators:
        if mediator_problem(m, case, org_id):
            continue
        why, score = [], 0.0
        if case.type_code in m.types:
            score += 2
            why.append("擅长该类纠纷")
        if case.dialect and case.dialect in m.dialects:
            score += 1
            why.append(f"会讲{case.dialect}")
        if senior:
            score += 0.5 * (5 - m.level)
            why.append(f"{m.level}级调解员")
        rate = m.succeeded / m.concluded if m.concluded else 0.0
        score += rate - 0.2 * m.open_cases
        why.append(f"在办 {m.open_cases} 件")
        out.append(Choice(m.id, m.name, round(score, 3), "，".join(why)))
    return sorted(out, key=lambda c: (-c.score, c.id))


def pick_mediator(mediators: list[MediatorFacts], case: CaseFacts, org_id: int,
                  chosen: int | None = None) -> Choice:
    """The party's choice when it can serve (当事人选定), else the best ranked."""
    if chosen is not None:
        m = next((x for x in mediators if x.id == chosen), None)
        if m is None:
            raise AssignmentError("所选调解员不存在")
        problem = mediator_problem(m, case, org_id)
        if problem:
            raise AssignmentError(problem)
        return Choice(m.id, m.name, 0.0, "当事人选定")
    ranked = rank_mediators(mediators, case, org_id)
    if not ranked:
        raise AssignmentError("该调解组织暂无可指派的调解员（均已回避、停用或满负荷）")
    return ranked[0]
