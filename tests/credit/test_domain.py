"""信用档案 rules from written-out tables: validity edges, weights, caps, clamps, levels, withdrawals,
repairs, scenes, the repair waiting period, maker-checker and the tables' shapes."""
from datetime import date

import pytest

from gongzhi.domain import credit as dc
from gongzhi.domain.credit import BehaviourClass as K, EntryKind as EK, Level as L, Rules, score

TODAY = date(2026, 11, 2)
ENTRY, WITHDRAWAL, REPAIR = EK.ENTRY, EK.WITHDRAWAL, EK.REPAIR


def f(i, points, klass=K.ENVIRONMENT, start=date(2026, 10, 1), until=None, kind=ENTRY, reverses=None):
    return dc.Fact(i, kind, klass, points, start, until, reverses)


# (facts, expected hundredths, expected level) — default rules: base 100, public order × 150 %,
# civic × 50 %, volunteer capped at 30, neighbourly at 20, civic at 10; A ≥ 120, B ≥ 100, C ≥ 80.
CASES = [
    ("nothing: the base", [], 10000, L.B),
    ("one positive", [f(1, 5)], 10500, L.B),
    ("valid until today still counts", [f(1, 5, until=TODAY)], 10500, L.B),
    ("valid until yesterday is gone", [f(1, 5, until=date(2026, 11, 1))], 10000, L.B),
    ("starting today counts", [f(1, 5, start=TODAY)], 10500, L.B),
    ("starting tomorrow does not", [f(1, 5, start=date(2026, 11, 3))], 10000, L.B),
    ("public order weighs 150 %", [f(1, -10, K.PUBLIC_ORDER)], 8500, L.C),
    ("civic weighs 50 %, half points kept", [f(1, 3, K.CIVIC)], 10150, L.B),
    ("volunteer exactly at the cap", [f(1, 20, K.VOLUNTEER), f(2, 10, K.VOLUNTEER)], 13000, L.A),
    ("volunteer over the cap held at it", [f(1, 25, K.VOLUNTEER), f(2, 10, K.VOLUNTEER)], 13000, L.A),
    ("cap is on the class's sum, a deduction in it counts first",
     [f(1, 40, K.VOLUNTEER), f(2, -15, K.VOLUNTEER)], 12500, L.A),
    ("negative never capped", [f(1, -45, K.VOLUNTEER)], 5500, L.D),
    ("exactly 120 is A", [f(1, 20, K.HONOUR)], 12000, L.A),
    ("119.5 is B (thresholds on the exact score)", [f(1, 19, K.HONOUR), f(2, 1, K.CIVIC)], 11950, L.B),
    ("exactly 80 is C", [f(1, -20)], 8000, L.C),
    ("79.5 is D", [f(1, -20), f(2, -1, K.CIVIC)], 7950, L.D),
    ("floor 0", [f(1, -90, K.PUBLIC_ORDER)], 0, L.D),
    ("ceiling 200", [f(1, 150, K.HONOUR)], 20000, L.A),
    ("a withdrawn entry does not count", [f(1, -20), f(2, 0, kind=WITHDRAWAL, reverses=1)], 10000, L.B),
    ("a repair compensates its entry", [f(1, -20), f(2, 20, kind=REPAIR, reverses=1, start=TODAY)], 10000, L.B),
    ("a repair of a withdrawn entry counts for nothing",
     [f(1, -20), f(2, 0, kind=WITHDRAWAL, reverses=1), f(3, 20, kind=REPAIR, reverses=1)], 10000, L.B),
    ("a repair of an expired entry counts for nothing",
     [f(1, -20, until=date(2026, 10, 31)), f(2, 20, kind=REPAIR, reverses=1)], 10000, L.B),
]


@pytest.mark.parametrize("name,facts,hundredths,level", CASES, ids=[c[0] for c in CASES])
def test_score(name, facts, hundredths, level):
    s = score(facts, TODAY)
    assert (s.hundredths, s.level) == (hundredths, level)


