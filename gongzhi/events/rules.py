"""The events pillar's admin-edited tables (time limits, routing rules, categories) as domain
objects, cached per process like the calendar (core.admindata: ``cached``, ``invalidate``).
``calendar`` and ``deadline_rule`` are the platform's, re-exported for the event services.
"""
from __future__ import annotations

from gongzhi.core.admindata import cached, calendar, deadline_rule, invalidate
from gongzhi.domain.enums import Clock, Level
from gongzhi.domain.routing import Rule, RuleMode
from gongzhi.domain.sla import LimitRow

__all__ = ["cached", "calendar", "categories", "category", "deadline_rule", "invalidate", "limit_rows",
           "routing_rules"]


@cached
def limit_rows() -> list[LimitRow]:
    from .models import TimeLimit
    return [LimitRow(Clock(t.clock), t.workdays, t.hours, t.kind or None,
                     t.category.path if t.category_id else None, t.level, t.id)
            for t in TimeLimit.objects.select_related("category")]


@cached
def routing_rules() -> list[Rule]:
    from .models import RoutingRule
    out = []
    for r in RoutingRule.objects.filter(active=True).select_related("category", "area", "target_department"):
        label = r.label or (r.target_department.name if r.target_department_id else Level(r.target_level).label)
        out.append(Rule(
            id=r.id, priority=r.priority, target_level=Level(r.target_level), target_label=label,
            target_department_id=r.target_department_id,
            target_department_kind=r.target_department_kind or None, kind=r.kind or None,
            category_path=r.category.path if r.category_id else None,
            category_label=r.category.name if r.category_id else None,
            urgency=r.urgency or None, area_path=r.area.path if r.area_id else None,
            area_label=r.area.name if r.area_id else None, channel=r.channel or None,
            mode=RuleMode(r.mode)))
    return out


@cached
def categories() -> dict:
    from .models import Category
    return {c.code: c for c in Category.objects.filter(active=True)}


def category(code: str):
    """An active category by code, from the cached table; a code added since is read through."""
    found = categories().get(code)
    if found is None:
        from .models import Category
        found = Category.objects.filter(code=code, active=True).first()
        if found is not None:
            categories.clear()
    return found
