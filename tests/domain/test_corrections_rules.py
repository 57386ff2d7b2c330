"""社区矫正 rules (domain.corrections), from tables of cases written out here.

No expected answer is computed by the code under test: dates, steps, levels, authorities and the
transition grids are literals, checked by hand against 《社区矫正法》(2020), 《社区矫正法实施办法》
(2020), 刑事诉讼法 第105条 and the 2025/2026 State Council holiday notices as the installed
chinesecalendar (1.11.0) holds them:

- 2026 New Year: 01-01..01-03 off, Sunday 01-04 worked;
- 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked;
- 2026 Dragon Boat: 06-19..06-21 off (no make-up day);
- 2026 Mid-Autumn: 09-25..09-27 off; National Day: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10
  worked;
- 2027: not in the package (its data end on 2026-10-07, the 2027 notice is published in November), so
  a period ending in 2027 is refused with UnknownYear until an admin enters the year.  When a later
  chinesecalendar knows 2027, replace the UnknownYear cases with the real 2027 dates.
"""
from dataclasses import replace
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from gongzhi.domain import corrections as dc
from gongzhi.domain.calendar import SHANGHAI, DeadlineRule, UnknownYear, WorkCalendar, YearSpec
from gongzhi.domain.corrections import (
    Authority,
    Cap,
    CorrType,
    Facts,
    Gravity,
    LeaveKind,
    LeaveRefused,
    LeaveRequest,
    Level,
    Limits,
    Step,
)
from gongzhi.domain.workflow import CapacityError, ReasonRequired, TransitionError, allowed_actions, transition
from tests.domain.test_clock_effects import disagreements
from tests.domain.test_tables_pinned import parse

CAL = WorkCalendar()
D = date.fromisoformat


