"""信用档案 (文登): a resident's credit file under the village/residents' 公约, its score and levels,
the incentive scenes a level opens, and the steps of an entry, an objection (异议) and a repair
(信用修复).

Pure Python.  Everything a place decides is data: the 公约's clauses and named behaviours (rows in
the credit app, each with its points and validity), the scoring rules (:class:`Rules`, overridable
by ``GONGZHI_CREDIT``) and the scenes with their minimum level.

How a score is made (:func:`score`), in hundredths of a point so weights never round midway:

1. an entry counts on the days ``valid_from`` … ``valid_until`` (both inclusive: an entry valid
   until today still counts today, and is gone tomorrow); a withdrawn entry never counts, and a
   repair's compensating entry counts only while the entry it compensates does;
2. per behaviour class, the counted points are summed and multiplied by the class's weight (in
   percent; a class without a weight weighs 100 %);
3. a class's positive sum is capped at its cap (anti-farming: 文登 caps volunteer points a year),
   its negative sum is never capped (a deduction is never softened by piling up good deeds in it);
4. base + the classes, clamped to [floor, ceiling]; the level is the first threshold reached
   (thresholds inclusive: exactly 120 is A).

Entries are append-only and hash-chained (``domain.chain``): a withdrawal is a new entry pointing
at the one it withdraws, a granted repair a new entry compensating the one repaired.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .enums import LabelledEnum
from .workflow import rule


class BehaviourClass(LabelledEnum):
    """The 公约's chapters a behaviour falls under (the weights and caps are per class)."""

    VOLUNTEER = "volunteer", "志愿服务"
    NEIGHBOURLY = "neighbourly", "邻里互助"
    FAMILY = "family", "孝老爱亲"
    ENVIRONMENT = "environment", "环境卫生"
    PUBLIC_ORDER = "public_order", "公共秩序"
    CIVIC = "civic", "议事参与"
    HONOUR = "honour", "表彰荣誉"


class Level(LabelledEnum):
    A = "A", "A 级（守信激励）"
    B = "B", "B 级（信用良好）"
    C = "C", "C 级（信用关注）"
    D = "D", "D 级（失信警示）"


# Best first: a scene open to B is open to A.
LEVEL_ORDER = (Level.A, Level.B, Level.C, Level.D)


class EntryKind(LabelledEnum):
    ENTRY = "entry", "信用记录"
    WITHDRAWAL = "withdrawal", "撤销记录"
    REPAIR = "repair", "信用修复"


class SceneKind(LabelledEnum):
    PRIORITY = "priority", "优先服务"
    DISCOUNT = "discount", "商户优惠"
    FINANCE = "finance", "信用贷款"
    HONOUR = "honour", "评先评优"
    RESTRICT = "restrict", "限制类（不得享受）"


class Cap(LabelledEnum):
    """What a user is to a credit file (credit.scope)."""

    OFFICER = "officer", "信用专员"       # a credit officer of the person's community
    SUBJECT = "subject", "本人"
    SYSTEM = "system", "系统"


# ---- the rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rules:
    """The scoring rules (``GONGZHI_CREDIT``): points, not hundredths; weights in percent."""

    base: int = 100
    floor: int = 0
    ceiling: int = 200
    weights: Mapping[str, int] = field(default_factory=lambda: {
        BehaviourClass.VOLUNTEER: 100, BehaviourClass.NEIGHBOURLY: 100, BehaviourClass.FAMILY: 100,
        BehaviourClass.ENVIRONMENT: 100, BehaviourClass.PUBLIC_ORDER: 150, BehaviourClass.CIVIC: 50,
        BehaviourClass.HONOUR: 100})
    caps: Mapping[str, int] = field(default_factory=lambda: {
        BehaviourClass.VOLUNTEER: 30, BehaviourClass.NEIGHBOURLY: 20, BehaviourClass.CIVIC: 10})
    # (threshold, level), best first; below the last threshold is D.
    levels: tuple[tuple[int, str], ...] = ((120, Level.A), (100, Level.B), (80, Level.C))
    repair_wait_days: int = 30          # a negative entry may be repaired this many days after it begins
    dispute_workdays: int = 10          # an objection is decided within 10 working days
    repair_workdays: int = 15           # a repair request within 15 working days


def rules_from(overrides: Mapping | None) -> Rules:
    known = {k: v for k, v in (overrides or {}).items() if k in Rules.__dataclass_fields__}
    if "levels" in known:
        known["levels"] = tuple((int(t), Level(lv)) for t, lv in known["levels"])
    return Rules(**known)


