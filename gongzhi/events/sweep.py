"""The SLA worker: flag yellow/red and auto-escalate overdue events, safely in parallel.

Each flip is one UPDATE whose WHERE re-checks the old state, with RETURNING telling this
worker exactly which rows it changed; another worker running the same statement changes
none of them again.  Escalation goes through the normal service with the version read,
so it too happens once.  Nothing here is swallowed: a failure is logged with the event and
counted, and the command exits non-zero.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongzhi.core.naming import actor_name
from gongzhi.core.sweep import SweepKind, sweep_flags
from gongzhi.domain.enums import Action, SlaFlag
from gongzhi.domain.privacy import row_visibility
from gongzhi.domain.workflow import CLOCK_RUNS_IN, ESCALATING_CLOCKS, TRANSITIONS

from .models import Event, EventAction
from .services import events_auto_escalate

log = logging.getLogger("gongzhi.sla")
# What an escalation reads of an event (events.services.events_auto_escalate, clocks.start_handling).
ESCALATION_READS = ("id", "version", "status", "clock", "kind", "handler_level", "escalations",
                    "area__id", "area__path", "area__level", "category__id", "category__path")
# What may escalate is the table's.
ESCALATING_STATUSES = sorted(TRANSITIONS[Action.AUTO_ESCALATE].sources)


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0
    failed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return f"yellow={self.yellow} red={self.red} escalated={self.escalated} failed={len(self.failed)}"


def _row(to: SlaFlag, now: datetime) -> EventAction:
    """A flip's timeline row; the sweep fills in each event and its status (core.sweep)."""
    action = Action.SLA_YELLOW if to is SlaFlag.YELLOW else Action.SLA_RED
    return EventAction(action=action, actor_name=actor_name(None), at=now, visibility=row_visibility(action))


# Events as one kind of the platform-wide sweep (core.sweep): each clock only in the statuses it
# runs in (a 核查 clock left on an event someone moved on must not turn it red).
EVENTS = SweepKind("events", Event._meta.db_table, CLOCK_RUNS_IN,
                   {SlaFlag.YELLOW: TRANSITIONS[Action.SLA_YELLOW].sources,
                    SlaFlag.RED: TRANSITIONS[Action.SLA_RED].sources}, _row, "event_id")


def sla_sweep(*, now: datetime | None = None, batch: int = 5000, full: bool = False) -> SweepResult:
    """One round for events (``full``: every threshold ever passed, not only since the last round;
    core.sweep), then the auto-escalation of red events below the top level."""
    now = now or timezone.now()
    result = SweepResult()
    # Each statement re-checks its own guard, so parallel workers never double-flip a row.
    result.yellow, result.red = sweep_flags(EVENTS, now, batch, full=full)

    # Set-based (core.batch.act_many): the overdue events read and locked in one statement — SKIP
    # LOCKED, so a second worker takes others instead of waiting — and escalated in one UPDATE.
    # A person who acted in between has moved the version: that event is left out, as a 409 would.
    with transaction.atomic():
        overdue = list(Event.objects.filter(
            sla_flag=SlaFlag.RED, due_at__lt=now, handler_level__gt=settings.GONGZHI_TOP_LEVEL,
            clock__in=ESCALATING_CLOCKS, status__in=ESCALATING_STATUSES)
            # Only what the escalation reads: building 5,000 whole events (60 columns, area and
            # category) was half of a round's time.
            .select_related("area", "category").only(*ESCALATION_READS)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at")[:batch])
        written, refused = events_auto_escalate(overdue, at=now)
    result.escalated = len(written)
    for event_id, why in refused.items():
        log.error("auto-escalation of event %s failed: %s", event_id, why)
        result.failed.append(event_id)
    return result
