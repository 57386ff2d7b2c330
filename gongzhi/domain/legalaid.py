"""法律援助: the application's states, the means test with its exemptions, and which lawyer may act.

Pure Python: numbers and categories come in as facts (the amounts and lists are admin data).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .enums import LabelledEnum, SlaFlag, SupervisionLevel
from .privacy import Visibility
from .supervision import Escalation
from .workflow import rule


class AidStatus(LabelledEnum):
    SUBMITTED = "submitted", "待审查"
    APPROVED = "approved", "准予援助·待指派"
    DENIED = "denied", "不予援助"
    ASSIGNED = "assigned", "已指派律师"
    HANDLING = "handling", "承办中"
    CONCLUDED = "concluded", "已结案·待评查"
    REVIEWED = "reviewed", "已评查"
    CLOSED = "closed", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_AID_STATUSES = frozenset({AidStatus.SUBMITTED, AidStatus.APPROVED, AidStatus.ASSIGNED, AidStatus.HANDLING})


class AidAction(LabelledEnum):
    SUBMIT = "submit", "提交申请"
    APPROVE = "approve", "准予法律援助"
    DENY = "deny", "不予法律援助"
    TRANSFER = "transfer", "转交有管辖权的机构"
    ASSIGN = "assign", "指派律师"
    REASSIGN = "reassign", "更换承办律师"
    PROGRESS = "progress", "办案进展"
    CONCLUDE = "conclude", "结案"
    REVIEW = "review", "质量评查"
    REVISIT = "revisit", "回访"
    CLOSE = "close", "归档"
    WITHDRAW = "withdraw", "撤回申请"
    COMPLEX = "complex", "案情复杂·延长审查期限"
    SUPERVISE = "supervise", "督办"
    AUTO_SUPERVISE = "auto_supervise", "超期自动督办"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class AidClock(LabelledEnum):
    DECISION = "decision", "审查决定"
    ASSIGN = "assign", "指派律师"


class AidCapacity(StrEnum):
    OFFICE = "office"        # staff of the legal aid office handling the application
    LAWYER = "lawyer"        # the lawyer assigned to it
    APPLICANT = "applicant"
    CENTRE = "centre"        # a 综治中心/社区 holding the area the matter is in
    SUPERVISOR = "supervisor"  # 督查 staff holding the area the matter is in
    SYSTEM = "system"        # the SLA worker


class Matter(LabelledEnum):
    CRIMINAL = "criminal", "刑事辩护/代理"
    CIVIL = "civil", "民事代理"
    ADMINISTRATIVE = "administrative", "行政诉讼代理"
    COMPENSATION = "compensation", "国家赔偿"
    NON_LITIGATION = "non_litigation", "非诉讼代理"


class Penalty(LabelledEnum):
    NONE = "none", "不涉及"
    FIXED = "fixed", "有期徒刑及以下"
    LIFE = "life", "可能判处无期徒刑"
    DEATH = "death", "可能判处死刑"


class Specialty(LabelledEnum):
    LABOUR = "labour", "劳动争议/讨薪"
    INJURY = "injury", "工伤/人身损害"
    MARRIAGE = "marriage", "婚姻家庭"
    TRAFFIC = "traffic", "道路交通事故"
    MEDICAL = "medical", "医疗纠纷"
    CONTRACT = "contract", "合同债务"
    PROPERTY = "property", "房产物业"
    CRIMINAL = "criminal", "刑事辩护"
    ADMINISTRATIVE = "administrative", "行政诉讼"
    OTHER = "other", "其他"


class Channel(LabelledEnum):
    ONLINE = "online", "网上申请"
    DESK = "desk", "窗口申请"


S, A, C = AidStatus, AidAction, AidCapacity

TRANSITIONS = {
    A.APPROVE: rule({S.SUBMITTED}, S.APPROVED, C.OFFICE),
    A.DENY: rule({S.SUBMITTED}, S.DENIED, C.OFFICE, reason=True),
    A.TRANSFER: rule({S.SUBMITTED}, S.SUBMITTED, C.OFFICE, reason=True),
    A.ASSIGN: rule({S.APPROVED}, S.ASSIGNED, C.OFFICE),
    A.REASSIGN: rule({S.ASSIGNED, S.HANDLING}, S.ASSIGNED, C.OFFICE, reason=True),
    A.PROGRESS: rule({S.ASSIGNED, S.HANDLING}, S.HANDLING, C.LAWYER, C.OFFICE),
    A.CONCLUDE: rule({S.HANDLING}, S.CONCLUDED, C.LAWYER, C.OFFICE),
    A.REVIEW: rule({S.CONCLUDED}, S.REVIEWED, C.OFFICE),
    A.REVISIT: rule({S.CONCLUDED, S.REVIEWED}, None, C.OFFICE),
    A.CLOSE: rule({S.REVIEWED}, S.CLOSED, C.OFFICE),
    A.WITHDRAW: rule({S.SUBMITTED, S.APPROVED, S.ASSIGNED}, S.WITHDRAWN, C.APPLICANT, C.OFFICE, reason=True),
    # 案情复杂: the reviewing office extends the decision limit once, while it runs (decision_workdays).
    A.COMPLEX: rule({S.SUBMITTED}, None, C.OFFICE, reason=True),
    # 督办 by a centre or a supervisor while the application is open; no status changes.
    A.SUPERVISE: rule(OPEN_AID_STATUSES, None, C.CENTRE, C.SUPERVISOR, reason=True),
    # The sweep's automatic 督办 (ESCALATION below): only a decision overdue.
    A.AUTO_SUPERVISE: rule({S.SUBMITTED}, None, C.SYSTEM),
    # The sweep flags an application only where its clock runs (CLOCK_RUNS_IN); no status changes.
    A.SLA_YELLOW: rule({S.SUBMITTED, S.APPROVED}, None, C.SYSTEM),
    A.SLA_RED: rule({S.SUBMITTED, S.APPROVED}, None, C.SYSTEM),
}

# 《法律援助法》art. 43: decide within 7 working days (the configured default is 泉州's 2-workday
# promise, GONGZHI_LEGALAID_DECISION_WORKDAYS); then assign a lawyer within 3 days
# (GONGZHI_LEGALAID_ASSIGN_WORKDAYS).  The decision clock starts with the application itself.
CLOCK_RUNS_IN: dict[AidClock, frozenset[AidStatus]] = {
    AidClock.DECISION: frozenset({S.SUBMITTED}),
    AidClock.ASSIGN: frozenset({S.APPROVED}),
}
# What each action does to the clock: start one (a clock), stop it (None); others keep it (a 转交
# keeps the decision clock running: the applicant's wait does not restart).
CLOCK_EFFECTS: dict[AidAction, AidClock | None] = {
    A.SUBMIT: AidClock.DECISION,
    A.APPROVE: AidClock.ASSIGN,
    A.DENY: None, A.ASSIGN: None, A.WITHDRAW: None,
}

# The decision limit in working days: the law's 7 (art. 43) is a ceiling; an installation promises
# less (泉州: 2, the default of GONGZHI_LEGALAID_DECISION_WORKDAYS).  A complex case gets 3 more,
# once, so the decision never comes later than 10 working days after the application.
LEGAL_DECISION_WORKDAYS = 7
COMPLEX_EXTRA_WORKDAYS = 3
# 法律援助法 art. 43: a lawyer is assigned within 3 days of the approval.
LEGAL_ASSIGN_WORKDAYS = 3


def decision_workdays(configured: int, complex_case: bool = False) -> int:
    """The decision clock's limit: the configured promise, never above the law's 7 (a wrong setting
    is refused at start-up: legalaid.checks), plus 3 for a complex case — never above 10."""
    base = max(1, min(configured, LEGAL_DECISION_WORKDAYS))
    extra = COMPLEX_EXTRA_WORKDAYS if complex_case else 0
    return min(base + extra, LEGAL_DECISION_WORKDAYS + COMPLEX_EXTRA_WORKDAYS)


def complex_refusal(clock: str, complex_case: bool) -> tuple[str, str] | None:
    """Why the 案情复杂 extension cannot be made now, as (code, words), or None: only while the
    decision clock runs, and only once."""
    if clock != AidClock.DECISION:
        return "no_decision_clock", "审查决定期限未在计时，不能延长"
    if complex_case:
        return "already_extended", "该申请已认定案情复杂并延长过审查期限，不能再次延长"
    return None


def limit_problems(decision: int, assign: int) -> list[str]:
    """What is wrong with the configured limits (the settings), in words; empty = lawful."""
    out = []
    if not 1 <= decision <= LEGAL_DECISION_WORKDAYS:
        out.append(f"GONGZHI_LEGALAID_DECISION_WORKDAYS = {decision}：审查决定期限应为 1–{LEGAL_DECISION_WORKDAYS} "
                   f"个工作日（法律援助法第四十三条）")
    if not 1 <= assign <= LEGAL_ASSIGN_WORKDAYS:
        out.append(f"GONGZHI_LEGALAID_ASSIGN_WORKDAYS = {assign}：指派期限应为 1–{LEGAL_ASSIGN_WORKDAYS} "
                   f"个工作日（法律援助法第四十三条）")
    return out


class EscalateTo(LabelledEnum):
    CENTRE_HEAD = "centre_head", "法律援助中心负责人"


# 超期督办: a decision overdue is the applicant left without an answer the law owes them — a red
# decision clock brings a 红牌督办 addressed to the head of the legal-aid centre (aid_centre).  A
# late assignment shows on the board; the centre's own staff assign.
ESCALATION: dict[tuple[AidClock, SlaFlag], Escalation] = {
    (AidClock.DECISION, SlaFlag.RED): Escalation(SupervisionLevel.RED, EscalateTo.CENTRE_HEAD),
}


@dataclass(frozen=True)
class OfficeFacts:
    id: int
    name: str
    area_path: str


def aid_centre(offices: list[OfficeFacts], handling: OfficeFacts) -> OfficeFacts:
    """The legal-aid centre answering for the handling office: of the offices whose area contains
    the handler's, the one highest up (a township 工作站 answers to the county's 法律援助中心; a
    centre to itself)."""
    over = [o for o in offices if handling.area_path.startswith(o.area_path)] + [handling]
    return min(over, key=lambda o: (len(o.area_path), o.id != handling.id, o.id))

# Who reads each timeline row (domain.privacy): the applicant follows the decision and who acts
# for them; the lawyer's case notes and the peer review stay internal.
_PUBLIC, _INTERNAL = Visibility.PUBLIC, Visibility.INTERNAL
ROW_VISIBILITY = {
    A.SUBMIT: _PUBLIC, A.APPROVE: _PUBLIC, A.DENY: _PUBLIC, A.TRANSFER: _PUBLIC, A.ASSIGN: _PUBLIC,
    A.REASSIGN: _PUBLIC, A.CONCLUDE: _PUBLIC, A.CLOSE: _PUBLIC, A.WITHDRAW: _PUBLIC, A.REVISIT: _PUBLIC,
    A.PROGRESS: _INTERNAL, A.REVIEW: _INTERNAL, A.SLA_YELLOW: _INTERNAL, A.SLA_RED: _INTERNAL,
    # The applicant learns that the decision takes longer (and until when: the row's data).
    A.COMPLEX: _PUBLIC, A.SUPERVISE: _INTERNAL, A.AUTO_SUPERVISE: _INTERNAL,
}
# A denial's reason is written to the applicant (法律援助法 art. 43: the decision with reasons).
PUBLIC_TEXT = frozenset({A.DENY, A.TRANSFER, A.WITHDRAW})


# ---- eligibility ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Means:
    monthly_income: Decimal            # household income per person per month (yuan)
    minimum_standard: Decimal | None   # local 最低生活保障标准 per person per month; None = not configured
    multiple: Decimal = Decimal(2)
    exempt: str = ""                   # the name of an exempt category the applicant falls in
    pledge: bool = False               # 诚信承诺: signed instead of proving hardship with papers


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    basis: str


class StandardMissing(Exception):
    def __init__(self):
        super().__init__("本地最低生活保障标准未配置，无法审查经济困难条件，请管理员在后台录入")


def _yuan(x: Decimal) -> str:
    return f"{x.quantize(Decimal('0.01'), ROUND_HALF_UP)} 元"


def eligibility(m: Means) -> Eligibility:
    """1. no honesty pledge, no aid (the pledge replaces proof of hardship);
    2. an exempt category (家暴受害人, 农民工讨薪/工伤 …) skips the means test;
    3. otherwise income per person must not exceed multiple × the local minimum standard."""
    if not m.pledge:
        return Eligibility(False, "未签署经济困难状况诚信承诺")
    if m.exempt:
        return Eligibility(True, f"免予经济困难审查：{m.exempt}")
    if m.minimum_standard is None:
        raise StandardMissing()
    line = m.minimum_standard * m.multiple
    if m.monthly_income <= line:
        return Eligibility(True, f"人均月收入 {_yuan(m.monthly_income)} ≤ 低保标准 {_yuan(m.minimum_standard)}"
                                 f" × {m.multiple} = {_yuan(line)}")
    return Eligibility(False, f"人均月收入 {_yuan(m.monthly_income)} 超过低保标准 {_yuan(m.minimum_standard)}"
                              f" × {m.multiple} = {_yuan(line)}，且不属于免予审查的情形")


# ---- lawyers ----------------------------------------------------------------------------------

SENIOR_CRIMINAL_YEARS = 3   # 法律援助法第26条: 可能判处无期徒刑、死刑 → 三年以上相关执业经历


@dataclass(frozen=True)
class LawyerFacts:
    id: int
    name: str
    practice_years: int
    criminal_years: int = 0
    juvenile: bool = False
    specialties: frozenset[str] = frozenset()
    open_cases: int = 0
    max_cases: int = 8
    active: bool = True


@dataclass(frozen=True)
class AidCaseFacts:
    matter: Matter
    penalty: Penalty = Penalty.NONE
    minor: bool = False
    specialty: str = ""          # e.g. "labour", "marriage" (codes shared with lawyers' specialties)


@dataclass(frozen=True)
class LawyerChoice:
    id: int
    name: str
    score: float
    reason: str


class LawyerError(Exception):
    """The chosen lawyer may not take the case, or nobody can (a 409 with the reason)."""


def lawyer_problems(lw: LawyerFacts, case: AidCaseFacts) -> list[str]:
    """Every rule the lawyer fails for this case, in words (empty = may be assigned)."""
    out = []
    if not lw.active:
        out.append(f"律师 {lw.name} 未在援助律师库中启用")
    if case.penalty in (Penalty.LIFE, Penalty.DEATH) and lw.criminal_years < SENIOR_CRIMINAL_YEARS:
        out.append(f"可能判处无期徒刑、死刑的案件须由具有 {SENIOR_CRIMINAL_YEARS} 年以上刑事辩护执业经历的律师承办"
                   f"（{lw.name} 为 {lw.criminal_years} 年）")
    if case.minor and not lw.juvenile:
        out.append(f"未成年人案件须由熟悉未成年人身心特点的律师承办（{lw.name} 无未成年人案件经验）")
    if lw.open_cases >= lw.max_cases:
        out.append(f"律师 {lw.name} 在办援助案件已满（{lw.open_cases}/{lw.max_cases}）")
    return out


def rank_lawyers(lawyers: list[LawyerFacts], case: AidCaseFacts) -> list[LawyerChoice]:
    """Lawyers who may take the case, best first: specialty +2, criminal experience for criminal
    matters (up to +1), practice years (up to +1), minus 0.2 per open aid case."""
    out = []
    for lw in lawyers:
        if lawyer_problems(lw, case):
            continue
        score, why = 0.0, []
        if case.specialty and case.specialty in lw.specialties:
            score += 2
            why.append("专业对口")
        if case.matter == Matter.CRIMINAL:
            score += min(lw.criminal_years, 10) / 10
            why.append(f"刑辩 {lw.criminal_years} 年")
        score += min(lw.practice_years, 20) / 20 - 0.2 * lw.open_cases
        why.append(f"执业 {lw.practice_years} 年，在办 {lw.open_cases} 件")
        out.append(LawyerChoice(lw.id, lw.name, round(score, 3), "，".join(why)))
    return sorted(out, key=lambda c: (-c.score, c.id))


def pick_lawyer(lawyers: list[LawyerFacts], case: AidCaseFacts, chosen: int | None = None) -> LawyerChoice:
    """点援制: the applicant's choice if the rules allow it; otherwise the best ranked."""
    if chosen is not None:
        lw = next((x for x in lawyers if x.id == chosen), None)
        if lw is None:
            raise LawyerError("所选律师不在援助律师库中")
        problems = lawyer_problems(lw, case)
        if problems:
            raise LawyerError("；".join(problems))
        return LawyerChoice(lw.id, lw.name, 0.0, "申请人点援")
    ranked = rank_lawyers(lawyers, case)
    if not ranked:
        raise LawyerError("援助律师库中没有符合本案条件的律师")
    return ranked[0]


# ---- quality review ---------------------------------------------------------------------------

GRADES = [(90, "优秀"), (80, "良好"), (60, "合格"), (0, "不合格")]


def review_grade(scores: list[int]) -> tuple[float, str]:
    """The panel's mean score (0–100) and its grade."""
    if not scores:
        raise ValueError("评查至少需要一位专家的评分")
    mean = round(sum(scores) / len(scores), 1)
    return mean, next(label for floor, label in GRADES if mean >= floor)
