"""The working-day calendar, from tables of dated cases (no Django, no database)."""
from datetime import date, datetime, time

import pytest

from gongzhi.domain.calendar import SHANGHAI, DeadlineRule, UnknownYear, WorkCalendar, YearSpec

CAL = WorkCalendar()


@pytest.mark.parametrize("day, worked", [
    # 2025 Spring Festival: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked.
    (date(2025, 1, 26), True), (date(2025, 1, 27), True), (date(2025, 1, 28), False),
    (date(2025, 1, 31), False), (date(2025, 2, 4), False), (date(2025, 2, 5), True),
    (date(2025, 2, 8), True), (date(2025, 2, 9), False),
    # 2026 National Day: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked.
    (date(2026, 9, 19), False), (date(2026, 9, 20), True), (date(2026, 10, 1), False),
    (date(2026, 10, 7), False), (date(2026, 10, 8), True), (date(2026, 10, 10), True),
    (date(2026, 10, 11), False),
    # 2026 make-up days named in the design notes.
    (date(2026, 1, 4), True), (date(2026, 2, 14), True), (date(2026, 2, 28), True),
    (date(2026, 5, 9), True),
    # Ordinary weeks.
    (date(2026, 11, 20), True), (date(2026, 11, 21), False), (date(2026, 11, 22), False),
])
def test_is_workday(day, worked):
    assert CAL.is_workday(day) is worked


@pytest.mark.parametrize("start, workdays, due", [
    # The example: day of receipt not counted, ten working days across National Day.
    ("2026-09-30T10:00:00+08:00", 10, "2026-10-20T23:59:59+08:00"),
    # One working day reported the evening before the holiday lands on the first day back.
    ("2026-09-30T22:00:00+08:00", 1, "2026-10-08T23:59:59+08:00"),
    # Spring Festival 2025: reported on the last working day before it.
    ("2025-01-27T09:00:00+08:00", 1, "2025-02-05T23:59:59+08:00"),
    ("2025-01-27T09:00:00+08:00", 5, "2025-02-10T23:59:59+08:00"),
    # Received on the make-up Sunday; 2 working days → Tuesday.
    ("2025-01-26T09:00:00+08:00", 2, "2025-02-05T23:59:59+08:00"),
    # Same day (紧急): end of the receipt day, even on a holiday.
    ("2026-10-03T08:00:00+08:00", 0, "2026-10-03T23:59:59+08:00"),
    # Received in UTC late evening = next morning in Shanghai.
    ("2026-11-19T17:30:00+00:00", 1, "2026-11-23T23:59:59+08:00"),
    # Friday report, 10 working days: two full weeks.
    ("2026-11-20T15:00:00+08:00", 10, "2026-12-04T23:59:59+08:00"),
])
def test_due_at(start, workdays, due):
    assert CAL.due_at(datetime.fromisoformat(start), workdays) == datetime.fromisoformat(due)


def test_receipt_day_counts_rule_changes_the_count():
    rule = DeadlineRule(end_of_day=time(17, 30), receipt_day_counts=True)
    got = CAL.due_at(datetime.fromisoformat("2026-11-18T09:00:00+08:00"), 3, rule)
    assert got == datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)


def test_unknown_year_is_refused_with_the_year_named():
    # 2099: a year no calendar package can know yet.  2098 is entered by hand (no holidays) so a
    # deadline can run from a known year into the unknown one.
    cal = WorkCalendar(years={2098: YearSpec(2098)})
    start = datetime.fromisoformat("2098-12-29T10:00:00+08:00")      # a Monday
    assert cal.due_at(start, 2) == datetime(2098, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)   # still 2098
    with pytest.raises(UnknownYear) as exc:
        cal.due_at(start, 3)                                           # 2099-01-01 would be next
    assert exc.value.year == 2099 and "2099" in str(exc.value)
    with pytest.raises(UnknownYear):
        CAL.is_workday(date(2099, 6, 1))                               # nor does the built-in data


def test_admin_entered_year_and_city_special_days():
    spec = YearSpec(2027, holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 1, 2)}))
    cal = WorkCalendar(years={2027: spec}, special_days={date(2026, 12, 31): False})
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.is_workday(date(2027, 1, 2)) is True        # a Saturday worked
    assert cal.is_workday(date(2026, 12, 31)) is False     # city-declared day off
    # 12-30 (Wed) + 2 workdays: 12-31 off, 01-01 off, 01-02 (Sat, worked), 01-04 (Mon).
    assert (cal.due_at(datetime(2026, 12, 30, 10, tzinfo=SHANGHAI), 2)
            == datetime(2027, 1, 4, 23, 59, 59, tzinfo=SHANGHAI))


def test_workdays_between_matches_deadline_counting():
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 20)) == 10
    assert CAL.workdays_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_point_at_fraction_skips_holidays():
    begin = datetime(2026, 10, 1, tzinfo=SHANGHAI)
    due = datetime(2026, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)   # only 10-08 and 10-09 are worked
    half = CAL.point_at_fraction(begin, due, 0.5)
    assert half.astimezone(SHANGHAI).date() == date(2026, 10, 8)
    assert abs((half - datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)).total_seconds()) < 1
