"""三金 (南安): the ledger of the 刑事案件赔偿保证金, 民事赔偿调解承诺金 and 人民调解慈善救助基金.

Pure Python.  Money is in 分 (integers, never floats).  Every posting is double-entry: its lines
sum to zero (a line's amount is positive on the debit side).  An account's balance is read on its
normal side (an asset — the fund's bank account — is debit-normal; what the fund owes — a deposit
held for a case, the charity fund's capital, forfeited money — is credit-normal), and no account
that is not exempt may go below zero: a release can never pay out more than was received, a grant
more than was donated.

A posting carries an idempotency key: the same key with the same lines again is the posting already
made (a retried request, a re-imported statement), with other lines it is refused.  Postings are
hash-chained: each one's hash is sha256 of the previous hash and its canonical content, so an edit
of any stored posting breaks the chain from that posting on, and :func:`verify_chain` names it.

The deposit and the charity grant are kinds of case on the one engine (their transition tables and
clocks are below); a release of a deposit needs two approvals by two different people, neither of
them the one who proposed it, and the decision document it rests on (maker-checker).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from .chain import GENESIS, link
from .enums import LabelledEnum
from .workflow import rule

# ---- configuration ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """Every configurable number (``GONGZHI_FUNDS`` in settings), with where its default comes from."""

    grant_max_fen: int = 1_000_000      # 南安: aid up to ¥10,000 per case
    deposit_min_multiple: float = 2.0   # 南安: a suspect deposits 2–3× the loss
    deposit_max_multiple: float = 3.0
    receive_days: int = 7               # local rule: a pledged deposit is paid in within 7 days
    grant_decide_workdays: int = 10     # local rule: an aid application decided within 10 working days
    approvals_needed: int = 2           # maker-checker: two approvals, neither by the maker
    match_days: int = 3                 # reconciliation: a bank line may book up to 3 days off


def limits_from(overrides: dict | None) -> Limits:
    known = {k: v for k, v in (overrides or {}).items() if k in Limits.__dataclass_fields__}
    return Limits(**known)


def limit_problems(limits: Limits) -> list[str]:
    out = []
    if limits.grant_max_fen <= 0:
        out.append("grant_max_fen 应为正整数（分）")
    if not 0 < limits.deposit_min_multiple <= limits.deposit_max_multiple:
        out.append("deposit_min_multiple 应为正数且不大于 deposit_max_multiple")
    if limits.approvals_needed < 2:
        out.append("approvals_needed 不得少于 2（双人复核）")
    return out


def yuan(fen: int) -> str:
    """¥12,345.67 from 1234567 分 (display only; amounts are never computed in yuan)."""
    sign = "-" if fen < 0 else ""
    y, f = divmod(abs(int(fen)), 100)
    return f"{sign}¥{y:,}.{f:02d}"


# ASCII digits only (str.isdigit takes "１２３" and "²"), and a comma only between groups of three:
# "1,2,3" or "12345,67" (a decimal comma) is a typing slip, not ¥123 or ¥1,234,567.
_AMOUNT = re.compile(r"([+-]?)((?:[0-9]{1,3}(?:,[0-9]{3})+)|[0-9]*)(?:\.([0-9]{0,2}))?", re.ASCII)


def parse_fen(text: str) -> int:
    """'1,234.5' → 123450 分, exactly (a decimal string, never through a float)."""
    t = text.strip().replace("¥", "").replace("￥", "")
    m = _AMOUNT.fullmatch(t)
    if m is None or not (m.group(2) or m.group(3)):
        raise ValueError(f"金额格式不正确：{text!r}")
    sign, whole, frac = m.group(1), m.group(2).replace(",", ""), m.group(3) or ""
    fen = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -fen if sign == "-" else fen


# ---- funds and accounts ----------------------------------------------------------------------

class FundKind(LabelledEnum):
    CRIMINAL = "criminal", "刑事案件赔偿保证金"
    PLEDGE = "pledge", "民事赔偿调解承诺金"
    CHARITY = "charity", "人民调解慈善救助基金"


class AccountKind(LabelledEnum):
    BANK = "bank", "银行专户"                 # asset: the money in the fund's bank account
    HELD = "held", "个案代管资金"              # owed: one deposit, held for its case
    CAPITAL = "capital", "救助基金本金"          # owed: the charity fund's donations not yet granted
    FORFEITED = "forfeited", "没收待缴资金"      # owed: forfeited deposits, to be paid over as decided
    SUSPENSE = "suspense", "待查明款项"          # exempt: bank items not yet explained (may go either way)


DEBIT_NORMAL = frozenset({AccountKind.BANK})
EXEMPT = frozenset({AccountKind.SUSPENSE})


def balance_of(kind: AccountKind, raw: int) -> int:
    """The balance read on the account's normal side from the sum of its line amounts (debit +)."""
    return raw if kind in DEBIT_NORMAL else -raw


