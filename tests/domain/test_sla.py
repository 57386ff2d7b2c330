from datetime import datetime, timedelta

import pytest

from gongzhi.domain.calendar import SHANGHAI, WorkCalendar
from gongzhi.domain.enums import Clock, SlaFlag
from gongzhi.domain.sla import LimitRow, NoLimit, compute_deadline, flag_at, pick_limit

ROWS = [
    LimitRow(Clock.HANDLE, 10, id=1),                                     # default
    LimitRow(Clock.HANDLE, 5, kind="consult", id=2),
    LimitRow(Clock.HANDLE, 0, kind="emergency", id=3),
    LimitRow(Clock.HANDLE, 3, category_path="/env/", id=4),
    LimitRow(Clock.HANDLE, 2, category_path="/env/noise/", id=5),
    LimitRow(Clock.HANDLE, 7, kind="complaint", level=3, id=6),
    LimitRow(Clock.SIGN, 1, id=7),
    LimitRow(Clock.HANDLE, 0, hours=2, kind="emergency", category_path="/safety/fire/", id=8),
]


@pytest.mark.parametrize("clock, kind, cat, level, row_id", [
    (Clock.HANDLE, "complaint", "/road/", 5, 1),
    (Clock.HANDLE, "consult", "/road/", 5, 2),
    (Clock.HANDLE, "consult", "/env/water/", 5, 4),       # category beats kind
    (Clock.HANDLE, "consult", "/env/noise/night/", 5, 5),  # deeper category beats shallower
    (Clock.HANDLE, "complaint", "/road/", 3, 6),           # kind+level beats default
    (Clock.HANDLE, "emergency", "/safety/fire/", 5, 8),
    (Clock.SIGN, "emergency", "/safety/fire/", 5, 7),
])
def test_pick_limit_most_specific(clock, kind, cat, level, row_id):
    assert pick_limit(ROWS, clock, kind, cat, level).id == row_id


def test_missing_default_row_is_an_error():
    with pytest.raises(NoLimit):
        pick_limit(ROWS, Clock.VERIFY, "consult", "/road/", 5)


def test_yellow_at_seventy_percent_of_limit_plus_extension():
    cal = WorkCalendar()
    start = datetime(2026, 11, 2, 10, tzinfo=SHANGHAI)         # Monday
    d = compute_deadline(cal, start, LimitRow(Clock.HANDLE, 10))
    assert d.due_at == datetime(2026, 11, 16, 23, 59, 59, tzinfo=SHANGHAI)
    # 7 of 10 working days used: end of the 7th working day after Monday = Wednesday 11-11.
    assert d.warn_at.astimezone(SHANGHAI).date() == datetime(2026, 11, 11).date()
    extended = compute_deadline(cal, start, LimitRow(Clock.HANDLE, 10), extra_workdays=5)
    assert extended.due_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=SHANGHAI)
    assert extended.limit_workdays == 15
    assert extended.warn_at > d.warn_at


def test_hour_limit_and_flags():
    cal = WorkCalendar()
    start = datetime(2026, 10, 2, 9, tzinfo=SHANGHAI)
    d = compute_deadline(cal, start, LimitRow(Clock.HANDLE, 0, hours=2))
    assert d.due_at == start + timedelta(hours=2)
    assert flag_at(start + timedelta(minutes=10), d) is SlaFlag.GREEN
    assert flag_at(start + timedelta(minutes=90), d) is SlaFlag.YELLOW
    assert flag_at(start + timedelta(minutes=121), d) is SlaFlag.RED


def test_one_workday_sign_clock_warns_during_the_next_workday():
    cal = WorkCalendar()
    d = compute_deadline(cal, datetime(2026, 11, 20, 16, tzinfo=SHANGHAI), LimitRow(Clock.SIGN, 1))  # Friday
    assert d.due_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=SHANGHAI)
    warn = d.warn_at.astimezone(SHANGHAI)
    assert warn.date() == datetime(2026, 11, 23).date() and warn.hour == 16
