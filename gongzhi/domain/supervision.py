"""督办: a level that only goes up, and which overdue flag of a case kind escalates to whom.

Pure Python.  An event, a dispute case or a legal-aid application stores its highest 督办 level
(一般 → 黄牌 → 红牌); a later, lower 督办 is written on the timeline but never lowers it.  Each
case kind declares its ESCALATION table, (clock, flag) → Escalation: when the sweep flips that
clock to that flag, it records an automatic 督办 at that level addressed to that body.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .enums import SlaFlag, SupervisionLevel

# Lowest first; "" (never supervised) is below all of them.
SUPERVISION_ORDER = (SupervisionLevel.NORMAL, SupervisionLevel.YELLOW, SupervisionLevel.RED)


def _rank(stored: str) -> int:
    return SUPERVISION_ORDER.index(SupervisionLevel(stored)) + 1 if stored else 0


def raised(stored: str, level: SupervisionLevel) -> SupervisionLevel | None:
    """The level a case holding ``stored`` ("" = none) keeps after a 督办 at ``level``: ``level``
    when it is higher, None when the stored one stays (a 一般督办 after a 红牌 is still recorded)."""
    return level if _rank(level) > _rank(stored) else None


def below(level: SupervisionLevel) -> tuple[str, ...]:
    """The stored values a 督办 at ``level`` raises, "" included: the guard of an UPDATE that may
    only raise the column (two workers, or a worker and a person, cannot lower it)."""
    return ("",) + tuple(s.value for s in SUPERVISION_ORDER[:SUPERVISION_ORDER.index(level)])


@dataclass(frozen=True)
class Escalation:
    """An automatic 督办: at which level, addressed to whom (an enum of the kind's module)."""

    level: SupervisionLevel
    to: Any


def escalations(table: Mapping[tuple[Any, SlaFlag], Escalation], flag: SlaFlag) -> dict[Any, Escalation]:
    """clock → its escalation, for the clocks of a kind whose ``flag`` escalates."""
    return {clock: e for (clock, f), e in table.items() if f == flag}
