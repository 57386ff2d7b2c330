"""量化考核: a grid worker's (or a grid's) monthly score from counted facts, and the ranking.

Each indicator scores 0..1 from its counts; the score is the weighted mean of the indicators that
have data (an indicator without any — no hotline matter in the grid to cross-check — is left out,
not scored 0), on 100.  Weights and targets are data (gridwork.ScoreWeight rows; DEFAULT_WEIGHTS
when none).  Exact fractions until the one rounding at the end (half up, one decimal), so a score
at a boundary is not moved by a float.

A ranking only ranks those with enough sample (tasks due): a small grid with three tasks done is
not placed above a grid with three hundred; it is shown as 样本不足.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .enums import LabelledEnum


class Indicator(LabelledEnum):
    ON_TIME = "on_time", "清单任务按时完成率"
    REPORTS = "reports", "主动上报"
    OMISSIONS = "omissions", "应报未报"
    CLOSED = "closed", "事件办结率"
    SATISFACTION = "satisfaction", "群众满意率"
    COVERAGE = "coverage", "巡查覆盖率"


@dataclass(frozen=True)
class Weight:
    weight: int              # points of 100
    target: int = 0          # REPORTS: the reports a month that earn full marks


DEFAULT_WEIGHTS: dict[Indicator, Weight] = {
    Indicator.ON_TIME: Weight(35),
    Indicator.REPORTS: Weight(15, target=20),
    Indicator.OMISSIONS: Weight(15),
    Indicator.CLOSED: Weight(15),
    Indicator.SATISFACTION: Weight(10),
    Indicator.COVERAGE: Weight(10),
}
MIN_SAMPLE = 20              # tasks due in the month before a worker or grid is ranked


@dataclass(frozen=True)
class Facts:
    """What was counted for one worker or grid in one month."""

    tasks_due: int = 0           # due in the month, withdrawn ones not counted
    tasks_on_time: int = 0       # 销号 by their deadline
    reports: int = 0             # events they reported
    hotline_checked: int = 0     # hotline matters cross-checked against the grid (倒逼)
    omitted: int = 0             # of those, 应报未报
    events_handled: int = 0      # events of the grid that came to an end of handling or were due to
    events_closed: int = 0
    revisited: int = 0
    satisfied: int = 0
    coverage: Fraction | None = None    # patrol coverage 0..1 (None: not measured)


def ratio(n: int, d: int) -> Fraction | None:
    return Fraction(n, d) if d else None


def parts(f: Facts, weights: Mapping[Indicator, Weight] = DEFAULT_WEIGHTS) -> dict[Indicator, Fraction | None]:
    """Each indicator's 0..1 score (None: no data)."""
    target = weights.get(Indicator.REPORTS, Weight(0)).target
    omit = ratio(f.omitted, f.hotline_checked)
    return {
        Indicator.ON_TIME: ratio(f.tasks_on_time, f.tasks_due),
        Indicator.REPORTS: min(Fraction(1), Fraction(f.reports, target)) if target > 0 else None,
        Indicator.OMISSIONS: None if omit is None else 1 - omit,
        Indicator.CLOSED: ratio(f.events_closed, f.events_handled),
        Indicator.SATISFACTION: ratio(f.satisfied, f.revisited),
        Indicator.COVERAGE: None if f.coverage is None else min(Fraction(1), max(Fraction(0), f.coverage)),
    }


def one_decimal(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score(f: Facts, weights: Mapping[Indicator, Weight] = DEFAULT_WEIGHTS) -> Decimal | None:
    """The weighted mean on 100 of the indicators with data; None when none has any."""
    got = [(weights[k].weight, v) for k, v in parts(f, weights).items()
           if v is not None and k in weights and weights[k].weight > 0]
    total = sum(w for w, _ in got)
    if not total:
        return None
    return one_decimal(Fraction(100) * sum((w * v for w, v in got), Fraction(0)) / total)


@dataclass(frozen=True)
class Ranked:
    key: object
    score: Decimal | None
    sample: int
    rank: int | None                 # None: not ranked (样本不足, or no score)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def too_small(self) -> bool:
        return self.rank is None


def rank(rows: Sequence[tuple[object, Decimal | None, int]], min_sample: int = MIN_SAMPLE) -> list[Ranked]:
    """Standard competition ranking (1, 2, 2, 4) by score, highest first, of the rows with at least
    ``min_sample``; the others after them, unranked, in the order given."""
    eligible = [(k, s, n) for k, s, n in rows if n >= min_sample and s is not None]
    ranked = sorted(eligible, key=lambda r: r[1] or Decimal(0), reverse=True)
    out: list[Ranked] = []
    prev: Decimal | None = None
    place = 0
    for i, (key, sc, n) in enumerate(ranked, start=1):
        if sc != prev:
            place, prev = i, sc
        out.append(Ranked(key, sc, n, place))
    out += [Ranked(key, sc, n, None, ("样本不足",)) for key, sc, n in rows if not (n >= min_sample and sc is not None)]
    return out
