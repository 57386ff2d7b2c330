"""domain.duties from written-out tables: 2026's calendar (Spring Festival and its 调休 Saturdays),
a worker who changes grid mid-month, a house that becomes vacant, the 对账销号 evidence rules."""
from datetime import date, datetime

import pytest

from gongzhi.domain import duties as dd
from gongzhi.domain.calendar import SHANGHAI, WorkCalendar, YearSpec
from gongzhi.domain.duties import Assignment, Duty, Frequency as F, Member, ObjectKind as O

# 2027 is not built in (chinesecalendar stops at 2026): December's last week reaches into it, so
# the tests enter its New Year's Day as an admin would.
CAL = WorkCalendar(years={2027: YearSpec(2027, holidays=frozenset({date(2027, 1, 1)}))})
D = date


def _due(specs):
    return [s.due_on for s in specs]


# February 2026: 春节 15–23 off; Saturdays 14 and 28 are worked (调休, DESIGN.md).
@pytest.mark.parametrize("freq, workdays_only, expected", [
    # Weeks Mon–Sun belonging to February by their Thursday: 2–8, 9–15, 16–22, 23–Mar 1.
    (F.WEEKLY, True, [D(2026, 2, 6), D(2026, 2, 14), D(2026, 2, 28)]),   # 16–22: no working day
    (F.WEEKLY, False, [D(2026, 2, 8), D(2026, 2, 15), D(2026, 2, 22), D(2026, 3, 1)]),
    (F.MONTHLY, True, [D(2026, 2, 28)]),                                  # a make-up Saturday
    (F.MONTHLY, False, [D(2026, 2, 28)]),
])
def test_due_days_of_february_2026(freq, workdays_only, expected):
    duty = Duty(1, O.GRID, freq, workdays_only)
    specs = dd.generate(duty, [10], [Assignment(7, 10, D(2026, 1, 1))], [], CAL, 2026, 2)
    assert _due(specs) == expected


def test_daily_patrol_on_the_working_days_of_february_2026():
    specs = dd.generate(Duty(1, O.GRID, F.DAILY, True), [10], [Assignment(7, 10, D(2026, 1, 1))], [], CAL, 2026, 2)
    days = [s.due_on.day for s in specs]
    assert days == [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28]
    every_day = dd.generate(Duty(1, O.GRID, F.DAILY, False), [10], [Assignment(7, 10, D(2026, 1, 1))], [],
                            CAL, 2026, 2)
    assert len(every_day) == 28


def test_a_week_across_two_months_is_asked_once_in_the_month_of_its_thursday():
    # Mon 2026-11-30 … Sun 12-06: Thursday 12-03 is December's.
    assert dd.windows(F.WEEKLY, 2026, 11)[-1] == (D(2026, 11, 23), D(2026, 11, 29))
    assert dd.windows(F.WEEKLY, 2026, 12)[0] == (D(2026, 11, 30), D(2026, 12, 6))
    # Mon 2026-12-28 … Sun 2027-01-03: Thursday 12-31 → December.
    assert dd.windows(F.WEEKLY, 2026, 12)[-1] == (D(2026, 12, 28), D(2027, 1, 3))


def test_national_day_2026_week():
    # Mon 10-05 … Sun 10-11: 5–7 off, 8, 9 worked, Saturday 10 worked (调休), 11 off → due Saturday 10.
    specs = dd.generate(Duty(1, O.GRID, F.WEEKLY, True), [10], [Assignment(7, 10, D(2026, 1, 1))], [], CAL, 2026, 10)
    # The first week is Mon 09-28 … Sun 10-04 (its Thursday is 10-01): due Wednesday 09-30.
    assert _due(specs) == [D(2026, 9, 30), D(2026, 10, 10), D(2026, 10, 16), D(2026, 10, 23), D(2026, 10, 30)]