def sh(text: str) -> datetime:
    """A wall-clock time in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# ---- periods in days (刑事诉讼法 第105条) --------------------------------------------------------

@pytest.mark.parametrize("start, days, end", [
    # The start day is not counted: one day from Monday is Tuesday.
    ("2026-06-01", 1, "2026-06-02"),
    # An ordinary 10-day period ending on a working Thursday.
    ("2026-06-01", 10, "2026-06-11"),
    # Ends on a plain Sunday (06-14): moves to Monday.
    ("2026-06-04", 10, "2026-06-15"),
    # Ends on Dragon Boat Friday 06-19: 06-19..06-21 off → Monday 06-22.
    ("2026-06-09", 10, "2026-06-22"),
    # Ends on Mid-Autumn Friday 09-25: 09-25..09-27 off → Monday 09-28.
    ("2026-09-15", 10, "2026-09-28"),
    # Ends on the 调休 Sunday 09-20 before National Day: a working day, does NOT move.
    ("2026-09-10", 10, "2026-09-20"),
    # Ends on National Day 10-01, 10-05 and its last day 10-07: all → Thursday 10-08.
    ("2026-09-21", 10, "2026-10-08"),
    ("2026-09-25", 10, "2026-10-08"),
    ("2026-09-27", 10, "2026-10-08"),
    # 纠正违法通知书 (15 days) issued 09-22 ends 10-07, a holiday → 10-08.
    ("2026-09-22", 15, "2026-10-08"),
    # Ends on the 调休 Saturday 10-10: a working day, does NOT move.
    ("2026-09-30", 10, "2026-10-10"),
    # Ends on Sunday 10-11, the day after that working Saturday → Monday 10-12.
    ("2026-10-01", 10, "2026-10-12"),
    # Spring Festival 2026: ends on Sunday 02-15 (first day off) → Tuesday 02-24.
    ("2026-02-05", 10, "2026-02-24"),
    # Ends on the 调休 Saturdays 02-14 and 02-28: they do NOT move.
    ("2026-02-04", 10, "2026-02-14"),
    ("2026-02-18", 10, "2026-02-28"),
    # Crossing the year boundary 2025→2026: ends on the 调休 Sunday 2026-01-04 (stays) ...
    ("2025-12-25", 10, "2026-01-04"),
    # ... or on New Year's Day 2026 (01-01..01-03 off) → the working Sunday 01-04.
    ("2025-12-22", 10, "2026-01-04"),
    # The last days of 2026: Saturday 12-26 → Monday 12-28; Thursday 12-31 stays.
    ("2026-12-16", 10, "2026-12-28"),
    ("2026-12-21", 10, "2026-12-31"),
])
def test_period_end(start, days, end):
    assert dc.period_end(CAL, D(start), days) == D(end)


@pytest.mark.parametrize("start, days", [
    # 2026→2027: ends on 2027-01-01 — a year the built-in calendar does not know.
    ("2026-12-22", 10),
    ("2026-12-28", 10),
    # Spring Festival 2027 (New Year's Day of the lunar calendar: Saturday 2027-02-06).
    ("2027-01-27", 10),
    ("2027-02-01", 5),
])
def test_a_period_ending_in_an_unknown_year_is_refused_not_guessed(start, days):
    with pytest.raises(UnknownYear) as e:
        dc.period_end(CAL, D(start), days)
    assert e.value.year == 2027


def test_a_period_into_2027_once_the_admin_entered_it():
    """The 2027 New Year holiday as an admin would enter it (Friday 01-01 off; a fixture here, not the
    State Council's notice): a period ending on it moves past the weekend to Monday 01-04, and one
    ending on Thursday 2026-12-31 ... is still 2026."""
    cal = WorkCalendar(years={2027: YearSpec(2027, holidays=frozenset({D("2027-01-01")}))})
    assert dc.period_end(cal, D("2026-12-22"), 10) == D("2027-01-04")
    assert dc.period_end(cal, D("2026-12-25"), 10) == D("2027-01-04")   # Monday 01-04 itself
    assert dc.period_end(cal, D("2026-12-21"), 10) == D("2026-12-31")


@pytest.mark.parametrize("start, days, counted_from, due, warn", [
    # 10 days from one second before midnight: due 10 days later, yellow after exactly 7 of them.
    ("2026-06-01T23:59:59", 10, None, "2026-06-11T23:59:59", "2026-06-08T23:59:59"),
    # Across National Day from Sunday 09-27 (a holiday): ends 10-07 → 10-08; 11 days of wall clock,
    # yellow after 7.7 days — on 10-05, a holiday: a period in days counts every day, not work time.
    ("2026-09-27T23:59:59", 10, None, "2026-10-08T23:59:59", "2026-10-05T16:47:59"),
    # Counted from the decision (06-01) the agency learned of on 06-04: due 06-11, not 06-15; the
    # yellow point is 70 % of the time the agency actually has (7 days → 4.9 days).
    ("2026-06-04T23:59:59", 10, "2026-06-01", "2026-06-11T23:59:59", "2026-06-09T21:35:59"),
    ("2026-06-04T23:59:59", 10, None, "2026-06-15T23:59:59", None),
    # Learned after the period already ran out: due in the past, yellow no earlier than due (red at once).
    ("2026-06-20T10:00:00", 10, "2026-06-01", "2026-06-11T23:59:59", "2026-06-11T23:59:59"),
])
def test_days_deadline(start, days, counted_from, due, warn):
    got = dc.days_deadline(CAL, sh(start), days, counted_from=counted_from and D(counted_from))
    assert got.due_at == sh(due)
    if warn is not None:
        assert got.warn_at == sh(warn)
    assert got.limit_workdays == 0


def test_days_deadline_counts_from_the_shanghai_date_of_a_utc_start():
    """16:30 UTC on 05-31 is 00:30 on 06-01 in Shanghai: the period runs from 06-01 (due 06-11), not
    from 05-31 (which would give 06-10)."""
    got = dc.days_deadline(CAL, datetime(2026, 5, 31, 16, 30, tzinfo=UTC), 10)
    assert got.due_at == sh("2026-06-11T23:59:59")


def test_days_deadline_ends_at_the_rules_end_of_day():
    got = dc.days_deadline(CAL, sh("2026-06-01T09:00:00"), 10, DeadlineRule(end_of_day=time(17, 30)))
    assert got.due_at == sh("2026-06-11T17:30:00")


def test_days_deadline_into_an_unknown_year_is_refused():
    with pytest.raises(UnknownYear):
        dc.days_deadline(CAL, sh("2026-12-22T09:00:00"), 10)
    with pytest.raises(UnknownYear):
        dc.days_deadline(CAL, sh("2026-12-30T09:00:00"), 10, counted_from=D("2027-01-27"))


# ---- months ------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, result", [
    ("2026-06-10", 3, "2026-09-10"),
    ("2026-11-15", 2, "2027-01-15"),      # across the year
    ("2026-11-30", 3, "2027-02-28"),      # no 30 Feb: the month's last day
    ("2026-08-31", 6, "2027-02-28"),
    ("2026-10-31", 3, "2027-01-31"),      # a 31st that exists
    ("2026-03-31", 1, "2026-04-30"),
    ("2027-08-31", 6, "2028-02-29"),      # leap year 2028
    ("2027-11-30", 3, "2028-02-29"),
    ("2028-01-31", 1, "2028-02-29"),
    ("2028-02-29", 12, "2029-02-28"),
    ("2026-01-31", 12, "2027-01-31"),
])
def test_add_months(start, months, result):
    assert dc.add_months(D(start), months) == D(result)


@pytest.mark.parametrize("start, months, last", [
    # 社区矫正法 第29条: the first day counted, never past 3 months.
    ("2026-06-10", 3, "2026-09-09"),
    ("2026-06-10", 1, "2026-07-09"),
    ("2026-12-01", 3, "2027-02-28"),
    ("2027-12-01", 3, "2028-02-29"),
])
def test_monitor_until(start, months, last):
    assert dc.monitor_until(D(start), months) == D(last)


@pytest.mark.parametrize("months", [0, 4, -1])
def test_monitor_beyond_three_months_or_none_is_refused(months):
    with pytest.raises(ValueError, match="三个月|3个月"):
        dc.monitor_until(D("2026-06-10"), months)


def test_monitor_months_is_the_configured_limit():
    with pytest.raises(ValueError):
        dc.monitor_until(D("2026-06-10"), 3, Limits(monitor_months=2))
    assert dc.monitor_until(D("2026-06-10"), 2, Limits(monitor_months=2)) == D("2026-08-09")


# ---- the penalty ladder ------------------------------------------------------------------------

P, PA, CT, M = CorrType.PROBATION, CorrType.PAROLE, CorrType.CONTROL, CorrType.MEDICAL

# Facts → the step, and for each reason listed (in order) the words it must contain.
SUGGEST_CASES = [
    # 脱管: ≤ 10 days 训诫, > 10 警告 (实施办法 第34、35条), > 1 month 撤销/收监 (第46、49条).
    (Facts(P, absconded_days=1), Step.ADMONISH, [("脱离监管", "1 日", "未超过")]),
    (Facts(P, absconded_days=10), Step.ADMONISH, [("脱离监管", "10 日", "未超过")]),
    (Facts(P, absconded_days=11), Step.WARN, [("脱离监管", "11 日", "超过10日")]),
    (Facts(P, absconded_days=30), Step.WARN, [("30 日",)]),
    (Facts(P, absconded_days=31), Step.REVOKE, [("脱离监管", "31 日", "超过一个月")]),
    (Facts(PA, absconded_days=31), Step.REVOKE, [("31 日",)]),
    (Facts(M, absconded_days=31), Step.IMPRISON, [("31 日",)]),
    (Facts(CT, absconded_days=31), Step.PUBLIC_SECURITY, [("31 日",)]),
    (Facts(CT, absconded_days=30), Step.WARN, [("30 日",)]),
    (Facts(M, absconded_days=11), Step.WARN, [("11 日",)]),
    # Two 训诫 not corrected → 警告; one does nothing.
    (Facts(P, admonitions_uncorrected=1), None, []),
    (Facts(P, admonitions_uncorrected=2), Step.WARN, [("两次训诫", "2 次")]),
    (Facts(CT, admonitions_uncorrected=3), Step.WARN, [("两次训诫", "3 次")]),
    # Two 警告 not corrected → the kind's top step.
    (Facts(P, warnings_uncorrected=1), None, []),
    (Facts(P, warnings_uncorrected=2), Step.REVOKE, [("两次警告",)]),
    (Facts(PA, warnings_uncorrected=2), Step.REVOKE, [("两次警告",)]),
    (Facts(M, warnings_uncorrected=2), Step.IMPRISON, [("两次警告",)]),
    (Facts(CT, warnings_uncorrected=2), Step.PUBLIC_SECURITY, [("两次警告",)]),
    # 治安管理处罚 and still not corrected.
    (Facts(P, public_security_uncorrected=True), Step.REVOKE, [("治安管理处罚", "仍不改正")]),
    (Facts(M, public_security_uncorrected=True), Step.IMPRISON, [("治安管理处罚",)]),
    # 禁止令: light → 警告 (第35条), grave → 撤销 (第46条).
    (Facts(P, prohibition_breach=Gravity.LIGHT), Step.WARN, [("禁止令", "情节轻微")]),
    (Facts(P, prohibition_breach=Gravity.GRAVE), Step.REVOKE, [("禁止令", "情节严重")]),
    (Facts(CT, prohibition_breach=Gravity.GRAVE), Step.PUBLIC_SECURITY, [("禁止令", "情节严重")]),
    # 报告、会客、外出、迁居: light → 训诫, serious → 警告, grave → the top step.
    (Facts(P, rules_breach=Gravity.LIGHT), Step.ADMONISH, [("外出", "情节轻微")]),
    (Facts(P, rules_breach=Gravity.SERIOUS), Step.WARN, [("外出", "情节较重")]),
    (Facts(PA, rules_breach=Gravity.GRAVE), Step.REVOKE, [("外出", "情节严重")]),
    # Missed reports only → 训诫; with a rules breach recorded they are part of it (no second reason).
    (Facts(P, missed_checkins=2), Step.ADMONISH, [("未按规定报告", "2 次")]),
    (Facts(P, missed_checkins=2, rules_breach=Gravity.LIGHT), Step.ADMONISH, [("情节轻微",)]),
    # Nothing → nothing.
    (Facts(P), None, []),
    (Facts(CT), None, []),
    # Several facts: the highest step wins and lists every reason that reaches it, none below it.
    (Facts(P, absconded_days=15, admonitions_uncorrected=2, rules_breach=Gravity.LIGHT, missed_checkins=3),
     Step.WARN, [("15 日",), ("两次训诫",)]),
    (Facts(P, absconded_days=40, warnings_uncorrected=2, prohibition_breach=Gravity.GRAVE,
           rules_breach=Gravity.SERIOUS, admonitions_uncorrected=2),
     Step.REVOKE, [("40 日",), ("两次警告",), ("禁止令", "情节严重")]),
    (Facts(M, absconded_days=5, public_security_uncorrected=True, rules_breach=Gravity.SERIOUS),
     Step.IMPRISON, [("治安管理处罚",)]),
    (Facts(CT, absconded_days=3, prohibition_breach=Gravity.LIGHT, rules_breach=Gravity.LIGHT),
     Step.WARN, [("禁止令", "情节轻微")]),
]


@pytest.mark.parametrize("facts, step, reasons", SUGGEST_CASES)
def test_suggest(facts, step, reasons):
    got = dc.suggest(facts)
    assert got.step == step
    assert len(got.reasons) == len(reasons), got.reasons
    for text, words in zip(got.reasons, reasons, strict=True):
        for w in words:
            assert w in text, (w, text)


def test_suggest_reads_the_configured_day_counts():
    """An installation with a 5-day 训诫 threshold and a 20-day month: 6 days is 警告, 21 撤销."""
    limits = Limits(admonish_absconded_days=5, revoke_absconded_days=20)
    assert dc.suggest(Facts(P, absconded_days=5), limits).step == Step.ADMONISH
    assert dc.suggest(Facts(P, absconded_days=6), limits).step == Step.WARN
    assert dc.suggest(Facts(P, absconded_days=21), limits).step == Step.REVOKE


@pytest.mark.parametrize("kind, top", [(P, Step.REVOKE), (PA, Step.REVOKE), (M, Step.IMPRISON), (CT, None)])
def test_revoke_step(kind, top):
    assert dc.revoke_step(kind) == top


@pytest.mark.parametrize("kind, step, allowed", [
    (P, Step.REVOKE, True), (PA, Step.REVOKE, True), (M, Step.REVOKE, False), (CT, Step.REVOKE, False),
    (M, Step.IMPRISON, True), (P, Step.IMPRISON, False), (PA, Step.IMPRISON, False), (CT, Step.IMPRISON, False),
    (CT, Step.PUBLIC_SECURITY, True), (M, Step.WARN, True), (P, Step.ADMONISH, True), (CT, Step.PRAISE, True),
])
def test_step_allowed(kind, step, allowed):
    assert dc.step_allowed(kind, step) is allowed


@pytest.mark.parametrize("step, action", [
    # 表扬、训诫、警告 are the county agency's own decisions; the rest are proposals sent on.
    (Step.PRAISE, "decide"), (Step.ADMONISH, "decide"), (Step.WARN, "decide"),
    (Step.PUBLIC_SECURITY, "submit"), (Step.REVOKE, "submit"), (Step.IMPRISON, "submit"),
])
def test_decision_action(step, action):
    assert dc.decision_action(step) == action


# ---- leave (实施办法 第27、29条) ---------------------------------------------------------------------

T, R = LeaveKind.TRIP, LeaveKind.REGULAR


@pytest.mark.parametrize("req, authority", [
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-01")), Authority.TOWNSHIP),     # 1 day
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-07")), Authority.TOWNSHIP),     # 7 days: the 司法所
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-08")), Authority.COUNTY),       # 8 days: the county
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-30")), Authority.COUNTY),       # 30 days: still allowed
    (LeaveRequest(T, D("2026-12-28"), D("2027-01-05")), Authority.COUNTY),       # 9 days across the year
    # Per-year limits at their edge: the 6th leave, and 53 + 7 = 60 days.
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-03"), count_this_year=5), Authority.TOWNSHIP),
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-07"), days_this_year=53), Authority.TOWNSHIP),
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-30"), days_this_year=30), Authority.COUNTY),
    # 经常性跨市县活动: always the county, for up to 6 months (03-01..08-31), however short.
    (LeaveRequest(R, D("2026-03-01"), D("2026-03-03")), Authority.COUNTY),
    (LeaveRequest(R, D("2026-03-01"), D("2026-08-31")), Authority.COUNTY),
    (LeaveRequest(R, D("2026-03-15"), D("2026-09-14")), Authority.COUNTY),
    # ... and it is an approval, not a 请假外出: the per-trip and per-year counts do not apply.
    (LeaveRequest(R, D("2026-03-01"), D("2026-05-31"), days_this_year=60, count_this_year=6), Authority.COUNTY),
])
def test_leave_authority(req, authority):
    assert dc.leave_authority(req) == authority


@pytest.mark.parametrize("req, words", [
    (LeaveRequest(T, D("2026-06-01"), D("2026-07-01")), ("不得超过30日", "31 日")),          # 31 days
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-03"), count_this_year=6), ("6 次",)),      # a 7th leave
    (LeaveRequest(T, D("2026-06-01"), D("2026-06-07"), days_this_year=54), ("54 日", "7 日", "60")),
    (LeaveRequest(T, D("2026-06-02"), D("2026-06-01")), ("早于",)),                         # end before start
    (LeaveRequest(R, D("2026-06-02"), D("2026-06-01")), ("早于",)),
    (LeaveRequest(R, D("2026-03-01"), D("2026-09-01")), ("6个月",)),                        # one day past 6 months
    (LeaveRequest(R, D("2026-03-15"), D("2026-09-15")), ("6个月",)),
])
def test_leave_refused(req, words):
    with pytest.raises(LeaveRefused) as e:
        dc.leave_authority(req)
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_leave_days_counted_inclusive():
    assert LeaveRequest(T, D("2026-06-01"), D("2026-06-01")).days == 1
    assert LeaveRequest(T, D("2026-06-28"), D("2026-07-04")).days == 7


def test_leave_limits_are_configured():
    short = Limits(leave_township_days=3, leave_year_count=2, regular_months=3)
    assert dc.leave_authority(LeaveRequest(T, D("2026-06-01"), D("2026-06-03")), short) == Authority.TOWNSHIP
    assert dc.leave_authority(LeaveRequest(T, D("2026-06-01"), D("2026-06-04")), short) == Authority.COUNTY
    with pytest.raises(LeaveRefused):
        dc.leave_authority(LeaveRequest(T, D("2026-06-01"), D("2026-06-01"), count_this_year=2), short)
    with pytest.raises(LeaveRefused):
        dc.leave_authority(LeaveRequest(R, D("2026-03-01"), D("2026-06-01")), short)
    assert dc.leave_authority(LeaveRequest(R, D("2026-03-01"), D("2026-05-31")), short) == Authority.COUNTY


@pytest.mark.parametrize("authority, caps, ok", [
    (Authority.TOWNSHIP, {Cap.TOWNSHIP}, True),
    (Authority.TOWNSHIP, {Cap.COUNTY}, True),        # the county is the 司法所's superior
    (Authority.COUNTY, {Cap.TOWNSHIP}, False),       # a long leave is not the 司法所's
    (Authority.COUNTY, {Cap.COUNTY}, True),
    (Authority.COUNTY, {Cap.TOWNSHIP, Cap.COUNTY}, True),
    (Authority.TOWNSHIP, {Cap.PROSECUTOR}, False),   # prosecutors oversee, never decide
    (Authority.COUNTY, {Cap.PROSECUTOR}, False),
    (Authority.TOWNSHIP, {Cap.RECEIVING}, False),
    (Authority.TOWNSHIP, {Cap.SYSTEM}, False),
    (Authority.TOWNSHIP, set(), False),
])
def test_may_decide(authority, caps, ok):
    assert dc.may_decide(authority, caps) is ok


# ---- the supervision level from monthly scores --------------------------------------------------

ST, NO, LE = Level.STRICT, Level.NORMAL, Level.LENIENT


@pytest.mark.parametrize("current, scores, months_in, warned, level, words", [
    # The newest score below 60 tightens one level; 60 does not.
    (NO, [95, 95, 59], 6, False, ST, ("59", "60")),
    (NO, [95, 95, 60], 6, False, NO, ()),
    (LE, [59], 6, False, NO, ("59",)),                  # one level only: 宽管 → 普管, not 严管
    # Loosened after exactly 3 months in a row at or above 90.
    (ST, [90, 90, 90], 3, False, NO, ("3", "90")),
    (NO, [95, 92, 90], 6, False, LE, ("3", "90")),
    (NO, [90, 90], 6, False, NO, ()),                   # only 2 months so far
    (NO, [89, 90, 90], 6, False, NO, ()),               # an 89 in the window blocks
    (NO, [90, 89, 90], 6, False, NO, ()),
    (NO, [89, 90, 90, 90], 6, False, LE, ("90",)),      # ... and no longer once it left the window
    # A new subject is not loosened before new_subject_months (2).
    (ST, [95, 95, 95], 1, False, ST, ()),
    (ST, [95, 95, 95], 2, False, NO, ("90",)),
    # A 警告 this month tightens, whatever the scores; and blocks loosening.
    (NO, [95, 95, 95], 6, True, ST, ("警告",)),
    (LE, [95, 95, 95], 6, True, NO, ("警告",)),
    # The ends of the ladder: 严管 cannot be stricter, 宽管 cannot be looser.
    (ST, [40], 6, False, ST, ()),
    (ST, [95, 95, 40], 6, True, ST, ()),
    (ST, [95, 95, 95], 6, True, ST, ()),               # warned: no loosening either
    (LE, [100, 100, 100], 6, False, LE, ()),
    # No scores yet: the level stays.
    (ST, [], 0, False, ST, ()),
])
def test_level_review(current, scores, months_in, warned, level, words):
    got = dc.level_review(current, scores, months_in, warned)
    assert got.level == level
    assert got.changes is (level != current)
    for w in words:
        assert w in got.reason, (w, got.reason)


def test_level_review_reads_the_configured_numbers():
    limits = Limits(tighten_score=70, loosen_score=80, loosen_months=2, new_subject_months=6)
    assert dc.level_review(NO, [69], 12, False, limits).level == ST
    assert dc.level_review(NO, [70], 12, False, limits).level == NO
    assert dc.level_review(NO, [80, 80], 12, False, limits).level == LE
    assert dc.level_review(NO, [80, 80], 5, False, limits).level == NO      # before the 6th month
    assert dc.level_review(NO, [80, 80], 6, False, limits).level == LE


@pytest.mark.parametrize("level, due", [(ST, "2026-06-08"), (NO, "2026-06-15"), (LE, "2026-07-01")])
def test_next_due_by_level(level, due):
    assert dc.next_due(D("2026-06-01"), level, Limits().visit_every_days) == D(due)
    assert dc.next_due(D("2026-06-01"), level, Limits().report_every_days) == D(due)


# ---- counted facts ------------------------------------------------------------------------------

@pytest.mark.parametrize("since, until, now, days", [
    (None, None, datetime(2026, 6, 1, 4, tzinfo=UTC), 0),
    # One hour apart in UTC, but 06-01 23:30 and 06-02 00:30 in Shanghai: 2 days.
    (datetime(2026, 6, 1, 15, 30, tzinfo=UTC), None, datetime(2026, 6, 1, 16, 30, tzinfo=UTC), 2),
    # Different UTC dates (06-01, 06-02) but the same Shanghai date 06-02: 1 day.
    (datetime(2026, 6, 1, 16, 30, tzinfo=UTC), None, datetime(2026, 6, 2, 15, 0, tzinfo=UTC), 1),
    # Missing since yesterday: 2 days (the first day counted).
    (sh("2026-06-01T09:00:00"), None, sh("2026-06-02T08:00:00"), 2),
    # The 10 / 11-day edge of 训诫 / 警告: 06-01..06-10 is 10 days, 06-01..06-11 is 11.
    (sh("2026-06-01T09:00:00"), None, sh("2026-06-10T23:00:00"), 10),
    (sh("2026-06-01T09:00:00"), None, sh("2026-06-11T00:10:00"), 11),
    # Found again: counted to the day it ended, not to today.
    (sh("2026-06-01T09:00:00"), sh("2026-06-05T12:00:00"), sh("2026-09-01T12:00:00"), 5),
    (datetime(2026, 6, 1, 15, 30, tzinfo=UTC), datetime(2026, 6, 5, 16, 30, tzinfo=UTC),
     datetime(2026, 9, 1, tzinfo=UTC), 6),
])
def test_absconded_days(since, until, now, days):
    assert dc.absconded_days(since, until, now) == days


def test_absconded_days_feed_the_ladder_at_the_edge():
    since = sh("2026-06-01T09:00:00")
    ten = dc.absconded_days(since, None, sh("2026-06-10T23:00:00"))
    eleven = dc.absconded_days(since, None, sh("2026-06-11T00:10:00"))
    assert dc.suggest(Facts(P, absconded_days=ten)).step == Step.ADMONISH
    assert dc.suggest(Facts(P, absconded_days=eleven)).step == Step.WARN


@pytest.mark.parametrize("active_from, active_until, at, usable", [
    (None, None, "2026-06-10", False),
    ("2026-06-10", None, "2026-06-10", False),
    ("2026-06-10", "2026-09-09", "2026-06-09", False),
    ("2026-06-10", "2026-09-09", "2026-06-10", True),
    ("2026-06-10", "2026-09-09", "2026-09-09", True),
    ("2026-06-10", "2026-09-09", "2026-09-10", False),
])
def test_position_usable(active_from, active_until, at, usable):
    def day(s):
        return s and D(s)
    assert dc.position_usable(day(active_from), day(active_until), D(at)) is usable


@pytest.mark.parametrize("kind, days", [(dc.OversightKind.SUGGESTION, 60), (dc.OversightKind.CORRECTION, 15)])
def test_answer_days(kind, days):
    assert dc.answer_days(kind) == days


# ---- configuration ------------------------------------------------------------------------------

def test_the_default_limits_are_lawful():
    assert dc.limit_problems(Limits()) == []


@pytest.mark.parametrize("change, words", [
    ({"report_days": 11}, "report_days"),
    ({"report_days": 0}, "report_days"),
    ({"monitor_months": 4}, "monitor_months"),
    ({"monitor_months": 0}, "monitor_months"),
    ({"leave_township_days": 31}, "leave_township_days"),      # above leave_max_days (30)
    ({"leave_township_days": 0}, "leave_township_days"),
    ({"tighten_score": 90}, "tighten_score"),                  # equal to loosen_score
    ({"loosen_score": 101}, "loosen_score"),
])
def test_limit_problems(change, words):
    problems = dc.limit_problems(replace(Limits(), **change))
    assert len(problems) == 1 and words in problems[0], problems


@pytest.mark.parametrize("change", [
    {"report_days": 10}, {"report_days": 1}, {"monitor_months": 3}, {"monitor_months": 1},
    {"leave_township_days": 30}, {"leave_township_days": 1}, {"tighten_score": 89}, {"loosen_score": 100},
])
def test_limits_at_their_edges_are_lawful(change):
    assert dc.limit_problems(replace(Limits(), **change)) == []


def test_limits_from():
    assert dc.limits_from(None) == Limits()
    assert dc.limits_from({}) == Limits()
    got = dc.limits_from({"report_days": 7, "leave_year_count": 4, "no_such_limit": 1, "visit_every_days": {
        "strict": 3, "normal": 10, "lenient": 20}})
    assert got.report_days == 7 and got.leave_year_count == 4
    assert got.visit_every_days == {"strict": 3, "normal": 10, "lenient": 20}
    assert not hasattr(got, "no_such_limit")
    assert got.leave_max_days == 30 and got.monitor_months == 3 and got.report_every_days["normal"] == 14


def test_limits_from_does_not_share_the_default_dicts():
    """Two installations' limits are independent (a mutable default shared would leak a change)."""
    a, b = dc.limits_from(None), dc.limits_from(None)
    a.visit_every_days["strict"] = 1
    assert b.visit_every_days["strict"] == 7


# ---- the transition tables, pinned --------------------------------------------------------------
# Grid format as test_tables_pinned: sources, target ("-" = recorded, the status stays), capacities,
# whether a reason is required.  Written by hand from the law: the 司法所 and the county work the file,
# the county alone decides levels, transfers, releases and sanctions, the head alone approves
# positioning, the receiving county accepts a transfer, and the prosecutor writes only oversight.

OPEN = "notified,reported,active,absconded,transferring"
SUBJ = f"""
action          sources                      target        capacities       reason
documents       notified,reported,active     -             township,county  no
documents_late  notified,reported,active     -             system           no
report_in       notified                     reported      township,county  no
team            reported,active              -             township,county  no
plan            reported,active              -             township,county  no
announce        reported                     active        township,county  no
level           active                       -             county           yes
score           active,absconded             -             township,county  no
schedule        active                       -             township,county  no
checkin         active                       -             township,county  no
checkin_missed  active,absconded             -             system           no
visit           active,absconded             -             township,county  no
activity        active                       -             township,county  no
unreachable     active                       -             township,county  yes
abscond         active                       absconded     township,county  yes
found           absconded                    active        township,county  no
transfer_out    active                       transferring  county           yes
transfer_in     transferring                 active        receiving        no
transfer_refuse transferring                 active        receiving        yes
release         active                       released      county           no
terminate       {OPEN}                       terminated    county           yes
note            {OPEN}                       -             township,county  no
sla_yellow      notified,reported,absconded,transferring  -  system         no
sla_red         notified,reported,absconded,transferring  -  system         no
"""
SANCTION = """
action      sources    target     capacities       reason
decide      proposed   decided    county           no
submit      proposed   submitted  county           no
reject      proposed   cancelled  county           yes
adopt       submitted  adopted    county           no
decline     submitted  declined   county           yes
correct     decided    corrected  township,county  yes
sla_yellow  proposed   -          system           no
sla_red     proposed   -          system           no
"""
LEAVE = """
action      sources             target     capacities       reason
approve     submitted           approved   township,county  no
refuse      submitted           refused    township,county  yes
return      approved            returned   township,county  no
withdraw    submitted           withdrawn  township,county,system  yes
sla_yellow  submitted,approved  -          system           no
sla_red     submitted,approved  -          system           no
"""
MONITOR = """
action      sources   target   capacities          reason
approve     proposed  active   head                no
refuse      proposed  refused  head                yes
renew       active    active   head                yes
end         active    ended    county,head,system  yes
sla_yellow  active    -        system              no
sla_red     active    -        system              no
"""
OVERSIGHT = """
action      sources   target    capacities  reason
answer      issued    answered  county      no
accept      answered  closed    prosecutor  no
reopen      answered  issued    prosecutor  yes
sla_yellow  issued    -         system      no
sla_red     issued    -         system      no
"""
CAPS = ("township", "county", "receiving", "head", "prosecutor", "system")

# kind → (grid, statuses, actions (every member of the enum; those outside the grid are the creating
# action, written by its own code path), the enums, the table, the clock tables, the creating action
# → the status a new case starts in).
TABLES = {
    "subject": (SUBJ,
                ("notified", "reported", "active", "absconded", "transferring", "released", "terminated"),
                ("receive", "documents", "documents_late", "report_in", "team", "plan", "announce", "level", "score",
                 "schedule", "checkin", "checkin_missed", "visit", "activity", "unreachable", "abscond", "found",
                 "transfer_out", "transfer_in", "transfer_refuse", "release", "terminate", "note", "sla_yellow",
                 "sla_red"),
                dc.SubjStatus, dc.SubjAction, "SUBJ", ("receive", "notified")),
    "sanction": (SANCTION, ("proposed", "decided", "submitted", "adopted", "declined", "cancelled", "corrected"),
                 ("propose", "decide", "submit", "reject", "adopt", "decline", "correct", "sla_yellow", "sla_red"),
                 dc.SanctionStatus, dc.SanctionAction, "SANCTION", ("propose", "proposed")),
    "leave": (LEAVE, ("submitted", "approved", "refused", "returned", "withdrawn"),
              ("apply", "approve", "refuse", "return", "withdraw", "sla_yellow", "sla_red"),
              dc.LeaveStatus, dc.LeaveAction, "LEAVE", ("apply", "submitted")),
    "monitor": (MONITOR, ("proposed", "active", "refused", "ended"),
                ("propose", "approve", "refuse", "renew", "end", "sla_yellow", "sla_red"),
                dc.MonitorStatus, dc.MonitorAction, "MONITOR", ("propose", "proposed")),
    "oversight": (OVERSIGHT, ("issued", "answered", "closed"),
                  ("issue", "answer", "accept", "reopen", "sla_yellow", "sla_red"),
                  dc.OversightStatus, dc.OversightAction, "OVERSIGHT", ("issue", "issued")),
}


def _table(kind):
    return getattr(dc, f"{TABLES[kind][5]}_TRANSITIONS")


@pytest.mark.parametrize("kind", TABLES)
def test_the_enums_are_the_ones_written_here(kind):
    grid, statuses, actions, status_enum, action_enum, *_ = TABLES[kind]
    assert {s.value for s in status_enum} == set(statuses)
    assert {a.value for a in action_enum} == set(actions)
    assert set(parse(grid)) <= set(actions)
    assert {c.value for c in Cap} == set(CAPS)


@pytest.mark.parametrize("kind", TABLES)
def test_the_rows_as_written(kind):
    written = parse(TABLES[kind][0])
    got = {str(a): (frozenset(map(str, r.sources)), None if r.target is None else str(r.target),
                    frozenset(map(str, r.capacities)), r.needs_reason) for a, r in _table(kind).items()}
    assert got == written


def _expected(written, status, action, cap, reason):
    row = written.get(action)
    if row is None or status not in row[0]:
        return "TransitionError"
    sources, target, caps, needs_reason = row
    if cap not in caps:
        return "CapacityError"
    if needs_reason and not reason.strip():
        return "ReasonRequired"
    return target or status


@pytest.mark.parametrize("kind", TABLES)
def test_every_status_action_and_capacity_through_transition(kind):
    """Through the engine's public ``transition``: what each call must answer, from the grid."""
    grid, statuses, actions, status_enum, action_enum, *_ = TABLES[kind]
    written, table, wrong = parse(grid), _table(kind), []
    for status in statuses:
        for action in actions:
            for cap in CAPS:
                for reason in ("", " ", "理由"):
                    want = _expected(written, status, action, cap, reason)
                    try:
                        got = str(transition(action_enum(action), status_enum(status), {Cap(cap)}, reason,
                                             table=table))
                    except (TransitionError, CapacityError, ReasonRequired) as e:
                        got = type(e).__name__
                    if got != want:
                        wrong.append(f"{action} from {status} as {cap} reason={reason!r}: {got}, expected {want}")
    assert wrong == []


@pytest.mark.parametrize("kind", ["subject", "sanction", "leave", "monitor"])
def test_a_prosecutor_only_reads_the_agencys_files(kind):
    """社区矫正法 第8条: the procuratorate oversees; it takes no step on a file, a leave, a sanction or
    a positioning — and is offered no button on any of them."""
    grid, statuses, _, status_enum, *_ = TABLES[kind]
    assert all(Cap.PROSECUTOR not in r.capacities for r in _table(kind).values())
    for status in statuses:
        assert allowed_actions(status_enum(status), {Cap.PROSECUTOR}, table=_table(kind)) == []


def test_a_prosecutor_writes_only_the_oversights_review():
    rows = dc.OVERSIGHT_TRANSITIONS
    assert {str(a) for a, r in rows.items() if Cap.PROSECUTOR in r.capacities} == {"accept", "reopen"}
    assert rows[dc.OversightAction.ANSWER].capacities == {Cap.COUNTY}   # the agency answers, not the prosecutor


def test_only_the_head_approves_positioning():
    rows = dc.MONITOR_TRANSITIONS
    for action in ("approve", "refuse", "renew"):
        assert rows[dc.MonitorAction(action)].capacities == {Cap.HEAD}, action
    assert {str(a) for a, r in rows.items() if r.target == dc.MonitorStatus.ACTIVE} == {"approve", "renew"}


def test_only_the_county_decides_sanctions():
    rows = dc.SANCTION_TRANSITIONS
    for action in ("decide", "submit", "reject", "adopt", "decline"):
        assert rows[dc.SanctionAction(action)].capacities == {Cap.COUNTY}, action
    # No one else moves a proposal out of 待审批.
    assert all(r.capacities <= {Cap.COUNTY, Cap.SYSTEM} for r in rows.values()
               if dc.SanctionStatus.PROPOSED in r.sources)


def test_the_system_only_flags_or_records():
    """The sweep raises flags and records what a date made true; the statuses the system changes are
    ending a positioning (its period ran out, or the file ended) and withdrawing a leave still
    waiting when the file ends."""
    changes = {(kind, str(action)) for kind in TABLES for action, r in _table(kind).items()
               if Cap.SYSTEM in r.capacities and r.target is not None}
    assert changes == {("monitor", "end"), ("leave", "withdraw")}


# ---- clocks -------------------------------------------------------------------------------------
# clock → the statuses it runs in; action → the clock it starts ("stop" = it stops the clock);
# actions not written keep whatever clock runs.
CLOCKS = {
    "subject": ({"report": {"notified"}, "announce": {"reported"}, "search": {"absconded"},
                 "transfer": {"transferring"}},
                {"receive": "report", "report_in": "announce", "announce": "stop", "abscond": "search",
                 "found": "stop", "transfer_out": "transfer", "transfer_in": "stop", "transfer_refuse": "stop",
                 "release": "stop", "terminate": "stop"}),
    "sanction": ({"decide": {"proposed"}},
                 {"propose": "decide", "decide": "stop", "submit": "stop", "reject": "stop"}),
    "leave": ({"decide": {"submitted"}, "return": {"approved"}},
              {"apply": "decide", "approve": "return", "refuse": "stop", "return": "stop", "withdraw": "stop"}),
    "monitor": ({"period": {"active"}},
                {"approve": "period", "renew": "period", "refuse": "stop", "end": "stop"}),
    "oversight": ({"answer": {"issued"}},
                  {"issue": "answer", "reopen": "answer", "answer": "stop"}),
}


def _clock_kind(kind, **change):
    prefix = TABLES[kind][5]
    out = SimpleNamespace(TRANSITIONS=getattr(dc, f"{prefix}_TRANSITIONS"),
                          CLOCK_EFFECTS=getattr(dc, f"{prefix}_CLOCK_EFFECTS"),
                          CLOCK_RUNS_IN=getattr(dc, f"{prefix}_CLOCK_RUNS_IN"))
    for k, v in change.items():
        setattr(out, k, v)
    return out


@pytest.mark.parametrize("kind", CLOCKS)
def test_clock_tables_pinned(kind):
    runs_in, effects = CLOCKS[kind]
    k = _clock_kind(kind)
    assert {c.value: {s.value for s in ss} for c, ss in k.CLOCK_RUNS_IN.items()} == runs_in
    assert {a.value: (c.value if c is not None else "stop") for a, c in k.CLOCK_EFFECTS.items()} == effects


@pytest.mark.parametrize("kind", CLOCKS)
def test_every_allowed_step_leaves_the_clock_its_target_status_runs(kind):
    assert disagreements(_clock_kind(kind)) == []


@pytest.mark.parametrize("kind", CLOCKS)
def test_a_new_case_starts_the_clock_of_its_first_status(kind):
    """The creating action (not a row of the table) starts the clock that runs where the case begins."""
    action, first = TABLES[kind][6]
    runs_in, effects = CLOCKS[kind]
    started = effects.get(action)
    assert {c for c, ss in runs_in.items() if first in ss} == ({started} if started else set())
    k = _clock_kind(kind)
    after = k.CLOCK_EFFECTS.get(TABLES[kind][4](action))
    assert (after.value if after is not None else None) == started


@pytest.mark.parametrize("kind", CLOCKS)
def test_the_sweep_flags_exactly_where_a_clock_runs(kind):
    runs_in, _ = CLOCKS[kind]
    clocked = set().union(*runs_in.values())
    for flag in ("sla_yellow", "sla_red"):
        assert parse(TABLES[kind][0])[flag][0] == clocked, (kind, flag)


@pytest.mark.parametrize("kind, drop, words", [
    # 认定脱管 forgetting to start the search: 脱管 would run no clock.
    ("subject", "abscond", "abscond from active: clock None but absconded runs search"),
    # 恢复监管 forgetting to stop it: the search would run on into 在矫.
    ("subject", "found", "found from absconded: clock search but active runs None"),
    # 批准 forgetting the return clock.
    ("leave", "approve", "approve from submitted: clock decide but approved runs return"),
    # 不认可回复 forgetting to restart the answer clock.
    ("oversight", "reopen", "reopen from answered: clock None but issued runs answer"),
])
def test_a_clock_effect_removed_is_caught(kind, drop, words):
    k = _clock_kind(kind)
    effects = {a: c for a, c in k.CLOCK_EFFECTS.items() if a != drop}
    assert words in disagreements(_clock_kind(kind, CLOCK_EFFECTS=effects))


def test_a_subject_report_row_spot_check():
    """A few cells read back through the engine, so a misparsed grid cannot pass silently."""
    t = dc.SUBJ_TRANSITIONS
    S, A = dc.SubjStatus, dc.SubjAction
    assert transition(A.REPORT_IN, S.NOTIFIED, {Cap.TOWNSHIP}, table=t) == S.REPORTED
    assert transition(A.ABSCOND, S.ACTIVE, {Cap.COUNTY}, "查找未果", table=t) == S.ABSCONDED
    with pytest.raises(TransitionError):      # never reported: the red 报到 clock, not 脱管
        transition(A.ABSCOND, S.NOTIFIED, {Cap.COUNTY}, "逾期未报到", table=t)
    with pytest.raises(TransitionError):
        transition(A.ANNOUNCE, S.NOTIFIED, {Cap.COUNTY}, table=t)        # 宣告 after 报到 only
    with pytest.raises(CapacityError):
        transition(A.TRANSFER_IN, S.TRANSFERRING, {Cap.COUNTY}, table=t)  # the receiving county accepts
    with pytest.raises(ReasonRequired):
        transition(A.LEVEL, S.ACTIVE, {Cap.COUNTY}, "  ", table=t)
    with pytest.raises(CapacityError):
        transition(A.LEVEL, S.ACTIVE, {Cap.TOWNSHIP}, "x", table=t)       # the county sets the level

