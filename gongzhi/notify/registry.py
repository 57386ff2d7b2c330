"""Who is told what: each pillar registers its kind of case here, from its AppConfig.ready, so
notify imports no pillar and a pillar writes no sending code.

    from gongzhi import notify
    notify.register(CaseKind.MEDIATION, cases=load_cases, number=lambda c: c.number,
                    link=lambda c: f"/mediation/{c.pk}/",
                    rules={A.ACCEPT: notify.Rule(Topic.CASE_NOTICE, who=applicant_user)})

The fan-out (notify.fanout) reads the kind's timeline rows since its mark, and for each row whose
action has a rule asks ``who(case, row)`` for user ids.  Events' rows are in their own table
(``timeline=EventAction, case_field="event_id"``); every other kind's in casework.CaseLog.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from gongzhi.domain.notify import Topic
from gongzhi.domain.privacy import Person

Who = Callable[[Any, Any], Iterable[int]]


@dataclass(frozen=True)
class Rule:
    """One (kind, action) → a topic and the users told.  ``when(case, row)``: only some rows of the
    action (an answer reaches the reporter only when the event has one)."""

    topic: Topic
    who: Who
    when: Callable[[Any, Any], bool] | None = None
    # Where these recipients open it, when not the kind's link: a page they may read (a mediation
    # committee reads a court case's outcome on its own case's page, never the court's file).
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    rules: Mapping[str, tuple[Rule, ...]]
    cases: Callable[[list[int]], Mapping[int, Any]]     # ids → case objects (one query)
    number: Callable[[Any], str]
    link: Callable[[Any], str]                          # a path inside the site, for users
    # Who must never be named in a message about the case (a 举报's reporter): their name, phone
    # and ID number are masked in any text built for it (domain.privacy.redact_people).
    people: Callable[[Any], list[Person]] = field(default=lambda case: [])
    timeline: type[Model] | None = None                 # None: casework.CaseLog rows of this kind
    case_field: str = "case_id"
    # The timeline's column naming what happened: ``action`` on EventAction and CaseLog; an
    # append-only ledger of a pillar's own (points.Posting) names it ``kind`` (获得积分, 兑换 …).
    action_field: str = "action"
    # Whether a user works this kind's cases as a member of the pillar's own staff tables (a
    # mediator, a fund's checker, a 积分超市 manager), holding no area role: their notification
    # settings list the topics of this kind's rules (notify.services.topics).
    staff: Callable[[Any], bool] | None = None


_KINDS: dict[str, KindSpec] = {}


def register(kind: str, *, rules: Mapping[Any, Rule | Sequence[Rule]], cases: Callable[[list[int]], Mapping[int, Any]],
             number: Callable[[Any], str], link: Callable[[Any], str],
             people: Callable[[Any], list[Person]] | None = None, timeline: type[Model] | None = None,
             case_field: str = "case_id", action_field: str = "action",
             staff: Callable[[Any], bool] | None = None) -> None:
    """Register (or replace: a reloaded app registers again) a kind's notification rules."""
    norm = {str(a): (r,) if isinstance(r, Rule) else tuple(r) for a, r in rules.items()}
    _KINDS[str(kind)] = KindSpec(kind=str(kind), rules=norm, cases=cases, number=number, link=link,
                                 people=people or (lambda case: []), timeline=timeline, case_field=case_field,
                                 action_field=action_field, staff=staff)
    if timeline is not None:
        from django.db.models.signals import post_save
        post_save.connect(on_row, sender=timeline, dispatch_uid=f"notify-{timeline._meta.db_table}")


def on_row(sender, instance, created, **kwargs):
    """A timeline row was written: when some kind has a rule for it, wake the fan-out on commit."""
    if not created:
        return
    kind = getattr(instance, "kind", None)
    specs = [s for s in _KINDS.values() if (s.timeline is sender) or (s.timeline is None and s.kind == kind)]
    if any(str(getattr(instance, s.action_field)) in s.rules for s in specs):
        from .queue import kick
        kick()


def kinds() -> dict[str, KindSpec]:
    return dict(_KINDS)


def spec(kind: str) -> KindSpec | None:
    return _KINDS.get(str(kind))


def table() -> list[tuple[str, str, str]]:
    """(kind, action, topic) of every rule: the mapping the tests write out."""
    return sorted((k.kind, a, r.topic.value) for k in _KINDS.values() for a, rs in k.rules.items() for r in rs)
