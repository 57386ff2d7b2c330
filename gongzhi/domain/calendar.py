"""Working days and deadlines, China-style.

The built-in years come from ``chinesecalendar`` (statutory holidays and 调休 make-up days);
admins add later years from the State Council notice each November, and a city may add its
own special days.  A year nobody told us about is refused, never guessed: a wrong deadline
for a year is worse than a loud error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar.constants as _cc

SHANGHAI = ZoneInfo("Asia/Shanghai")
BUILTIN_YEARS = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)


class UnknownYear(Exception):
    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"工作日历不包含 {year} 年：请在后台「节假日年份」录入国务院办公厅 {year} 年节假日安排，"
            f"或运行 gongzhi calendar load FILE.json（calendar has no data for {year}; load it first）"
        )


@dataclass(frozen=True)
class YearSpec:
    """An admin-entered year: days off that fall on weekdays, and weekend days that are worked."""

    year: int
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class DeadlineRule:
    """How a limit of N working days is counted (configurable per installation)."""

    end_of_day: time = time(23, 59, 59)
    receipt_day_counts: bool = False


@dataclass
class WorkCalendar:
    years: dict[int, YearSpec] = field(default_factory=dict)
    special_days: dict[date, bool] = field(default_factory=dict)  # True = worked, False = off
    tz: ZoneInfo = SHANGHAI

    def knows(self, year: int) -> bool:
        return year in self.years or year in BUILTIN_YEARS

    def is_workday(self, d: date) -> bool:
        if d in self.special_days:
            return self.special_days[d]
        spec = self.years.get(d.year)
        if spec is not None:
            holidays, workdays = spec.holidays, spec.workdays
        elif d.year in BUILTIN_YEARS:
            holidays, workdays = _cc.holidays, _cc.workdays
        else:
            raise UnknownYear(d.year)
        if d in workdays:
            return True
        return d.weekday() < 5 and d not in holidays

    def nth_workday_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        while n:
            d += timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end] — the same counting as deadlines."""
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            count += self.is_workday(d)
        return count

    def due_at(self, start: datetime, workdays: int, rule: DeadlineRule = DeadlineRule()) -> datetime:
        """Deadline of a limit of ``workdays`` counted from ``start`` (aware datetime).

        1. Take the receipt day in local time.
        2. N = 0 means the same day: the end of the receipt day.
        3. Otherwise count N working days after it (or from it, when the rule says the
           receipt day counts and it is a working day); the limit ends at ``end_of_day``.
        """
        local = start.astimezone(self.tz).date()
        if workdays <= 0:
            return datetime.combine(local, rule.end_of_day, self.tz)
        n = workdays
        if rule.receipt_day_counts and self.is_workday(local):
            n -= 1
        day = self.nth_workday_after(local, n) if n else local
        return datetime.combine(day, rule.end_of_day, self.tz)

    def budget_start(self, start: datetime, workdays: int, rule: DeadlineRule = DeadlineRule()) -> datetime:
        """When the working-time budget starts being used: receipt, or the next midnight."""
        if workdays <= 0 or rule.receipt_day_counts:
            return start
        local = start.astimezone(self.tz).date()
        return datetime.combine(local + timedelta(days=1), time(0), self.tz)

    def point_at_fraction(self, begin: datetime, due: datetime, fraction: float) -> datetime:
        """The moment when ``fraction`` of the working time in [begin, due] has been used.

        Working time is the part of the interval that lies on working days; if there is
        none (a same-day limit on a holiday), wall-clock time is used instead.
        """
        spans = list(self._working_spans(begin, due))
        total = sum((b - a).total_seconds() for a, b in spans)
        if total <= 0:
            return begin + (due - begin) * fraction
        left = total * fraction
        for a, b in spans:
            length = (b - a).total_seconds()
            if left <= length:
                return a + timedelta(seconds=left)
            left -= length
        return due

    def _working_spans(self, begin: datetime, due: datetime):
        begin, due = begin.astimezone(self.tz), due.astimezone(self.tz)
        d = begin.date()
        while d <= due.date():
            if self.is_workday(d):
                lo = max(begin, datetime.combine(d, time(0), self.tz))
                hi = min(due, datetime.combine(d + timedelta(days=1), time(0), self.tz))
                if hi > lo:
                    yield lo, hi
            d += timedelta(days=1)