def rule_problems(rules: Rules) -> list[str]:
    out = []
    if not rules.floor <= rules.base <= rules.ceiling:
        out.append("base 应在 floor 与 ceiling 之间")
    thresholds = [t for t, _ in rules.levels]
    if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(thresholds):
        out.append("levels 的分数线应从高到低且互不相同")
    if [lv for _, lv in rules.levels] != list(LEVEL_ORDER[:len(rules.levels)]):
        out.append("levels 应依次为 A、B、C …")
    if any(w < 0 for w in rules.weights.values()):
        out.append("weights 不得为负")
    if any(c < 0 for c in rules.caps.values()):
        out.append("caps 不得为负")
    if any(c not in BehaviourClass._value2member_map_ for c in [*rules.weights, *rules.caps]):
        out.append("weights/caps 中有未知的行为类别")
    if rules.dispute_workdays <= 0 or rules.repair_workdays <= 0 or rules.repair_wait_days < 0:
        out.append("dispute_workdays、repair_workdays 应为正整数，repair_wait_days 不得为负")
    return out


# ---- the score -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """One stored entry as the score reads it."""

    id: int
    kind: str                      # EntryKind
    klass: str                     # BehaviourClass
    points: int                    # signed: + positive behaviour, − negative
    valid_from: date
    valid_until: date | None       # inclusive; None = no end
    reverses: int | None = None    # a withdrawal's or a repair's target


@dataclass(frozen=True)
class Score:
    hundredths: int                           # the exact score × 100
    level: Level
    by_class: Mapping[str, int]               # hundredths each class added (after weight and cap)
    capped: frozenset[str]                    # classes held at their cap
    counted: frozenset[int]                   # ids of the entries that count today

    @property
    def points(self) -> int:
        """The score as shown: rounded half up (99.5 → 100)."""
        return (self.hundredths + 50) // 100


def in_force(fact: Fact, today: date) -> bool:
    return fact.valid_from <= today and (fact.valid_until is None or today <= fact.valid_until)


def counted_facts(facts: Iterable[Fact], today: date) -> list[Fact]:
    """The entries that count today: in force, not withdrawn; a repair only while its target counts."""
    facts = list(facts)
    withdrawn = {f.reverses for f in facts if f.kind == EntryKind.WITHDRAWAL}
    alive = {f.id for f in facts if f.kind == EntryKind.ENTRY and f.id not in withdrawn and in_force(f, today)}
    return [f for f in facts if f.id in alive
            or (f.kind == EntryKind.REPAIR and f.reverses in alive and f.id not in withdrawn and in_force(f, today))]


def level_of(hundredths: int, rules: Rules) -> Level:
    for threshold, level in rules.levels:
        if hundredths >= threshold * 100:
            return Level(level)
    return Level.D


def score(facts: Iterable[Fact], today: date, rules: Rules = Rules()) -> Score:
    counted = counted_facts(facts, today)
    sums: dict[str, int] = {}
    for f in counted:
        sums[f.klass] = sums.get(f.klass, 0) + f.points
    by_class, capped = {}, set()
    for klass, pts in sums.items():
        weighted = pts * rules.weights.get(klass, 100)          # points × percent = hundredths
        cap = rules.caps.get(klass)
        if cap is not None and weighted >= cap * 100:
            weighted = cap * 100
            capped.add(klass)
        by_class[klass] = weighted
    total = rules.base * 100 + sum(by_class.values())
    total = max(rules.floor * 100, min(rules.ceiling * 100, total))
    return Score(total, level_of(total, rules), by_class, frozenset(capped), frozenset(f.id for f in counted))


def valid_until(valid_from: date, validity_days: int | None) -> date | None:
    """An entry valid ``validity_days`` days counts on valid_from … valid_from + days − 1."""
    return None if not validity_days else valid_from + timedelta(days=validity_days - 1)


# ---- scenes ----------------------------------------------------------------------------------

def reaches(level: str, minimum: str) -> bool:
    """Whether ``level`` is at least ``minimum`` (A reaches B; D reaches only D)."""
    return LEVEL_ORDER.index(Level(level)) <= LEVEL_ORDER.index(Level(minimum))


# ---- maker-checker, objections, repairs ------------------------------------------------------

def approval_problem(proposer_id: int, approver_id: int) -> str:
    """An entry is approved by a different officer from the one who proposed it (maker-checker)."""
    return "提出人不能审核自己提出的信用记录" if proposer_id == approver_id else ""


def repair_problem(*, points: int, kind: str, counts: bool, already_repaired: bool, valid_from: date,
                   today: date, rules: Rules = Rules()) -> str:
    """Why an entry cannot be repaired now ("" = it can): only a negative entry that still counts,
    once, and not before ``repair_wait_days`` days have passed since it began (the day it began is
    day 0: with 30 days, one beginning 11-01 may be repaired from 12-01)."""
    if kind != EntryKind.ENTRY or points >= 0:
        return "只有扣分的信用记录可以申请修复"
    if already_repaired:
        return "该记录已经修复"
    if not counts:
        return "该记录已不计入信用分（已过有效期或已撤销），无需修复"
    ready = valid_from + timedelta(days=rules.repair_wait_days)
    if today < ready:
        return f"该记录自 {ready.isoformat()} 起方可申请修复"
    return ""


