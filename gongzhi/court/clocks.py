"""The 民事速裁 clocks: the columns an action writes (domain.court.CLOCK_EFFECTS) with their deadlines
— 诉前调解 in days, the trial period from filing by track (小额 2 months, 速裁 the local rule, 普通
6 months; 民诉法 第164/165/166/168条), 宣判 in working days after the hearing (调休 counted) — and
the civil case as a kind of the platform SLA sweep (ops.sweep)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from gongzhi.casework.clocks import columns as casework_columns, sweep_kind
from gongzhi.core import admindata
from gongzhi.domain import court as dc
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.sla import Deadline

from .limits import limits
from .models import CivilCase


def calendar():
    return admindata.calendar(), admindata.deadline_rule()


def deadline(case: CivilCase, clock: dc.CivilClock, now: datetime, track: dc.Track) -> Deadline:
    cal, rule = calendar()
    lim = limits()
    today = timezone.localtime(now).date()
    if clock == dc.CivilClock.PRE_MEDIATION:
        return dc.days_clock(now, dc.period_last_day(cal, today + timedelta(days=lim.pre_mediation_days)), rule)
    if clock == dc.CivilClock.TRIAL:
        # Counted from filing: an override restarts the clock on the new track's period, from the same day.
        filed = case.filed_on or today
        start = min(now, datetime.combine(filed, time(0), SHANGHAI))
        return dc.days_clock(start, dc.trial_last_day(cal, track, filed, lim), rule)
    return dc.judgment_clock(cal, now, case.trial_due_at, lim, rule)


def columns(case: CivilCase, action, now: datetime, track: dc.Track | None = None) -> dict:
    """What ``action`` writes to the clock columns (casework.clocks.columns with this kind's
    deadlines); a started trial clock is also kept as the trial's own due (审限)."""
    out = casework_columns(dc.CLOCK_EFFECTS, action, case.clock, now,
                           lambda clock: deadline(case, clock, now, track or dc.Track(case.track)))
    if out.get("clock") == dc.CivilClock.TRIAL:
        out["trial_due_at"] = out["due_at"]
    return out


CIVIL = sweep_kind("civil", CaseKind.CIVIL, CivilCase, dc.CLOCK_RUNS_IN, dc.TRANSITIONS,
                   dc.CivilAction.SLA_YELLOW, dc.CivilAction.SLA_RED, dc.ROWS)