def test_a_worker_who_changes_grid_mid_month():
    # Worker 7 holds grid 10 until 12-15 and grid 20 from 12-16; worker 8 takes grid 10 from 12-16.
    a = [Assignment(7, 10, D(2026, 1, 1), D(2026, 12, 15)), Assignment(7, 20, D(2026, 12, 16)),
         Assignment(8, 10, D(2026, 12, 16))]
    daily = dd.generate(Duty(1, O.GRID, F.DAILY, True), [10, 20], a, [], CAL, 2026, 12)
    got = {(s.worker, s.grid): [x.due_on.day for x in daily if (x.worker, x.grid) == (s.worker, s.grid)]
           for s in daily}
    assert got == {(7, 10): [1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15],
                   (7, 20): [16, 17, 18, 21, 22, 23, 24, 25, 28, 29, 30, 31],
                   (8, 10): [16, 17, 18, 21, 22, 23, 24, 25, 28, 29, 30, 31]}
    # The monthly check (due 12-31) is the holder's on that day: worker 8 in grid 10, 7 in grid 20.
    monthly = dd.generate(Duty(2, O.GRID, F.MONTHLY, True), [10, 20], a, [], CAL, 2026, 12)
    assert [(s.worker, s.grid, s.due_on) for s in monthly] == [(8, 10, D(2026, 12, 31)), (7, 20, D(2026, 12, 31))]
    # The week 12-14 … 12-20 is due Friday 18: the new holders'.
    weekly = dd.generate(Duty(3, O.GRID, F.WEEKLY, True), [10], a, [], CAL, 2026, 12)
    assert [(s.worker, s.due_on.day) for s in weekly] == [(7, 4), (7, 11), (8, 18), (8, 25), (8, 31)]


def test_a_grid_left_without_a_successor_gives_the_task_to_its_last_holder_by_their_last_day():
    a = [Assignment(7, 10, D(2026, 1, 1), D(2026, 12, 15))]        # nobody from 12-16
    monthly = dd.generate(Duty(2, O.GRID, F.MONTHLY, True), [10], a, [], CAL, 2026, 12)
    assert [(s.worker, s.due_on) for s in monthly] == [(7, D(2026, 12, 15))]
    # 12-19 … 12-20 is a weekend: their last working day is Friday 12-18.
    a = [Assignment(7, 10, D(2026, 1, 1), D(2026, 12, 20))]
    assert [s.due_on for s in dd.generate(Duty(2, O.GRID, F.MONTHLY, True), [10], a, [], CAL, 2026, 12)] == \
        [D(2026, 12, 18)]
    assert dd.generate(Duty(2, O.GRID, F.MONTHLY, True), [10], [], [], CAL, 2026, 12) == []


def test_a_house_that_becomes_vacant_has_no_more_fire_checks():
    # House 1 rented all along; house 2 rented until 12-09 (vacant from 12-10); house 3 from 12-20.
    houses = [Member(O.RENTED_HOUSE, 1, 10, D(2025, 1, 1)),
              Member(O.RENTED_HOUSE, 2, 10, D(2025, 1, 1), D(2026, 12, 9)),
              Member(O.RENTED_HOUSE, 3, 10, D(2026, 12, 20))]
    a = [Assignment(7, 10, D(2026, 1, 1))]
    monthly = dd.generate(Duty(5, O.RENTED_HOUSE, F.MONTHLY, True), [10], a, houses, CAL, 2026, 12)
    assert [(s.object_id, s.due_on) for s in monthly] == [(1, D(2026, 12, 31)), (3, D(2026, 12, 31))]
    weekly = dd.generate(Duty(5, O.RENTED_HOUSE, F.WEEKLY, True), [10], a, houses, CAL, 2026, 12)
    assert [(s.object_id, s.due_on.day) for s in weekly] == [
        (1, 4), (2, 4), (1, 11), (1, 18), (1, 25), (3, 25), (1, 31), (3, 31)]
    # Edge: vacant from the due day itself → no check that week; vacant the day after → still one.
    edge = [Member(O.RENTED_HOUSE, 4, 10, D(2025, 1, 1), D(2026, 12, 10)),
            Member(O.RENTED_HOUSE, 5, 10, D(2025, 1, 1), D(2026, 12, 11))]
    weekly = dd.generate(Duty(5, O.RENTED_HOUSE, F.WEEKLY, True), [10], a, edge, CAL, 2026, 12)
    assert [(s.object_id, s.due_on.day) for s in weekly] == [(4, 4), (5, 4), (5, 11)]


def test_special_groups_filter_and_the_grid_of_the_object():
    people = [Member(O.SPECIAL_PERSON, 1, 10, D(2025, 1, 1), group="correction"),
              Member(O.SPECIAL_PERSON, 2, 10, D(2025, 1, 1), group="mental"),
              Member(O.SPECIAL_PERSON, 3, 20, D(2025, 1, 1), group="correction")]
    a = [Assignment(7, 10, D(2026, 1, 1)), Assignment(8, 20, D(2026, 1, 1))]
    only = dd.generate(Duty(6, O.SPECIAL_PERSON, F.MONTHLY, True, frozenset({"correction"})), [10, 20], a, people,
                       CAL, 2026, 12)
    assert [(s.worker, s.object_id) for s in only] == [(7, 1), (8, 3)]
    every = dd.generate(Duty(6, O.SPECIAL_PERSON, F.MONTHLY, True), [10], a, people, CAL, 2026, 12)
    assert [(s.worker, s.object_id) for s in every] == [(7, 1), (7, 2)]