def test_capped_classes_and_counted_ids():
    s = score([f(1, 31, K.VOLUNTEER), f(2, 5), f(3, 5, until=date(2026, 11, 1))], TODAY)
    assert s.capped == {K.VOLUNTEER}
    assert s.counted == {1, 2}
    assert s.by_class == {K.VOLUNTEER: 3000, K.ENVIRONMENT: 500}


@pytest.mark.parametrize("hundredths,shown", [(10049, 100), (10050, 101), (9950, 100), (0, 0)])
def test_points_round_half_up(hundredths, shown):
    assert dc.Score(hundredths, L.B, {}, frozenset(), frozenset()).points == shown


def test_rules_as_data_change_the_answer():
    rules = Rules(base=1000, floor=0, ceiling=2000, weights={}, caps={K.ENVIRONMENT: 5},
                  levels=((1050, L.A), (1000, L.B)))
    assert score([f(1, 8)], TODAY, rules).hundredths == 100500       # capped at 5
    assert score([f(1, 8)], TODAY, rules).level is L.B                # 1005 < 1050
    assert score([f(1, 60, K.HONOUR)], TODAY, rules).level is L.A       # unweighted class, no cap: 1060
    assert score([f(1, -1)], TODAY, rules).level is L.D                # below the last threshold


@pytest.mark.parametrize("start,days,until", [
    (date(2026, 11, 2), 1, date(2026, 11, 2)),
    (date(2026, 11, 2), 30, date(2026, 12, 1)),
    (date(2026, 2, 28), 2, date(2026, 3, 1)),
    (date(2026, 11, 2), None, None),
    (date(2026, 11, 2), 0, None),
])
def test_valid_until(start, days, until):
    assert dc.valid_until(start, days) == until


@pytest.mark.parametrize("level,minimum,ok", [
    (L.A, L.A, True), (L.A, L.D, True), (L.B, L.A, False), (L.B, L.B, True), (L.C, L.B, False),
    (L.D, L.C, False), (L.D, L.D, True),
])
def test_scene_reaches(level, minimum, ok):
    assert dc.reaches(level, minimum) is ok


@pytest.mark.parametrize("points,kind,counts,repaired,start,message", [
    (-10, ENTRY, True, False, date(2026, 10, 3), ""),                          # exactly 30 days: ready
    (-10, ENTRY, True, False, date(2026, 10, 4), "该记录自 2026-11-03 起方可申请修复"),
    (5, ENTRY, True, False, date(2026, 1, 1), "只有扣分的信用记录可以申请修复"),
    (-10, WITHDRAWAL, True, False, date(2026, 1, 1), "只有扣分的信用记录可以申请修复"),
    (-10, ENTRY, True, True, date(2026, 1, 1), "该记录已经修复"),
    (-10, ENTRY, False, False, date(2026, 1, 1), "该记录已不计入信用分（已过有效期或已撤销），无需修复"),
])
def test_repair_problem(points, kind, counts, repaired, start, message):
    assert dc.repair_problem(points=points, kind=kind, counts=counts, already_repaired=repaired,
                             valid_from=start, today=TODAY) == message


def test_maker_checker():
    assert dc.approval_problem(7, 7) == "提出人不能审核自己提出的信用记录"
    assert dc.approval_problem(7, 8) == ""


@pytest.mark.parametrize("over,problem", [
    ({}, None),
    ({"base": 300}, "base 应在 floor 与 ceiling 之间"),
    ({"levels": ((100, L.A), (120, L.B))}, "levels 的分数线应从高到低且互不相同"),
    ({"levels": ((120, L.B), (100, L.A))}, "levels 应依次为 A、B、C …"),
    ({"levels": ((120, L.B),)}, "levels 应依次为 A、B、C …"),
    ({"weights": {K.CIVIC: -1}}, "weights 不得为负"),
    ({"caps": {"nonsense": 1}}, "weights/caps 中有未知的行为类别"),
    ({"dispute_workdays": 0}, "dispute_workdays、repair_workdays 应为正整数，repair_wait_days 不得为负"),
])
def test_rule_problems(over, problem):
    found = dc.rule_problems(Rules(**over))
    assert (problem in found) if problem else found == []


