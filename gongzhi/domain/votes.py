"""出卷 → 票决 (issue 19): a proposal's states, who is on the roll, and the quorum/pass maths.

Pure Python, no Django.  Everything a community may set is data on the proposal (``Rule``):
which share of the eligible must take part, which share of the participants must agree, and
whether each bound is inclusive (以上) or strict (过半数).  The presets follow 民法典 第二百七十八条
for owners' matters: 参与表决 ≥ 2/3 of the owners; the major matters of items 6–8 (维修资金,
改建重建, 改变共有部分用途) need ≥ 3/4 of the participants, the other matters more than half.
"以上" includes the number itself (民法典 第一千二百五十九条), so 2/3 exactly is a quorum and
1/2 exactly is not a majority.  Fractions are exact (``Fraction``): 0.6666 never passes for 2/3.

1. a participant is anyone whose ballot was counted — abstentions (弃权) included: they took part;
2. the quorum is participants / eligible against ``Rule.turnout``;
3. the leading non-abstaining option carries only when its votes / participants meet
   ``Rule.approval`` and it leads every other option strictly (a tie carries nothing);
4. an option that stands for "against" (不同意) can lead, and then the proposal fails.
"""
from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from .enums import LabelledEnum
from .workflow import rule


class ProposalStatus(LabelledEnum):
    DRAFT = "draft", "草拟"
    OPINION = "opinion", "征求意见"
    VOTING = "voting", "投票中"
    DECIDED = "decided", "表决通过"
    FAILED = "failed", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class ProposalAction(LabelledEnum):
    CREATE = "create", "拟定议题"
    OPEN_OPINION = "open_opinion", "发布征求意见"
    OPEN_VOTING = "open_voting", "开始投票"
    PASS = "pass", "计票·表决通过"
    FAIL = "fail", "计票·未通过"
    WITHDRAW = "withdraw", "撤回议题"
    HIDE_COMMENT = "hide_comment", "屏蔽意见"
    REPLY = "reply", "答复意见"
    DOCUMENT = "document", "上传附件"
    PAPER = "paper", "录入纸质票"
    NOTE = "note", "工作记录"


class VoteCap(LabelledEnum):
    """What a user is to a proposal (votes.scope)."""

    ORGANISER = "organiser", "组织者"        # community/township/county staff over the proposal's area
    HELPER = "helper", "协助人员"            # the area's grid team: 代投 and paper entry
    RESIDENT = "resident", "居民"            # lives in the area
    SYSTEM = "system", "系统"


class Basis(LabelledEnum):
    HOUSEHOLD = "household", "每户一票"
    ADULT = "adult", "每位成年居民一票"


class MoveRule(LabelledEnum):
    """A voter who moves out after the roll is fixed (voting opened)."""

    KEEPS = "keeps", "保留表决权（名册以开始投票时为准）"
    LOSES = "loses", "丧失表决权（迁出后不能投票，未投的不计入应参与人数）"


class OptionRole(LabelledEnum):
    FOR = "for", "赞成/方案"
    AGAINST = "against", "反对"
    ABSTAIN = "abstain", "弃权"


class Via(LabelledEnum):
    """How a voter took part (on the roll, never on the ballot)."""

    ONLINE = "online", "本人网上投票"
    PROXY = "proxy", "代投"
    PAPER = "paper", "纸质票"


class Outcome(LabelledEnum):
    PASSED = "passed", "表决通过"
    NO_QUORUM = "no_quorum", "参与人数不足"
    NOT_CARRIED = "not_carried", "同意票未达规定比例"
    TIED = "tied", "得票相同"
    REJECTED = "rejected", "多数反对"


class BatchStatus(LabelledEnum):
    PENDING = "pending", "待第二人录入"
    MISMATCH = "mismatch", "两次录入不一致"
    COUNTED = "counted", "已计入"


class Preset(LabelledEnum):
    ORDINARY = "ordinary", "一般事项（参与≥2/3，同意>1/2）"
    MAJOR = "major", "重大事项（参与≥2/3，同意≥3/4）"
    CUSTOM = "custom", "自定义"


PS, PA, VC = ProposalStatus, ProposalAction, VoteCap
_OPEN = {PS.DRAFT, PS.OPINION, PS.VOTING}

