"""督办 of a case (mediation, legal aid): by a person, through the kind's table like any action,
and by the sweep, when it turns a clock the kind's ESCALATION table names (domain.<kind>).

Either way the stored ``supervision`` column only goes up (domain.supervision).  A person's 督办
is an ``act`` (guarded by the version read); the sweep's is ``act_many`` over the rows still below
the level, each UPDATE guarded by the version read, in the transaction that flipped the flag, so:
- a second sweep writes no second 督办 (the flag is red already, and the column too);
- two workers never both write one (the flip's rows are this worker's alone, core.sweep);
- a person who read the case before the sweep gets a 409 instead of lowering the level.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from gongzhi.core.batch import act_many
from gongzhi.core.engine import Kind
from gongzhi.core.operations import VersionIn
from gongzhi.core.rows import insert_all
from gongzhi.domain.enums import SlaFlag, SupervisionLevel
from gongzhi.domain.supervision import below, escalations, raised

from .acts import act, notify
from .models import Notice

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


def escalator(ct: Kind, rules: Mapping, action: Any,
              addressees: Callable[[list[int], Any], dict[int, tuple[tuple[str, str], People]]]):
    """The sweep's hook for one case kind (casework.clocks.sweep_kind): after a flip to a flag its
    ESCALATION table names, the automatic 督办 of the flipped rows through the engine's
    ``core.batch.act_many`` — the kind's table with the system's capacities, one guarded UPDATE per
    chunk, the timeline rows in one INSERT — then the notices.

    ``addressees(ids, to)`` → case id → (the one a 督办 addressed to ``to`` is for, the others
    told of it: the handling body)."""

    def escalate(ids: list[int], flag: SlaFlag, now: datetime) -> int:
        done = 0
        for clock, e in escalations(rules, flag).items():
            # Only the rows still below the level: a second sweep, or a person's higher 督办,
            # leaves nothing to raise (the stored level only goes up).
            cases = [c for i in range(0, len(ids), 500) for c in ct.model.objects.filter(
                pk__in=ids[i:i + 500], clock=clock.value, supervision__in=below(e.level))
                .only("id", "status", "version", "number", "clock", "supervision").order_by("id")]
            if not cases:
                continue
            people = addressees([c.pk for c in cases], e.to)
            why = f"{clock.label}已超期，系统自动{e.level.label}"
            written, refused = act_many(
                ct, cases, action, reason=why, at=now,
                mutate=lambda case, now, level=e.level: {"supervision": level.value},
                data=lambda case, clock=clock, level=e.level, people=people: {
                    "level": level.value, "clock": clock.value, "to": people[case.pk][0][0]})
            if refused:           # a status the table does not let the system 督办 in: left as it is
                log.info("%s: %d case(s) not 督办ed (%s)", ct.code, len(refused), sorted(refused)[:5])
            done_ids = set(written)
            insert_all([
                Notice(kind=ct.code, case_id=c.pk, subject=e.level.label, recipient=name, phone=phone or "",
                       text=f"{c.number or f'#{c.pk}'} {why}，{ask}", created_at=now)
                for c in cases if c.pk in done_ids
                for (name, phone), ask in [(people[c.pk][0], "请督促承办单位限期办结。"),
                                           *((p, "请限期办结并报告督办单位。") for p in people[c.pk][1])]
                if name])
            done += len(written)
            log.info("%s: %d case(s) %s after %s turned %s", ct.code, len(written), e.level.value, clock.value,
                     flag.value)
        return done
    return escalate