class PostingKind(LabelledEnum):
    RECEIPT = "receipt", "保证金入账"
    RELEASE = "release", "资金处置"
    DONATION = "donation", "捐赠入账"
    GRANT = "grant", "救助金发放"
    ADJUST = "adjust", "调整"


@dataclass(frozen=True)
class Line:
    account: str          # the account's code (stable, unique in the installation)
    amount: int           # 分, debit positive, credit negative

    def __post_init__(self):
        if type(self.amount) is not int:  # not isinstance: a bool (an int) or a float is refused
            raise LedgerError(f"金额必须为整数分：{self.amount!r}")


class LedgerError(ValueError):
    """A posting the ledger refuses (in words)."""


class Unbalanced(LedgerError):
    pass


class WouldGoNegative(LedgerError):
    def __init__(self, account: str, balance: int):
        self.account, self.balance = account, balance
        super().__init__(f"账户 {account} 余额不足：记账后余额将为 {yuan(balance)}")


class KeyReused(LedgerError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(f"幂等键 {key} 已用于另一笔记账（金额或账户不同）")


def normalised(lines: Iterable[Line]) -> tuple[Line, ...]:
    """Lines merged per account and sorted: the form compared for idempotency and hashed."""
    by: dict[str, int] = {}
    for ln in lines:
        by[ln.account] = by.get(ln.account, 0) + ln.amount
    return tuple(Line(a, v) for a, v in sorted(by.items()) if v != 0)


def check_posting(lines: Sequence[Line], kinds: Mapping[str, AccountKind], balances: Mapping[str, int],
                  exempt: Iterable[str] = ()) -> dict[str, int]:
    """Refuse an unbalanced posting, or one leaving a non-exempt account below zero; return the
    accounts' balances after it.  ``balances``: the current balances (normal side) of the accounts
    it touches; ``kinds``: each account's kind; ``exempt``: accounts allowed below zero."""
    norm = normalised(lines)
    if not norm:
        raise Unbalanced("记账分录不能为空")
    if any(ln.amount == 0 for ln in lines):
        raise Unbalanced("分录金额不能为零")
    if sum(ln.amount for ln in norm) != 0:
        raise Unbalanced(f"借贷不平衡：差额 {yuan(sum(ln.amount for ln in norm))}")
    free = set(exempt)
    after = {}
    for ln in norm:
        kind = kinds.get(ln.account)
        if kind is None:
            raise LedgerError(f"账户 {ln.account} 不存在")
        new = balances.get(ln.account, 0) + balance_of(kind, ln.amount)
        if new < 0 and ln.account not in free and kind not in EXEMPT:
            raise WouldGoNegative(ln.account, new)
        after[ln.account] = new
    return after


# ---- the hash chain --------------------------------------------------------------------------

def canonical(seq: int, key: str, kind: str, at: datetime, memo: str, reference: str,
              lines: Iterable[Line], kinds: Mapping[str, str] | None = None, deposit: int | None = None,
              grant: int | None = None, disposes: bool = False) -> str:
    """A posting's content as one stable string: what the hash covers.  Each line carries its
    account's kind (an account's kind decides its balance's sign: a bank account edited into a
    held one reads its money as owed) and the posting its deposit, grant and whether it disposes
    of the deposit (a release moved onto another deposit would otherwise verify)."""
    kinds = kinds or {}
    return json.dumps({"seq": seq, "key": key, "kind": str(kind),
                       "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
                       "memo": memo, "ref": reference,
                       "lines": [[ln.account, str(kinds.get(ln.account, "")), ln.amount] for ln in normalised(lines)],
                       "deposit": deposit, "grant": grant, "disposes": bool(disposes)},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev: str, content: str) -> str:
    return link(prev, content)      # the one hash link of every chained record (domain.chain)


@dataclass(frozen=True)
class Posting:
    seq: int
    key: str
    kind: PostingKind
    at: datetime
    lines: tuple[Line, ...]
    memo: str = ""
    reference: str = ""
    prev_hash: str = GENESIS
    hash: str = ""
    kinds: tuple[tuple[str, str], ...] = ()     # (account, its kind) for the lines' accounts
    deposit: int | None = None
    grant: int | None = None
    disposes: bool = False

    def content(self) -> str:
        return canonical(self.seq, self.key, self.kind, self.at, self.memo, self.reference, self.lines,
                         dict(self.kinds), self.deposit, self.grant, self.disposes)


def verify_chain(postings: Sequence[Posting], start: str = GENESIS) -> int | None:
    """The seq of the first posting whose link is broken (its content changed, its previous hash
    not the one before it, or a posting missing from the order), or None when the chain holds."""
    prev = start
    expected_seq = postings[0].seq if postings else 0
    for p in postings:
        if p.seq != expected_seq or p.prev_hash != prev or p.hash != chain_hash(prev, p.content()):
            return p.seq
        if sum(ln.amount for ln in p.lines) != 0:
            return p.seq
        prev, expected_seq = p.hash, p.seq + 1
    return None


# ---- the ledger in memory (the rules the database services follow; the property test's model) ----

@dataclass
class Ledger:
    kinds: dict[str, AccountKind] = field(default_factory=dict)
    exempt: set[str] = field(default_factory=set)
    postings: list[Posting] = field(default_factory=list)
    raw: dict[str, int] = field(default_factory=dict)      # per account, sum of line amounts
    by_key: dict[str, Posting] = field(default_factory=dict)

    def open(self, code: str, kind: AccountKind, *, exempt: bool = False) -> None:
        self.kinds[code] = kind
        if exempt:
            self.exempt.add(code)

    def balance(self, code: str) -> int:
        return balance_of(self.kinds[code], self.raw.get(code, 0))

    def post(self, key: str, kind: PostingKind, lines: Sequence[Line], at: datetime, memo: str = "",
             reference: str = "") -> tuple[Posting, bool]:
        """(the posting, whether it is new).  A replayed key with the same lines is the first posting."""
        norm = normalised(lines)
        seen = self.by_key.get(key)
        if seen is not None:
            if seen.lines != norm:
                raise KeyReused(key)
            return seen, False
        check_posting(lines, self.kinds, {a.account: self.balance(a.account) for a in norm if a.account in self.kinds},
                      self.exempt)
        prev = self.postings[-1].hash if self.postings else GENESIS
        seq = len(self.postings) + 1
        kinds = tuple(sorted((a.account, str(self.kinds[a.account])) for a in norm if a.account in self.kinds))
        p = Posting(seq, key, kind, at, norm, memo, reference, prev, kinds=kinds)
        p = Posting(seq, key, kind, at, norm, memo, reference, prev, chain_hash(prev, p.content()), kinds)
        for ln in norm:
            self.raw[ln.account] = self.raw.get(ln.account, 0) + ln.amount
        self.postings.append(p)
        self.by_key[key] = p
        return p, True

    def trial_balance(self) -> int:
        """The sum of every line ever posted: zero in a ledger that balances."""
        return sum(self.raw.values())


# ---- deposits: the 赔偿保证金 and the 调解承诺金 ------------------------------------------------

class DepositKind(LabelledEnum):
    CRIMINAL = "criminal", "刑事案件赔偿保证金"
    PLEDGE = "pledge", "民事赔偿调解承诺金"


FUND_OF = {DepositKind.CRIMINAL: FundKind.CRIMINAL, DepositKind.PLEDGE: FundKind.PLEDGE}


class SecuredKind(LabelledEnum):
    """What a deposit secures: a mediation case of this system, or a criminal reconciliation
    (刑事和解) handled by the police or the procuratorate, known here by its reference."""

    MEDIATION = "mediation", "人民调解案件"
    CRIMINAL = "criminal", "刑事和解案件"


class DepositStatus(LabelledEnum):
    PLEDGED = "pledged", "已承诺·待缴存"
    RECEIVED = "received", "已到账·待复核"
    HELD = "held", "代管中"
    PROPOSED = "proposed", "处置待复核"
    RELEASED = "released", "已支付被害方（权利人）"
    REFUNDED = "refunded", "已退还缴存人"
    FORFEITED = "forfeited", "已依决定没收"
    LAPSED = "lapsed", "未缴存·已撤销"


OPEN_DEPOSIT = frozenset({DepositStatus.PLEDGED, DepositStatus.RECEIVED, DepositStatus.HELD,
                          DepositStatus.PROPOSED})
DISPOSED = frozenset({DepositStatus.RELEASED, DepositStatus.REFUNDED, DepositStatus.FORFEITED})


class DepositAction(LabelledEnum):
    PLEDGE = "pledge", "登记缴存承诺"
    RECEIVE = "receive", "登记到账"
    CONFIRM = "confirm", "复核到账·转入代管"
    PERFORMED = "performed", "确认调解协议已履行"
    DECIDED = "decided", "登记司法机关处理决定"
    PROPOSE = "propose", "提出处置方案"
    APPROVE = "approve", "复核同意（第一人）"
    RELEASE = "release", "复核同意·支付被害方"
    REFUND = "refund", "复核同意·退还缴存人"
    FORFEIT = "forfeit", "复核同意·没收"
    REJECT = "reject", "复核不同意"
    LAPSE = "lapse", "撤销未缴存承诺"
    NOTE = "note", "工作记录"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class DepositClock(LabelledEnum):
    RECEIVE = "receive", "缴存期限"


class Cap(StrEnum):
    """What a user is to a deposit or a grant (funds.scope)."""

    MAKER = "maker"           # fund staff who register and propose (经办)
    CHECKER = "checker"       # fund staff who approve (复核)
    COMMITTEE = "committee"   # the mediation committee whose case the deposit secures (reads; reports performance)
    SYSTEM = "system"


DS, DA, C = DepositStatus, DepositAction, Cap

DEPOSIT_TRANSITIONS = {
    # PLEDGE is the deposit's creation (funds.services.pledge), not a step of this table.
    DA.RECEIVE: rule({DS.PLEDGED}, DS.RECEIVED, C.MAKER),
    DA.CONFIRM: rule({DS.RECEIVED}, DS.HELD, C.CHECKER),
    # The condition of the release: the mediation agreement performed (承诺金), or the criminal
    # case's decision (保证金).  Recorded on the held deposit; the proposal checks it was.
    DA.PERFORMED: rule({DS.HELD}, None, C.MAKER, C.COMMITTEE),
    DA.DECIDED: rule({DS.HELD}, None, C.MAKER),
    DA.PROPOSE: rule({DS.HELD}, DS.PROPOSED, C.MAKER, reason=True),
    DA.APPROVE: rule({DS.PROPOSED}, None, C.CHECKER),
    DA.RELEASE: rule({DS.PROPOSED}, DS.RELEASED, C.CHECKER),
    DA.REFUND: rule({DS.PROPOSED}, DS.REFUNDED, C.CHECKER),
    DA.FORFEIT: rule({DS.PROPOSED}, DS.FORFEITED, C.CHECKER),
    DA.REJECT: rule({DS.PROPOSED}, DS.HELD, C.CHECKER, reason=True),
    DA.LAPSE: rule({DS.PLEDGED}, DS.LAPSED, C.MAKER, reason=True),
    DA.NOTE: rule(OPEN_DEPOSIT, None, C.MAKER, C.CHECKER),
    DA.SLA_YELLOW: rule({DS.PLEDGED}, None, C.SYSTEM),
    DA.SLA_RED: rule({DS.PLEDGED}, None, C.SYSTEM),
}
DEPOSIT_CLOCK_RUNS_IN = {DepositClock.RECEIVE: frozenset({DS.PLEDGED})}
DEPOSIT_CLOCK_EFFECTS = {DA.PLEDGE: DepositClock.RECEIVE, DA.RECEIVE: None, DA.LAPSE: None}


def condition_action(kind: DepositKind) -> DepositAction:
    return DA.PERFORMED if kind is DepositKind.PLEDGE else DA.DECIDED


def deposit_problems(kind: DepositKind, amount: int, loss: int | None, limits: Limits = Limits()) -> list[str]:
    """What is wrong with a pledged amount, in words (empty: it may be registered).

    A 赔偿保证金 is 2–3× the victim's loss (the multiples are settings); a 调解承诺金 is the amount
    the agreement names, so it needs only to be positive."""
    out = []
    if type(amount) is not int or amount <= 0:      # a bool is not an amount
        return ["金额应为正整数（分）"]
    if kind is DepositKind.CRIMINAL:
        if not loss or loss <= 0:
            return ["赔偿保证金须填写被害方损失金额"]
        lo, hi = limits.deposit_min_multiple, limits.deposit_max_multiple
        # Compared in 分 × 100 integers: 2.5× is 250, so no float rounds a boundary away.
        lo_c, hi_c = round(lo * 100), round(hi * 100)
        if amount * 100 < loss * lo_c:
            out.append(f"保证金 {yuan(amount)} 低于损失 {yuan(loss)} 的 {lo:g} 倍")
        if amount * 100 > loss * hi_c:
            out.append(f"保证金 {yuan(amount)} 高于损失 {yuan(loss)} 的 {hi:g} 倍")
    return out


@dataclass(frozen=True)
class Split:
    """How the decision disposes of a held deposit (分): to the victim, back to the depositor, forfeited."""

    to_victim: int = 0
    refund: int = 0
    forfeit: int = 0

    @property
    def total(self) -> int:
        return self.to_victim + self.refund + self.forfeit


def split_problems(split: Split, held: int) -> list[str]:
    out = []
    if min(split.to_victim, split.refund, split.forfeit) < 0:
        out.append("处置金额不能为负")
    if split.total != held:
        out.append(f"处置金额合计 {yuan(split.total)} 应等于代管余额 {yuan(held)}")
    return out


def disposal_action(split: Split) -> DepositAction:
    """The final approval's action, by what the decision mainly does: paying the victim comes first
    (the deposit's purpose), then a refund, then a forfeiture."""
    if split.to_victim > 0:
        return DA.RELEASE
    if split.refund > 0:
        return DA.REFUND
    return DA.FORFEIT


class MakerChecker(LedgerError):
    pass


def approval_step(maker: int, approvers: Sequence[int], approver: int, decision_ref: str,
                  condition_met: bool, needed: int = 2) -> bool:
    """Whether ``approver``'s approval is the last one needed (True: the release is executed with it).

    Refused: the maker approving their own proposal, one person approving twice, a proposal with
    no decision document, or one whose condition (agreement performed / case decided) is not met."""
    if not decision_ref.strip():
        raise MakerChecker("处置须有决定文书（文号）")
    if not condition_met:
        raise MakerChecker("处置条件尚未成就（调解协议未确认履行或未登记处理决定）")
    if approver == maker:
        raise MakerChecker("经办人不能复核自己提出的处置方案")
    if approver in approvers:
        raise MakerChecker("同一人不能两次复核同一处置方案")
    if len(approvers) >= needed:
        raise MakerChecker("该处置方案的复核已经完成")
    return len(approvers) + 1 >= needed


# ---- charity grants --------------------------------------------------------------------------

class GrantStatus(LabelledEnum):
    APPLIED = "applied", "待审批"
    APPROVED = "approved", "已批准·待发放"
    PAID = "paid", "已发放"
    REFUSED = "refused", "不予救助"


class GrantAction(LabelledEnum):
    APPLY = "apply", "提出救助申请"
    APPROVE = "approve", "批准救助"
    REFUSE = "refuse", "不予救助"
    PAY = "pay", "发放救助金"
    SLA_YELLOW = "sla_yellow", "黄灯预警"
    SLA_RED = "sla_red", "红灯超期"


class GrantClock(LabelledEnum):
    DECIDE = "decide", "审批期限"


GS, GA = GrantStatus, GrantAction
GRANT_TRANSITIONS = {
    GA.APPROVE: rule({GS.APPLIED}, GS.APPROVED, C.CHECKER),
    GA.REFUSE: rule({GS.APPLIED}, GS.REFUSED, C.CHECKER, reason=True),
    GA.PAY: rule({GS.APPROVED}, GS.PAID, C.MAKER),
    GA.SLA_YELLOW: rule({GS.APPLIED}, None, C.SYSTEM),
    GA.SLA_RED: rule({GS.APPLIED}, None, C.SYSTEM),
}
GRANT_CLOCK_RUNS_IN = {GrantClock.DECIDE: frozenset({GS.APPLIED})}
GRANT_CLOCK_EFFECTS = {GA.APPLY: GrantClock.DECIDE, GA.APPROVE: None, GA.REFUSE: None}


@dataclass(frozen=True)
class GrantFacts:
    """What the application establishes (the committee's findings, entered as facts)."""

    agreement: bool                 # a mediation agreement (or judgment) fixes what is owed
    payer_cannot_pay: bool          # the paying side truly cannot pay: no income, no assets found
    assets_checked: bool            # its means were checked (a 村居 certificate, a search of assets)
    applicant_hardship: bool        # the applicant is in real difficulty without the money
    granted_before: int = 0         # 分 already granted from the fund on the same case


def grant_problems(amount: int, facts: GrantFacts, limits: Limits = Limits()) -> list[str]:
    """Why an aid application may not be approved, in words (empty: eligible)."""
    out = []
    if type(amount) is not int or amount <= 0:      # a bool is not an amount
        out.append("救助金额应为正整数（分）")
    elif facts.granted_before + amount > limits.grant_max_fen:
        out.append(f"同一案件救助金累计不得超过 {yuan(limits.grant_max_fen)}"
                   f"（已发 {yuan(facts.granted_before)}，本次 {yuan(amount)}）")
    if not facts.agreement:
        out.append("须有调解协议或生效法律文书确定的赔偿义务")
    if not facts.payer_cannot_pay:
        out.append("赔偿义务人有履行能力的，不予救助")
    elif not facts.assets_checked:
        out.append("须核实赔偿义务人确无履行能力（财产状况核查）")
    if not facts.applicant_hardship:
        out.append("申请人未陷入生活困难的，不予救助")
    return out


_REF_BRACKETS = str.maketrans({"[": "〔", "【": "〔", "(": "〔", "{": "〔",
                               "]": "〕", "】": "〕", ")": "〕", "}": "〕"})


def case_ref_key(ref: str) -> str:
    """A case number in one spelling: the per-case limit sums the grants of one case by it, and
    "南调[2026]88号", "南调（２０２６）88号" and "南调 〔2026〕 88 号" are the one case typed three ways
    (NFKC folds full-width digits and brackets, the brackets become 〔〕, spaces go)."""
    folded = unicodedata.normalize("NFKC", ref).translate(_REF_BRACKETS)
    return "".join(folded.split())


def grant_approver_problem(maker: int, approver: int) -> str:
    return "申请经办人不能审批自己经办的救助申请" if maker == approver else ""


def receipt_confirmer_problem(receiver: int, confirmer: int) -> str:
    """The one who registered a receipt cannot confirm it too, whatever else they are to the fund."""
    return "登记到账的经办人不能确认自己登记的到账" if receiver and receiver == confirmer else ""


# ---- bank-statement reconciliation -----------------------------------------------------------

class Mismatch(LabelledEnum):
    MISSING_IN_LEDGER = "missing_in_ledger", "银行有、账上无"
    MISSING_IN_BANK = "missing_in_bank", "账上有、银行无"
    AMOUNT_DIFFERS = "amount_differs", "金额不符"


@dataclass(frozen=True)
class Item:
    """One movement of the bank account, on either side: its id, date, amount (分, in + / out −)
    and reference (the bank's 流水号 / the posting's reference)."""

    id: int
    on: date
    amount: int
    reference: str = ""


@dataclass(frozen=True)
class Finding:
    kind: Mismatch
    bank: Item | None
    ledger: Item | None

    @property
    def difference(self) -> int:
        return (self.bank.amount if self.bank else 0) - (self.ledger.amount if self.ledger else 0)


@dataclass(frozen=True)
class Reconciliation:
    matched: tuple[tuple[Item, Item], ...]
    findings: tuple[Finding, ...]

    @property
    def clean(self) -> bool:
        return not self.findings


def reconcile(bank: Sequence[Item], ledger: Sequence[Item], match_days: int = 3) -> Reconciliation:
    """Match statement lines to the ledger's bank-account movements and list every mismatch.

    1. the same reference and amount: matched (whatever the dates);
    2. the same reference, another amount: 金额不符;
    3. without a shared reference: the same amount within ``match_days``, nearest date first;
    what is left is 银行有、账上无 or 账上有、银行无."""
    free_bank = {b.id: b for b in bank}
    free_led = {x.id: x for x in ledger}
    matched, findings = [], []
    by_ref: dict[str, list[Item]] = {}
    for x in ledger:
        if x.reference:
            by_ref.setdefault(x.reference, []).append(x)
    for pass_amount in (True, False):
        for b in bank:
            if b.id not in free_bank or not b.reference:
                continue
            for x in by_ref.get(b.reference, []):
                if x.id in free_led and (x.amount == b.amount) == pass_amount:
                    del free_bank[b.id], free_led[x.id]
                    if pass_amount:
                        matched.append((b, x))
                    else:
                        findings.append(Finding(Mismatch.AMOUNT_DIFFERS, b, x))
                    break
    for b in sorted(free_bank.values(), key=lambda i: (i.on, i.id)):
        near = [x for x in free_led.values() if x.amount == b.amount and abs((x.on - b.on).days) <= match_days]
        if near:
            x = min(near, key=lambda i: (abs((i.on - b.on).days), i.id))
            del free_bank[b.id], free_led[x.id]
            matched.append((b, x))
    def by_day(items):
        return sorted(items, key=lambda i: (i.on, i.id))
    findings += [Finding(Mismatch.MISSING_IN_LEDGER, b, None) for b in by_day(free_bank.values())]
    findings += [Finding(Mismatch.MISSING_IN_BANK, None, x) for x in by_day(free_led.values())]
    return Reconciliation(tuple(matched), tuple(findings))


# ---- monthly statements ----------------------------------------------------------------------

@dataclass(frozen=True)
class Movement:
    on: date
    seq: int
    memo: str
    amount: int       # the line's amount (debit +)


@dataclass(frozen=True)
class StatementRow:
    on: date | None
    seq: int | None
    memo: str
    debit: int
    credit: int
    balance: int


def month_rows(kind: AccountKind, movements: Sequence[Movement], year: int, month: int) -> list[StatementRow]:
    """One account's month: the opening balance, each movement of the month with the running
    balance (normal side), the closing balance with the month's totals."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    opening = balance_of(kind, sum(m.amount for m in movements if m.on < start))
    rows = [StatementRow(None, None, "期初余额", 0, 0, opening)]
    bal, dr, cr = opening, 0, 0
    for m in sorted((m for m in movements if start <= m.on < end), key=lambda m: (m.on, m.seq)):
        bal += balance_of(kind, m.amount)
        d, c = (m.amount, 0) if m.amount > 0 else (0, -m.amount)
        dr, cr = dr + d, cr + c
        rows.append(StatementRow(m.on, m.seq, m.memo, d, c, bal))
    rows.append(StatementRow(None, None, "本月合计·期末余额", dr, cr, bal))
    return rows
