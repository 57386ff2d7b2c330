"""督办 of a case (mediation, legal aid): by a person, through the kind's table like any action,
and by the sweep, when it turns a clock the kind's ESCALATION table names (domain.<kind>).

Either way the stored ``supervision`` column only goes up (domain.supervision).  A person's 督办
is an ``act`` (guarded by the version read); the sweep's is one UPDATE guarded by the column
itself and bumping the version, in the transaction that flipped the flag, so:
- a second sweep writes no second 督办 (the flag is red already, and the column too);
- two workers never both write one (the flip's rows are this worker's alone, core.sweep);
- a person who read the case before the sweep gets a 409 instead of lowering the level.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from pydantic import Field

from gongzhi.core.engine import Kind
from gongzhi.core.naming import actor_name
from gongzhi.core.operations import VersionIn
from gongzhi.core.rows import insert_all
from gongzhi.domain.enums import SlaFlag, SupervisionLevel
from gongzhi.domain.privacy import row_visibility
from gongzhi.domain.supervision import below, escalations, raised

from .acts import act, notify
from .models import CaseKind, CaseLog, Notice

log = logging.getLogger("gongzhi.sla")
People = list[tuple[str, str]]          # (name, phone) of a notice's recipients


class SuperviseIn(VersionIn):
    level: SupervisionLevel = Field(SupervisionLevel.NORMAL, title="督办级别")
    note: str = Field(max_length=2000, title="督办意见")


def supervise(ct: Kind, action: Any, actor, case_id: int, data: SuperviseIn, *,
              addressees: Callable[[Any], People], at: datetime | None = None):
    """A person's 督办: recorded on the timeline with its level and words, the handling body
    notified; the stored level rises only when this one is higher."""
    def mutate(case, now):
        level = raised(case.supervision, data.level)
        return {"supervision": level} if level else {}

    def after(case, now):
        # A note that ends in a full stop keeps only ours (no "…回复。。请抓紧").
        note = data.note.strip().rstrip("。.")
        notify(ct.code, case.pk, data.level.label, addressees(case),
               f"{case.number} 收到{data.level.label}：{note}。请抓紧办理并反馈。", now)
    return act(ct, actor, case_id, action, reason=data.note, version=data.version, at=at, mutate=mutate,
               after=after, data={"level": data.level.value})


def _raise(table: str, ids: list[int], clock: Any, statuses: frozenset, level: SupervisionLevel,
           now: datetime) -> list[tuple[int, str, str]]:
    """One guarded UPDATE: the rows of ``ids`` whose clock is ``clock``, in a status the system may
    督办 in, still below ``level``; (id, status, number) of those it raised."""
    at = connection.ops.adapt_datetimefield_value(now)
    out: list[tuple[int, str, str]] = []
    with connection.cursor() as cur:
        for i in range(0, len(ids), 500):       # well under every backend's parameter limit
            part = ids[i:i + 500]
            older = below(level)
            cur.execute(
                f"UPDATE {table} SET supervision = %s, version = version + 1, updated_at = %s "
                f"WHERE id IN ({','.join(['%s'] * len(part))}) AND clock = %s "
                f"AND status IN ({','.join(['%s'] * len(statuses))}) "
                f"AND supervision IN ({','.join(['%s'] * len(older))}) RETURNING id, status, number",
                [level.value, at, *part, clock.value, *sorted(s.value for s in statuses), *older])
            out += cur.fetchall()
    return out


def escalator(kind: CaseKind, model: type[Model], rules: Mapping, table: Mapping, action: Any,
              visibility: Mapping, addressees: Callable[[list[int], Any], dict[int, tuple[tuple[str, str], People]]]):
    """The sweep's hook for one case kind (casework.clocks.sweep_kind): after a flip to a flag its
    ESCALATION table names, the automatic 督办 of the flipped rows, with timeline rows and notices.

    ``addressees(ids, to)`` → case id → (the one a 督办 addressed to ``to`` is for, the others
    told of it: the handling body)."""
    statuses = table[action].sources        # where the table lets the system 督办

    def escalate(ids: list[int], flag: SlaFlag, now: datetime) -> int:
        done = 0
        for clock, e in escalations(rules, flag).items():
            rows = _raise(model._meta.db_table, ids, clock, statuses, e.level, now)
            if not rows:
                continue
            rows.sort()
            people = addressees([i for i, _, _ in rows], e.to)
            why = f"{clock.label}已超期，系统自动{e.level.label}"
            seen = row_visibility(action, visibility)
            insert_all([
                CaseLog(kind=kind, case_id=i, action=action, label=action.label, actor=None,
                        actor_name=actor_name(None), at=now, from_status=status, to_status=status,
                        reason=why, data={"level": e.level.value, "clock": clock.value, "to": people[i][0][0]},
                        visibility=seen)
                for i, status, _ in rows])
            insert_all([
                Notice(kind=kind, case_id=i, subject=e.level.label, recipient=name, phone=phone or "",
                       text=f"{number or f'#{i}'} {why}，{ask}", created_at=now)
                for i, _, number in rows
                for (name, phone), ask in [(people[i][0], "请督促承办单位限期办结。"),
                                           *((p, "请限期办结并报告督办单位。") for p in people[i][1])]
                if name])
            done += len(rows)
            log.info("%s: %d case(s) %s after %s turned %s", kind.value, len(rows), e.level.value, clock.value,
                     flag.value)
        return done
    return escalate
