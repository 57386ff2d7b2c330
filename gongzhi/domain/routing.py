"""Routing rules as data: kind × category × urgency × area × channel → handling level/unit.

Rules are evaluated by priority (lower first); the first match decides and the event keeps
its sentence, e.g. "规则#12: 矛盾纠纷/邻里纠纷 → 社区调委会".  The same table carries 越级 rules
(mode=SKIP): they say which matters may jump straight to a higher level.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .enums import EventKind, Level, Urgency


class RuleMode(StrEnum):
    ROUTE = "route"
    SKIP = "skip"


@dataclass(frozen=True)
class Rule:
    id: int
    priority: int
    target_level: Level
    target_label: str                 # what the reason says after the arrow
    target_department_id: int | None = None
    target_department_kind: str | None = None   # "the mediation committee of the event's community"
    kind: str | None = None
    category_path: str | None = None
    category_label: str | None = None
    urgency: str | None = None
    area_path: str | None = None
    area_label: str | None = None
    channel: str | None = None
    mode: RuleMode = RuleMode.ROUTE

    def matches(self, f: Facts) -> bool:
        return (self.kind in (None, f.kind) and self.urgency in (None, f.urgency)
                and self.channel in (None, f.channel)
                and (self.category_path is None or f.category_path.startswith(self.category_path))
                and (self.area_path is None or f.area_path.startswith(self.area_path)))

    def reason(self) -> str:
        parts = []
        if self.kind:
            parts.append(EventKind(self.kind).label)
        if self.category_label:
            parts.append(self.category_label)
        if self.urgency:
            parts.append(Urgency(self.urgency).label)
        if self.area_label:
            parts.append(self.area_label)
        return f"规则#{self.id}: {'/'.join(parts) or '全部事件'} → {self.target_label}"


@dataclass(frozen=True)
class Facts:
    kind: str
    category_path: str
    urgency: str
    area_path: str
    channel: str


@dataclass(frozen=True)
class Decision:
    level: Level
    department_id: int | None
    rule_id: int | None
    reason: str
    department_kind: str | None = None


def route(rules: list[Rule], facts: Facts, default_level: Level = Level.GRID,
          default_label: str = "属地网格") -> Decision:
    for rule in sorted((r for r in rules if r.mode == RuleMode.ROUTE), key=lambda r: (r.priority, r.id)):
        if rule.matches(facts):
            return Decision(rule.target_level, rule.target_department_id, rule.id, rule.reason(),
                            rule.target_department_kind)
    return Decision(default_level, None, None, f"默认规则: 无匹配规则 → {default_label}")


class Moved(StrEnum):
    """How an event came to the level it is at after a step up: the words 分拨依据 starts with."""

    ESCALATED = "逐级上报"
    AUTO_ESCALATED = "超期自动上报"
    SKIPPED = "越级上报"


def escalation_reason(how: Moved, target: str, level: Level, rule_id: int | None = None) -> str:
    """分拨依据 after an escalation: the routing rule's sentence no longer says why the event is
    where it is (a 属地网格 rule, read on a township's desk), so the step up replaces it — how it
    went up, to whom and at which level, and for a 越级上报 the SKIP rule that allowed the jump.
    Each shape is a pattern of core.patterns (shown in the reader's language)."""
    text = f"{how.value} → {target}（{level.label}）"
    return text + (f"，依据规则#{rule_id}" if rule_id is not None else "")


class EscalationError(Exception):
    pass


def escalation_target(current: Level, top: Level = Level.COUNTY) -> Level:
    """上报: one level up; nothing is above the top handling level."""
    if current <= top:
        raise EscalationError(f"已在最高处置层级（{top.label}），无法继续上报")
    return Level(current - 1)


def skip_target(rules: list[Rule], facts: Facts, current: Level) -> tuple[Level, Rule]:
    """越级: only where a SKIP rule allows it, and only to a level at least two above."""
    for rule in sorted((r for r in rules if r.mode == RuleMode.SKIP), key=lambda r: (r.priority, r.id)):
        if rule.matches(facts) and rule.target_level < current - 1:
            return rule.target_level, rule
    raise EscalationError("没有允许越级上报的规则匹配该事件，请逐级上报")
