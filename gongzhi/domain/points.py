"""积分超市 (德化): points earned by confirmed service hours, valid reports, patrols and votes, spent on
goods and services at a community's shop.

Pure Python.  Points are integers.  The ledger is append-only: every award, redemption, refund of a
cancelled redemption, expiry and reversal is a posting with a signed number of points; a balance is
the sum of an account's postings and never goes below zero.  A posting carries an idempotency key:
the same key with the same content is the posting already made, with other content it is refused.

Earning rules are data (a table admins edit): points per unit (an hour, a time), a daily cap per
person and rule against abuse, and how long the points stay valid (the default: until the end of the
year after the one they were earned in).  Spending consumes the points that expire first (FIFO by
expiry date), so an expiry only takes what is left of the lots that have run out.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .enums import LabelledEnum


class Source(LabelledEnum):
    """What earns points; a rule's code defaults to its source's value (``award(rule=Source.PATROL)``)."""

    VOLUNTEER = "volunteer", "志愿服务"
    MEDIATION = "mediation", "参与调解"
    REPORT = "report", "有效报事"
    PATROL = "patrol", "参与巡查"
    VOTE = "vote", "参与票决"
    OTHER = "other", "其他"


class RuleUnit(LabelledEnum):
    HOUR = "hour", "小时"
    TIME = "time", "次"


class PostingKind(LabelledEnum):
    AWARD = "award", "获得积分"
    REDEEM = "redeem", "兑换扣减"
    REFUND = "refund", "取消兑换退回"
    EXPIRE = "expire", "积分到期"
    REVERSE = "reverse", "冲正"


CREDITS = frozenset({PostingKind.AWARD, PostingKind.REFUND})


class ClaimStatus(LabelledEnum):
    CLAIMED = "claimed", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class RedemptionStatus(LabelledEnum):
    PENDING = "pending", "待领取"
    REDEEMED = "redeemed", "已领取"
    CANCELLED = "cancelled", "已取消"
    EXPIRED = "expired", "已过期"


class PointsError(Exception):
    """A rule of the ledger would be broken; nothing is written."""


class WouldGoNegative(PointsError):
    def __init__(self, balance: int, points: int):
        super().__init__(f"积分不足：当前余额 {balance} 分，需要 {points} 分")
        self.balance, self.points = balance, points


class CapReached(PointsError):
    def __init__(self, already: int, adding: int, cap: int):
        super().__init__(f"超过该规则每日上限 {cap} 分（今日已得 {already} 分，本次 {adding} 分）")
        self.already, self.adding, self.cap = already, adding, cap


class KeyReused(PointsError):
    def __init__(self, key: str):
        super().__init__(f"幂等键 {key} 已用于内容不同的记账")
        self.key = key


# ---- configuration ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """Every configurable number (``GONGZHI_POINTS`` in settings)."""

    code_length: int = 8          # a redemption code read aloud or typed at the counter
    code_hours: int = 72          # a code not handed over within 3 days lapses (points and stock back)
    max_qty: int = 24             # at most 24 units (hours) in one claim or award


def limits_from(overrides: dict | None) -> Limits:
    known = {k: v for k, v in (overrides or {}).items() if k in Limits.__dataclass_fields__}
    return Limits(**known)


@dataclass(frozen=True)
class Rule:
    points_per_unit: int
    daily_cap: int | None = None          # points per person per earning day; None: no cap
    expires_after_years: int | None = 1   # 1: valid to the end of next year; 0: this year; None: never


def rule_problems(rule: Rule) -> list[str]:
    out = []
    if rule.points_per_unit <= 0:
        out.append("每单位积分应为正整数")
    if rule.daily_cap is not None and rule.daily_cap < rule.points_per_unit:
        out.append("每日上限不得小于一个单位的积分")
    if rule.expires_after_years is not None and not 0 <= rule.expires_after_years <= 10:
        out.append("有效年限应在 0 到 10 年之间")
    return out


def points_for(rule: Rule, qty: int, limits: Limits = Limits()) -> int:
    if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= limits.max_qty:
        raise PointsError(f"数量应为 1 到 {limits.max_qty} 之间的整数")
    return rule.points_per_unit * qty


def check_cap(already: int, adding: int, cap: int | None) -> None:
    """Today's points of one rule for one person, with this award, may reach the cap, not pass it."""
    if cap is not None and already + adding > cap:
        raise CapReached(already, adding, cap)


def expires_on(earned_on: date, years: int | None) -> date | None:
    """The last day the points are valid: 31 December of the earning year + ``years``."""
    return None if years is None else date(earned_on.year + years, 12, 31)


def check_debit(balance: int, points: int) -> None:
    if points <= 0:
        raise PointsError("扣减积分应为正整数")
    if balance - points < 0:
        raise WouldGoNegative(balance, points)


@dataclass(frozen=True)
class Lot:
    """Points that lapse together: an award (+) or the reversal of one (-), by its expiry date."""

    expires_on: date | None
    points: int


def to_expire(lots: Iterable[Lot], *, spent: int, expired: int, balance: int, today: date) -> int:
    """The points that lapse today, FIFO by expiry date.

    1. ``due`` = the lots whose last valid day is before today (net of reversals);
    2. spending (redemptions less refunds) and earlier expiries used those lots first;
    3. what is left of them lapses, never more than the balance (an account never goes negative)."""
    due = sum(lot.points for lot in lots if lot.expires_on is not None and lot.expires_on < today)
    return max(0, min(balance, due - spent - expired))


def balance_of(postings: Iterable[int]) -> int:
    return sum(postings)


# ---- redemption codes -------------------------------------------------------------------------

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read over a counter and typed by an elderly resident's helper.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_code(length: int = Limits.code_length) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normal_code(text: str) -> str:
    """What staff typed, as stored: upper case, spaces and dashes dropped ("acd-efg h" → "ACDEFGH")."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def code_valid_until(issued_at: datetime, limits: Limits = Limits()) -> datetime:
    return issued_at + timedelta(hours=limits.code_hours)


def code_usable(status: RedemptionStatus, valid_until: datetime, now: datetime) -> str | None:
    """None when the code may be handed over now, else why not."""
    if status is RedemptionStatus.REDEEMED:
        return "该兑换码已使用"
    if status is not RedemptionStatus.PENDING:
        return f"该兑换码{status.label}"
    if now > valid_until:
        return "该兑换码已过期"
    return None