# CREATE is the proposal's creation (votes.services.propose), not a step of this table.
TRANSITIONS = {
    PA.OPEN_OPINION: rule({PS.DRAFT}, PS.OPINION, VC.ORGANISER),
    # Straight from the draft when the community skipped the opinion period (a small 楼栋 matter).
    PA.OPEN_VOTING: rule({PS.DRAFT, PS.OPINION}, PS.VOTING, VC.ORGANISER),
    PA.PASS: rule({PS.VOTING}, PS.DECIDED, VC.ORGANISER, VC.SYSTEM),
    PA.FAIL: rule({PS.VOTING}, PS.FAILED, VC.ORGANISER, VC.SYSTEM),
    PA.WITHDRAW: rule(_OPEN, PS.WITHDRAWN, VC.ORGANISER, reason=True),
    PA.HIDE_COMMENT: rule({PS.OPINION, PS.VOTING, PS.DECIDED, PS.FAILED}, None, VC.ORGANISER, reason=True),
    PA.REPLY: rule({PS.OPINION, PS.VOTING}, None, VC.ORGANISER),
    PA.DOCUMENT: rule({PS.DRAFT, PS.OPINION}, None, VC.ORGANISER),
    PA.PAPER: rule({PS.VOTING}, None, VC.ORGANISER, VC.HELPER),
    PA.NOTE: rule(_OPEN | {PS.DECIDED, PS.FAILED}, None, VC.ORGANISER),
}
# No clock: the windows are dates the organiser sets, and the count is an act of the organiser.
CLOCK_RUNS_IN: dict = {}
CLOCK_EFFECTS: dict = {}

# Which rows residents read (the privacy policy's Visibility values, by name to stay below privacy).
PUBLIC_ROWS = frozenset({PA.CREATE, PA.OPEN_OPINION, PA.OPEN_VOTING, PA.PASS, PA.FAIL, PA.WITHDRAW, PA.REPLY,
                         PA.DOCUMENT})