def test_deadlines():
    assert dd.due_at(D(2026, 2, 14)) == datetime(2026, 2, 14, 23, 59, 59, tzinfo=SHANGHAI)
    assert dd.warn_at(D(2026, 2, 14), F.DAILY) == datetime(2026, 2, 14, 16, 0, tzinfo=SHANGHAI)
    assert dd.warn_at(D(2026, 2, 14), F.WEEKLY) == datetime(2026, 2, 14, 0, 0, tzinfo=SHANGHAI)
    # Carried over on Friday 02-13 for 2 working days: Saturday 14 (worked), then 24 (after 春节).
    assert dd.carry_due(CAL, D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert dd.carry_due(CAL, D(2026, 2, 13), 1) == D(2026, 2, 14)
    due = dd.due_at(D(2026, 2, 14))
    assert dd.on_time(due, due) is True
    assert dd.on_time(datetime(2026, 2, 15, 0, 0, tzinfo=SHANGHAI), due) is False
    assert dd.on_time(None, due) is False


@pytest.mark.parametrize("photo, gps, checklist, ev, expected", [
    (False, False, (), dd.Evidence(), []),
    (True, False, (), dd.Evidence(), ["须上传现场照片"]),
    (True, False, (), dd.Evidence(photos=1), []),
    (False, True, (), dd.Evidence(), ["须提供定位（请打开手机定位）"]),
    (False, True, (), dd.Evidence(inside_grid=False), ["定位不在本网格范围内"]),
    (False, True, (), dd.Evidence(inside_grid=True), []),
    (False, False, ("消防器材", "电线"), dd.Evidence(checked=frozenset({"电线"})), ["检查项未完成：消防器材"]),
    (True, True, ("消防器材",), dd.Evidence(1, True, frozenset({"消防器材", "多余"})), []),
])
def test_evidence_rules(photo, gps, checklist, ev, expected):
    assert dd.evidence_problems(dd.EvidenceRule(photo, gps, checklist), ev) == expected


def test_the_task_table():
    T, A, C = dd.TaskStatus, dd.TaskAction, dd.Cap
    assert dd.TRANSITIONS[A.COMPLETE].sources == {T.TODO, T.MISSED} and dd.TRANSITIONS[A.COMPLETE].target is T.DONE
    assert dd.TRANSITIONS[A.COMPLETE].capacities == {C.WORKER}
    assert dd.TRANSITIONS[A.CARRY_OVER].needs_reason
    assert dd.TRANSITIONS[A.CARRY_OVER].capacities == {C.WORKER, C.MANAGER}
    assert dd.TRANSITIONS[A.MISS].capacities == {C.SYSTEM} and dd.TRANSITIONS[A.MISS].target is T.MISSED
    assert dd.TRANSITIONS[A.REPORT_FINDING].target is None
    assert dd.TRANSITIONS[A.REPORT_FINDING].sources == {T.TODO, T.DONE}


def test_the_clock_table_agrees_with_the_transition_table():
    from tests.domain.test_clock_effects import disagreements
    assert disagreements(dd) == []


@pytest.mark.parametrize("done, received, ok", [
    (datetime(2026, 11, 2, 22, tzinfo=SHANGHAI), datetime(2026, 11, 5, 22, tzinfo=SHANGHAI), True),    # 72 h
    (datetime(2026, 11, 2, 22, tzinfo=SHANGHAI), datetime(2026, 11, 5, 22, 0, 1, tzinfo=SHANGHAI), False),
    (datetime(2026, 11, 2, 23, 59, 59, tzinfo=SHANGHAI), datetime(2026, 11, 3, 8, tzinfo=SHANGHAI), True),
    (datetime(2026, 11, 3, 0, 0, tzinfo=SHANGHAI), datetime(2026, 11, 3, 8, tzinfo=SHANGHAI), False),
])
def test_a_late_sync_of_a_completion_done_in_time(done, received, ok):
    deadline = datetime(2026, 11, 2, 23, 59, 59, tzinfo=SHANGHAI)
    assert dd.late_sync_ok(done, deadline, received, 72) is ok


def test_a_year_nobody_entered_is_refused_not_guessed():
    from gongzhi.domain.calendar import UnknownYear
    with pytest.raises(UnknownYear):
        dd.generate(Duty(1, O.GRID, F.WEEKLY, True), [10], [Assignment(7, 10, D(2026, 1, 1))], [], WorkCalendar(),
                    2026, 12)
