"""The one write path of every kind of case: events, mediation, legal aid and what comes next.

``act`` runs, in one transaction:

1. load the case the actor may see (404 otherwise: existence is not leaked), or, for the
   system (the SLA worker), the case itself;
2. ask the kind's transition table (status, capacity, reason) — ``domain/workflow.transition``;
3. compute the action's changes (``mutate``: clocks, handler, result …) from the loaded row;
4. UPDATE guarded by the version read, so two concurrent actions cannot both win (409);
5. append the timeline row (``core/timeline``), its visibility from the kind's row table;
6. run the follow-up writes (``after``: sessions, documents, notices, merged repeats), so a
   failure there takes the whole action back.

A kind plugs in by declaring a :class:`Kind`; it writes no UPDATE and no timeline row itself.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from gongzhi.domain import privacy
from gongzhi.domain.sla import clock_after
from gongzhi.domain.workflow import allowed_actions, transition

from .errors import DOMAIN_ERRORS, Conflict, from_domain
from .naming import actor_name

Mutator = Callable[[Any, datetime], dict]
After = Callable[[Any, datetime], None]


@dataclass(frozen=True)
class Kind:
    """What the engine needs to know about one kind of case."""

    noun: str                                     # 事件 / 案件: the word in conflict messages
    model: type[Model]
    statuses: type[StrEnum]
    table: Mapping                                # action → workflow.Transition
    rows: Mapping                                 # action → privacy.Visibility of its timeline row
    load: Callable[[Any, int], Any]               # scoped load (raises NotFound)
    load_system: Callable[[int], Any]             # the SLA worker's load: no scope
    capacities: Callable[[Any, Any], set]         # the actor's capacities on the case
    system_caps: frozenset                        # the worker's capacities
    subject_id: Callable[[Any], int | None]       # the user the case is about (reporter, applicant)
    timeline: Callable[..., Model]                # an unsaved timeline row for (case, **row fields)
    # For kinds stored by (code, id) in the shared case tables (CaseLog, Document, AccessLog):
    code: str = ""
    viewer: Callable[[Any, Any, set], Any] | None = None   # (user, case, capacities) → privacy.Viewer
    public_text: frozenset = frozenset()          # rows whose words the case's subject reads
    # action → the clock it starts / None (stops) / absent (keeps): the kind's CLOCK_EFFECTS table.
    clock_effects: Mapping | None = None

    def actions(self, actor, case, caps: set | None = None) -> list:
        caps = self.capacities(actor, case) if caps is None else caps
        return allowed_actions(self.statuses(case.status), caps, self.table)


def act(kind: Kind, actor, case_id: int, action, *, reason: str = "", note: str = "",
        version: int | None = None, at: datetime | None = None, data: dict | None = None,
        mutate: Mutator | None = None, after: After | None = None, system: bool = False,
        caps: set | None = None, table: Mapping | None = None):
    """Take ``action`` on the case; returns the case as written.  ``system``: the worker acts
    (no scope, ``kind.system_caps`` unless ``caps`` names others); ``version``: the version the
    actor saw (a stale one is a 409); ``table``: a domain table other than the kind's own for this
    step (the FOLLOW step of a merged repeat)."""
    now = at or timezone.now()
    try:
        with transaction.atomic():
            case = kind.load_system(case_id) if system else kind.load(actor, case_id)
            held = set(caps if caps is not None else kind.system_caps if system else kind.capacities(actor, case))
            if version is not None and version != case.version:
                raise Conflict(f"该{kind.noun}已被他人更新，请刷新后重试", code="stale_version")
            before = kind.statuses(case.status)
            target = transition(action, before, held, reason, table=kind.table if table is None else table)
            changes = mutate(case, now) if mutate else {}
            if kind.clock_effects is not None:
                check_clock(kind, action, case, changes)
            changes.update(status=target, version=F("version") + 1, updated_at=now)
            if not kind.model.objects.filter(pk=case.pk, version=case.version).update(**changes):
                raise Conflict(f"该{kind.noun}刚被他人处理，请刷新后重试", code="concurrent_update")
            who = None if system else actor
            subject = kind.subject_id(case)
            kind.timeline(case, action=action, actor=who, actor_name=actor_name(who), at=now,
                          from_status=before, to_status=target, reason=reason, note=note, data=data or {},
                          visibility=privacy.row_visibility(action, kind.rows),
                          by_subject=who is not None and subject is not None and subject == who.pk).save()
            case.refresh_from_db()
            if after:
                after(case, now)
    except DOMAIN_ERRORS as exc:
        raise from_domain(exc) from exc
    return case


class ClockTableMismatch(RuntimeError):
    """A service wrote a clock its kind's CLOCK_EFFECTS table does not give the action: a bug,
    refused before anything is written (the table is the one authority on clocks)."""


def check_clock(kind: Kind, action, case, changes: dict) -> None:
    assert kind.clock_effects is not None
    running = getattr(case, "clock", "") or None
    expected = clock_after(kind.clock_effects, action, running)
    written = changes.get("clock", running) or None
    if (str(expected) if expected is not None else None) != (str(written) if written else None):
        raise ClockTableMismatch(f"{action}: the clock table says {expected!r}, the write says {written!r}")
