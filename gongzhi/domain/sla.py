"""SLA maths: which limit applies, when a clock is due, when it turns yellow.

Limits are data rows (kind × category × level, most specific wins, a default row last);
this module only chooses and computes.  Tianque practice: yellow at 70% of
(limit + approved extensions), red when over.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .calendar import DeadlineRule, WorkCalendar
from .enums import Clock, SlaFlag

YELLOW_FRACTION = 0.7


@dataclass(frozen=True)
class LimitRow:
    clock: Clock
    workdays: int
    hours: int | None = None          # a limit in natural hours (e.g. 紧急 2 hours) wins over workdays
    kind: str | None = None           # None = any
    category_path: str | None = None  # matches the category and everything under it
    level: int | None = None
    id: int | None = None

    def specificity(self) -> tuple[int, int, int, int]:
        return (self.category_path is not None, len(self.category_path or ""),
                self.kind is not None, self.level is not None)

    def matches(self, clock: Clock, kind: str, category_path: str, level: int) -> bool:
        return (self.clock == clock and self.kind in (None, kind) and self.level in (None, level)
                and (self.category_path is None or category_path.startswith(self.category_path)))


class NoLimit(Exception):
    def __init__(self, clock: Clock):
        super().__init__(f"时限表缺少「{clock.label}」的默认行（no default time-limit row for {clock}）")


def pick_limit(rows: list[LimitRow], clock: Clock, kind: str, category_path: str, level: int) -> LimitRow:
    """The most specific matching row: category beats kind beats level; a default row must exist."""
    candidates = [r for r in rows if r.matches(clock, kind, category_path, level)]
    if not candidates:
        raise NoLimit(clock)
    return max(candidates, key=LimitRow.specificity)


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    warn_at: datetime
    limit_workdays: int


def compute_deadline(cal: WorkCalendar, start: datetime, limit: LimitRow, extra_workdays: int = 0,
                     rule: DeadlineRule = DeadlineRule()) -> Deadline:
    if limit.hours is not None:
        due = start + timedelta(hours=limit.hours)
        return Deadline(due, start + (due - start) * YELLOW_FRACTION, 0)
    return workday_deadline(cal, start, limit.workdays + extra_workdays, rule)


def workday_deadline(cal: WorkCalendar, start: datetime, workdays: int,
                     rule: DeadlineRule = DeadlineRule()) -> Deadline:
    """Due after ``workdays`` working days, yellow at 70% of the working time in between: the
    same maths for an event's clock and a case kind's (mediation, legal aid)."""
    due = cal.due_at(start, workdays, rule)
    warn = cal.point_at_fraction(cal.budget_start(start, workdays, rule), due, YELLOW_FRACTION)
    return Deadline(due, max(warn, start), workdays)


_KEEP = object()


def clock_after(effects: Mapping[Any, Any], action: Any, running: Any) -> Any:
    """The clock running after ``action``, from a kind's CLOCK_EFFECTS table: the one it starts,
    None when it stops the clock, else the one already running (``running``, None for none)."""
    started = effects.get(action, _KEEP)
    return running if started is _KEEP else started


def flag_at(now: datetime, deadline: Deadline) -> SlaFlag:
    if now > deadline.due_at:
        return SlaFlag.RED
    if now >= deadline.warn_at:
        return SlaFlag.YELLOW
    return SlaFlag.GREEN
