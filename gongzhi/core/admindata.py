"""Admin-edited data every kind of case reads, cached per process: the working-day calendar and
the deadline rule here; each pillar's own tables (events.rules: time limits, routing rules,
categories) through the same ``cached``.

Read often, written rarely: each table is loaded once and kept for ``TTL`` seconds in this
process; a write through our services or the admin drops every copy at once (``invalidate``).
Several app processes converge within TTL — that is the price of not querying three tables per
report.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Generic, TypeVar

from django.conf import settings

from gongzhi.domain.calendar import DeadlineRule, WorkCalendar, YearSpec

TTL = 30.0
T = TypeVar("T")


class Cached(Generic[T]):
    """A loader whose result is kept for TTL seconds; ``clear()`` drops it."""

    def __init__(self, load: Callable[[], T]):
        self._load, self._at = load, 0.0
        self._value: T | None = None
        wraps(load)(self)
        _loaders.append(self)

    def __call__(self) -> T:
        now = time.monotonic()
        value = self._value
        if value is None or now - self._at > TTL:
            value = self._value = self._load()
            self._at = now
        return value

    def clear(self) -> None:
        self._value = None


_loaders: list[Cached] = []


def cached(load: Callable[[], T]) -> Cached[T]:
    return Cached(load)


def invalidate() -> None:
    """Drop every cached table (this module's and each pillar's) in this process."""
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
