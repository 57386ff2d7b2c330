"""Admin-edited data (calendar years, time limits, routing rules) as domain objects.

Read often, written rarely: each table is loaded once and kept for ``TTL`` seconds in this
process; a write through our services or the admin drops the copy at once.  Several app
processes converge within TTL — that is the price of not querying three tables per report.
"""
from __future__ import annotations

import time
from datetime import date, datetime
from functools import wraps

from django.conf import settings

from gongzhi.domain.calendar import DeadlineRule, WorkCalendar, YearSpec
from gongzhi.domain.enums import Clock, Level
from gongzhi.domain.routing import Rule, RuleMode
from gongzhi.domain.sla import LimitRow

TTL = 30.0
_loaders = []


def cached(fn):
    state = {"at": 0.0, "value": None}

    @wraps(fn)
    def get():
        now = time.monotonic()
        if state["value"] is None or now - state["at"] > TTL:
            state["value"], state["at"] = fn(), now
        return state["value"]

    get.clear = lambda: state.update(value=None)
    _loaders.append(get)
    return get


def invalidate() -> None:
    for loader in _loaders:
        loader.clear()


@cached
def calendar() -> WorkCalendar:
    from .models import CalendarYear, SpecialDay
    years = {
        y.year: YearSpec(y.year, frozenset(date.fromisoformat(d) for d in y.holidays),
                         frozenset(date.fromisoformat(d) for d in y.workdays))
        for y in CalendarYear.objects.all()
    }
    special = dict(SpecialDay.objects.values_list("date", "is_workday"))
    return WorkCalendar(years=years, special_days=special)


@cached
def deadline_rule() -> DeadlineRule:
    return DeadlineRule(end_of_day=datetime.strptime(settings.GONGZHI_DEADLINE_END_OF_DAY, "%H:%M:%S").time(),
                        receipt_day_counts=settings.GONGZHI_RECEIPT_DAY_COUNTS)


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