def test_rules_from_settings():
    r = dc.rules_from({"base": 90, "levels": [[110, "A"], [90, "B"]], "unknown": 1})
    assert (r.base, r.levels) == (90, ((110, L.A), (90, L.B)))


# The steps, pinned: (table, action) → (sources, target, capacities, needs reason).
S, DS, RS, C = dc.FileStatus, dc.DisputeStatus, dc.RepairStatus, dc.Cap
PINNED = [
    (dc.FILE_TRANSITIONS, dc.FileAction.PROPOSE, {S.OPEN}, None, {C.OFFICER}, False),
    (dc.FILE_TRANSITIONS, dc.FileAction.APPROVE, {S.OPEN}, None, {C.OFFICER}, False),
    (dc.FILE_TRANSITIONS, dc.FileAction.REJECT, {S.OPEN}, None, {C.OFFICER}, True),
    (dc.FILE_TRANSITIONS, dc.FileAction.WITHDRAW, {S.OPEN}, None, {C.OFFICER}, True),
    (dc.FILE_TRANSITIONS, dc.FileAction.CLOSE, {S.OPEN}, S.CLOSED, {C.OFFICER}, True),
    (dc.DISPUTE_TRANSITIONS, dc.DisputeAction.UPHOLD, {DS.FILED}, DS.UPHELD, {C.OFFICER}, True),
    (dc.DISPUTE_TRANSITIONS, dc.DisputeAction.DISMISS, {DS.FILED}, DS.DISMISSED, {C.OFFICER}, True),
    (dc.DISPUTE_TRANSITIONS, dc.DisputeAction.RETRACT, {DS.FILED}, DS.WITHDRAWN, {C.SUBJECT}, False),
    (dc.DISPUTE_TRANSITIONS, dc.DisputeAction.SLA_RED, {DS.FILED}, None, {C.SYSTEM}, False),
    (dc.REPAIR_TRANSITIONS, dc.RepairAction.GRANT, {RS.APPLIED}, RS.GRANTED, {C.OFFICER}, False),
    (dc.REPAIR_TRANSITIONS, dc.RepairAction.REFUSE, {RS.APPLIED}, RS.REFUSED, {C.OFFICER}, True),
    (dc.REPAIR_TRANSITIONS, dc.RepairAction.RETRACT, {RS.APPLIED}, RS.WITHDRAWN, {C.SUBJECT}, False),
    (dc.REPAIR_TRANSITIONS, dc.RepairAction.SLA_YELLOW, {RS.APPLIED}, None, {C.SYSTEM}, False),
]


@pytest.mark.parametrize("table,action,sources,target,caps,reason", PINNED, ids=[str(p[1]) for p in PINNED])
def test_tables_pinned(table, action, sources, target, caps, reason):
    r = table[action]
    assert (set(r.sources), r.target, set(r.capacities), r.needs_reason) == (sources, target, caps, reason)


def test_clock_runs_only_while_waiting():
    from gongzhi.domain.sla import clock_after
    assert clock_after(dc.DISPUTE_CLOCK_EFFECTS, dc.DisputeAction.FILE, None) is dc.DisputeClock.DECIDE
    for a in (dc.DisputeAction.UPHOLD, dc.DisputeAction.DISMISS, dc.DisputeAction.RETRACT):
        assert clock_after(dc.DISPUTE_CLOCK_EFFECTS, a, dc.DisputeClock.DECIDE) is None
    for a in (dc.RepairAction.GRANT, dc.RepairAction.REFUSE, dc.RepairAction.RETRACT):
        assert clock_after(dc.REPAIR_CLOCK_EFFECTS, a, dc.RepairClock.DECIDE) is None