class ProposalStatus(LabelledEnum):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已生效"
    REJECTED = "rejected", "不予认定"


# A proposal's own steps (guarded by its status in credit.services; the file's timeline records them).
PROPOSAL_STEPS = {
    "approve": (ProposalStatus.PENDING, ProposalStatus.APPROVED),
    "reject": (ProposalStatus.PENDING, ProposalStatus.REJECTED),
}


class FileStatus(LabelledEnum):
    OPEN = "open", "在档"
    CLOSED = "closed", "已注销"


class FileAction(LabelledEnum):
    OPEN = "open", "建立信用档案"
    PROPOSE = "propose", "提出信用记录"
    APPROVE = "approve", "审核通过·记入档案"
    REJECT = "reject", "不予认定"
    WITHDRAW = "withdraw", "撤销信用记录"
    CLOSE = "close", "注销信用档案"


FS, FA, C = FileStatus, FileAction, Cap
FILE_TRANSITIONS = {
    # OPEN is the file's creation (credit.services.open_file), not a step of this table.
    FA.PROPOSE: rule({FS.OPEN}, None, C.OFFICER),
    FA.APPROVE: rule({FS.OPEN}, None, C.OFFICER),
    FA.REJECT: rule({FS.OPEN}, None, C.OFFICER, reason=True),
    FA.WITHDRAW: rule({FS.OPEN}, None, C.OFFICER, reason=True),
    FA.CLOSE: rule({FS.OPEN}, FS.CLOSED, C.OFFICER, reason=True),
}


class DisputeStatus(LabelledEnum):
    FILED = "filed", "待核查"
    UPHELD = "upheld", "异议成立·已撤销记录"
    DISMISSED = "dismissed", "异议不成立"
    WITHDRAWN = "withdrawn", "本人撤回"


class DisputeAction(LabelledEnum):
    FILE = "file", "提出异议"
    UPHOLD = "uphold", "异议成立"
    DISMISS = "dismiss", "异议不成立"
    RETRACT = "retract", "撤回异议"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class DisputeClock(LabelledEnum):
    DECIDE = "decide", "异议处理期限"


DS, DA = DisputeStatus, DisputeAction
DISPUTE_TRANSITIONS = {
    DA.UPHOLD: rule({DS.FILED}, DS.UPHELD, C.OFFICER, reason=True),
    DA.DISMISS: rule({DS.FILED}, DS.DISMISSED, C.OFFICER, reason=True),
    DA.RETRACT: rule({DS.FILED}, DS.WITHDRAWN, C.SUBJECT),
    DA.SLA_YELLOW: rule({DS.FILED}, None, C.SYSTEM),
    DA.SLA_RED: rule({DS.FILED}, None, C.SYSTEM),
}
DISPUTE_CLOCK_RUNS_IN = {DisputeClock.DECIDE: frozenset({DS.FILED})}
DISPUTE_CLOCK_EFFECTS = {DA.FILE: DisputeClock.DECIDE, DA.UPHOLD: None, DA.DISMISS: None, DA.RETRACT: None}


class RepairStatus(LabelledEnum):
    APPLIED = "applied", "待审核"
    GRANTED = "granted", "准予修复"
    REFUSED = "refused", "不予修复"
    WITHDRAWN = "withdrawn", "本人撤回"


class RepairAction(LabelledEnum):
    APPLY = "apply", "申请信用修复"
    GRANT = "grant", "准予修复"
    REFUSE = "refuse", "不予修复"
    RETRACT = "retract", "撤回申请"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class RepairClock(LabelledEnum):
    DECIDE = "decide", "修复审核期限"


RS, RA = RepairStatus, RepairAction
REPAIR_TRANSITIONS = {
    RA.GRANT: rule({RS.APPLIED}, RS.GRANTED, C.OFFICER),
    RA.REFUSE: rule({RS.APPLIED}, RS.REFUSED, C.OFFICER, reason=True),
    RA.RETRACT: rule({RS.APPLIED}, RS.WITHDRAWN, C.SUBJECT),
    RA.SLA_YELLOW: rule({RS.APPLIED}, None, C.SYSTEM),
    RA.SLA_RED: rule({RS.APPLIED}, None, C.SYSTEM),
}
REPAIR_CLOCK_RUNS_IN = {RepairClock.DECIDE: frozenset({RS.APPLIED})}
REPAIR_CLOCK_EFFECTS = {RA.APPLY: RepairClock.DECIDE, RA.GRANT: None, RA.REFUSE: None, RA.RETRACT: None}