# ---- the rule -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bound:
    share: Fraction
    inclusive: bool = True          # 以上 (≥); False: 过半数 (>)

    def met(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        ratio = Fraction(part, whole)
        return ratio >= self.share if self.inclusive else ratio > self.share

    def __str__(self) -> str:
        return f"{'≥' if self.inclusive else '>'}{self.share}"


@dataclass(frozen=True)
class Rule:
    turnout: Bound
    approval: Bound


PRESETS: dict[Preset, Rule] = {
    Preset.ORDINARY: Rule(Bound(Fraction(2, 3)), Bound(Fraction(1, 2), inclusive=False)),
    Preset.MAJOR: Rule(Bound(Fraction(2, 3)), Bound(Fraction(3, 4))),
}


def rule_problems(r: Rule) -> list[str]:
    """What is wrong with a configured rule (empty: usable)."""
    out = [f"{name}应在 0 到 1 之间" for name, b in (("参与比例", r.turnout), ("同意比例", r.approval))
           if not 0 <= b.share <= 1]
    if r.approval.share < Fraction(1, 2) or (r.approval.share == Fraction(1, 2) and r.approval.inclusive):
        out.append("同意比例不得低于过半数")     # below it two options could both carry
    return out


@dataclass(frozen=True)
class Option:
    key: str
    role: OptionRole


@dataclass(frozen=True)
class Result:
    eligible: int
    participants: int
    counts: Mapping[str, int]
    quorum: bool
    outcome: Outcome
    carried: str | None = None                 # the option's key when passed
    turnout: Fraction = field(default=Fraction(0))


def tally(options: Iterable[Option], counts: Mapping[str, int], eligible: int, r: Rule) -> Result:
    """The outcome of a vote from the counts per option key (see the module's steps 1–4)."""
    opts = list(options)
    full = {o.key: int(counts.get(o.key, 0)) for o in opts}
    unknown = set(counts) - set(full)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    participants = sum(full.values())
    turnout = Fraction(participants, eligible) if eligible > 0 else Fraction(0)
    outcome, carried = _outcome(opts, full, participants, eligible, r)
    return Result(eligible, participants, full, outcome is not Outcome.NO_QUORUM, outcome, carried, turnout)


def _outcome(opts: list[Option], full: dict[str, int], participants: int, eligible: int,
             r: Rule) -> tuple[Outcome, str | None]:
    if not r.turnout.met(participants, eligible):
        return Outcome.NO_QUORUM, None
    standing = sorted((o for o in opts if o.role is not OptionRole.ABSTAIN), key=lambda o: -full[o.key])
    if not standing or full[standing[0].key] == 0:
        return Outcome.NOT_CARRIED, None
    lead = standing[0]
    if len(standing) > 1 and full[standing[1].key] == full[lead.key]:
        return Outcome.TIED, None
    if not r.approval.met(full[lead.key], participants):
        return Outcome.NOT_CARRIED, None
    if lead.role is OptionRole.AGAINST:
        return Outcome.REJECTED, None
    return Outcome.PASSED, lead.key


def percent(f: Fraction) -> str:
    """66.67%: for the notice (the decision is made on the exact fraction, never on this)."""
    return f"{float(f) * 100:.2f}%"


# ---- the roll -----------------------------------------------------------------------------------

ADULT_AGE = 18


@dataclass(frozen=True)
class Resident:
    person: int
    household: int | None
    birth_date: date | None
    moved_in_on: date | None
    moved_out_on: date | None
    household_moved_out_on: date | None = None


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def lives_there(r: Resident, on: date) -> bool:
    """In the area on that day: moved in on or before it, not moved out on or before it."""
    if r.moved_in_on is not None and r.moved_in_on > on:
        return False
    return all(out is None or out > on for out in (r.moved_out_on, r.household_moved_out_on))


def roll(residents: Iterable[Resident], basis: Basis, as_of: date) -> list[str]:
    """The voter keys of the roll fixed on ``as_of`` (the day voting opens): ``p<id>`` per adult
    resident, or ``h<id>`` per household with at least one adult living there (the household
    votes once, by any adult member).  A person of unknown birth date is not counted as adult: the
    community verifies the registry before the vote (an unknown age is fixed at the desk)."""
    keys: set[str] = set()
    for r in residents:
        if not lives_there(r, as_of) or r.birth_date is None or age_on(r.birth_date, as_of) < ADULT_AGE:
            continue
        if basis is Basis.ADULT:
            keys.add(f"p{r.person}")
        elif r.household is not None:
            keys.add(f"h{r.household}")
    return sorted(keys)


def may_still_vote(moved_out_on: date | None, today: date, move: MoveRule) -> bool:
    """A voter on the roll who moved out since: KEEPS votes on; LOSES from the day of moving out."""
    return move is MoveRule.KEEPS or moved_out_on is None or moved_out_on > today


def eligible_count(roll_size: int, left_without_voting: int, move: MoveRule) -> int:
    """The denominator of the quorum: the roll, less (LOSES) those who moved out before voting."""
    return roll_size - (left_without_voting if move is MoveRule.LOSES else 0)


# ---- ballots ------------------------------------------------------------------------------------

# Crockford base32 without I, L, O, U: read aloud and typed back by an elderly voter.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def receipt_code() -> str:
    """K7QF-2M9X-P4HD: 60 random bits, in groups of four."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def receipt_from(digest: bytes) -> str:
    """The receipt spelled from a keyed digest (an online ballot's: the same retry, the same code)."""
    n = int.from_bytes(digest[:8], "big")
    raw = "".join(RECEIPT_ALPHABET[(n >> (5 * i)) & 31] for i in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def normal_receipt(text: str) -> str:
    """A receipt as typed (lower case, spaces, O for 0, I/L for 1) in the stored spelling."""
    raw = "".join(c for c in text.upper() if c.isalnum()).translate(str.maketrans("OIL", "011"))
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def ballot_fields(proposal: int, option: str, receipt: str, batch: int | None) -> dict:
    """What a ballot's hash covers: no voter, no time (its seq is checked by the chain's order)."""
    return {"proposal": proposal, "option": option, "receipt": receipt, "batch": batch}


def recount(choices: Iterable[str]) -> dict[str, int]:
    """The counts per option key from the ballot log itself (the reproducible tally)."""
    return dict(Counter(choices))


# ---- paper ballots, entered twice --------------------------------------------------------------

def entry_mismatches(first: Mapping[str, int], second: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """(option, first, second) for every option the two entries of a batch count differently."""
    keys = sorted(set(first) | set(second))
    return [(k, int(first.get(k, 0)), int(second.get(k, 0))) for k in keys
            if int(first.get(k, 0)) != int(second.get(k, 0))]


def entry_problems(counts: Mapping[str, int], options: Iterable[str]) -> list[str]:
    known = set(options)
    out = [f"未知选项 {k}" for k in counts if k not in known]
    out += [f"选项 {k} 的票数应为非负整数" for k, v in counts.items()
            if type(v) is not int or v < 0]
    if not out and sum(counts.values()) == 0:
        out.append("该批次没有选票")
    return out
