"""Start and stop the event's clocks; the numbers come from the domain, the rows from the admin."""
from __future__ import annotations

from datetime import datetime

from gongzhi.domain.enums import Clock, SlaFlag
from gongzhi.domain.sla import Deadline, compute_deadline, flag_at, pick_limit

from . import rules


def deadline(event, clock: Clock, start: datetime, level: int, extra_workdays: int = 0) -> Deadline:
    limit = pick_limit(rules.limit_rows(), clock, event.kind, event.category.path, level)
    return compute_deadline(rules.calendar(), start, limit, extra_workdays, rules.deadline_rule())


def running(clock: Clock, d: Deadline, now: datetime) -> dict:
    """Field changes that make ``clock`` the running one, flagged as of ``now``."""
    return {"clock": clock, "due_at": d.due_at, "warn_at": d.warn_at, "sla_flag": flag_at(now, d)}


def stopped() -> dict:
    return {"clock": "", "due_at": None, "warn_at": None, "sla_flag": SlaFlag.GREEN}


def start_handling(event, start: datetime, level: int, now: datetime) -> dict:
    """Sign + handle clocks for a (re)dispatch to a unit at ``level``."""
    sign = deadline(event, Clock.SIGN, start, level)
    handle = deadline(event, Clock.HANDLE, start, level)
    return {**running(Clock.SIGN, sign, now), "sign_due_at": sign.due_at,
            "handle_started_at": start, "handle_due_at": handle.due_at, "handle_warn_at": handle.warn_at,
            "handle_limit_workdays": handle.limit_workdays, "extension_workdays": 0}
