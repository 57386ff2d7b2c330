"""A case kind's stored clock: the columns an action writes, from the kind's CLOCK_EFFECTS table.

Every kind (mediation, legal aid) stores the running clock, its due and warn points and its
flag, like an event; the sweep (core.sweep) flips the flag, reads never compute it.  The limit
of each clock is the kind's (a dispute type's limit, a setting), passed in as working days.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from gongzhi.domain.calendar import DeadlineRule, WorkCalendar
from gongzhi.domain.enums import SlaFlag
from gongzhi.domain.privacy import row_visibility
from gongzhi.domain.sla import Deadline, clock_after, flag_at, workday_deadline

# The working-day calendar and deadline rule are admin data the kind reads (events.rules today,
# which casework may not import): passed in, read only when a clock starts.
Calendar = Callable[[], tuple[WorkCalendar, DeadlineRule]]


def clock_columns(clock: Any, start: datetime, workdays: int, calendar: Calendar, now: datetime | None = None) -> dict:
    """The columns of a clock started at ``start``: due after ``workdays`` working days, yellow at 70%,
    flagged as it stands ``now`` (default: at its start).  A clock counted from an earlier start
    (a limit extended from the submission) may be past its warning already: its flag says so at
    once — the sweep reads only thresholds that fall after its last round (core.sweep)."""
    cal, rule = calendar()
    d = workday_deadline(cal, start, workdays, rule)
    return {"clock": clock.value, "due_at": d.due_at, "warn_at": d.warn_at, "sla_flag": flag_at(now or start, d)}


# A stopped clock keeps its due_at (按期调结/按期决定 are counted against it) but no longer warns.
STOPPED = {"clock": "", "warn_at": None, "sla_flag": SlaFlag.GREEN}


def columns(effects: Mapping, action: Any, running: str, now: datetime,
            deadline: Callable[[Any], Deadline]) -> dict:
    """What ``action`` writes to the clock columns, from the kind's CLOCK_EFFECTS table: the started
    clock's columns (its ``deadline``, flagged as it stands ``now``), STOPPED, or nothing.  For a
    kind whose clocks are not all working days (社区矫正's periods in days, a leave's return day)."""
    current = running or None
    after = clock_after(effects, action, current)
    if after is None:
        return dict(STOPPED) if current is not None else {}
    if after == current and action not in effects:
        return {}
    d = deadline(after)
    return {"clock": after.value, "due_at": d.due_at, "warn_at": d.warn_at, "sla_flag": flag_at(now, d)}


def clock_changes(effects: Mapping, action: Any, running: str, start: datetime,
                  workdays: Callable[[Any], int], calendar: Calendar) -> dict:
    """What ``action`` writes to the clock columns when each clock is a number of working days."""
    def deadline(clock: Any) -> Deadline:
        cal, rule = calendar()
        return workday_deadline(cal, start, workdays(clock), rule)
    return columns(effects, action, running, start, deadline)


def sweep_kind(name: str, kind: Any, model: Any, clock_runs_in: Mapping, table: Mapping, yellow: Any, red: Any,
               visibility: Mapping, escalate: Callable[[list[int], SlaFlag, datetime], int] | None = None) -> Any:
    """A case kind for the platform sweep (core.sweep): its table, the clock→statuses table, the
    statuses its SLA_YELLOW/SLA_RED transitions allow, and the CaseLog row of a flip.

    ``escalate`` (casework.supervision.escalator): the kind's automatic 督办 of the rows just
    flipped, in the flip's own transaction — the rows are this worker's alone until it commits."""
    from gongzhi.core.naming import actor_name
    from gongzhi.core.sweep import SweepKind

    from .models import CaseLog
    actions = {SlaFlag.YELLOW: yellow, SlaFlag.RED: red}

    def row(to: SlaFlag, now: datetime) -> CaseLog:
        action = actions[to]
        return CaseLog(kind=kind, action=action, label=action.label, actor=None, actor_name=actor_name(None),
                       at=now, visibility=row_visibility(action, visibility))

    def after(rows: list[tuple[int, str]], to: SlaFlag, now: datetime) -> None:
        if escalate is not None:
            escalate([i for i, _ in rows], to, now)
    return SweepKind(name, model._meta.db_table, clock_runs_in,
                     {SlaFlag.YELLOW: table[yellow].sources, SlaFlag.RED: table[red].sources}, row, "case_id",
                     after if escalate is not None else None)
