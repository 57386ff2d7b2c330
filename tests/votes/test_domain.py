"""The rules of 票决 from tables written out here (domain.votes): quorum and pass at their edges,
ties, zero turnout, abstentions; the roll as of a day; moving out under both rules; receipts;
double entry."""
from datetime import date
from fractions import Fraction

import pytest

from gongzhi.domain import votes as dv
from gongzhi.domain.votes import Bound, Option, OptionRole as R, Outcome as O, Preset, Rule

ORD, MAJOR = dv.PRESETS[Preset.ORDINARY], dv.PRESETS[Preset.MAJOR]
YES_NO = [Option("1", R.FOR), Option("2", R.AGAINST), Option("3", R.ABSTAIN)]
PLANS = [Option("1", R.FOR), Option("2", R.FOR), Option("3", R.ABSTAIN)]


def test_presets_are_the_civil_code_article_278():
    assert ORD == Rule(Bound(Fraction(2, 3), True), Bound(Fraction(1, 2), False))
    assert MAJOR == Rule(Bound(Fraction(2, 3), True), Bound(Fraction(3, 4), True))


# (rule, options, counts, eligible) → (outcome, carried, quorum)
TALLY = [
    # exactly 2/3 take part (20 of 30): a quorum (以上 includes itself); 11 of 20 agree: > 1/2
    (ORD, YES_NO, {"1": 11, "2": 9}, 30, O.PASSED, "1", True),
    # one short of 2/3 (19 of 30)
    (ORD, YES_NO, {"1": 19}, 30, O.NO_QUORUM, None, False),
    # exactly half agree (10 of 20): not more than half
    (ORD, YES_NO, {"1": 10, "2": 5, "3": 5}, 30, O.NOT_CARRIED, None, True),
    # abstentions are participants: 11 agree of 21 participants carries, 10 of 21 does not
    (ORD, YES_NO, {"1": 11, "2": 5, "3": 5}, 30, O.PASSED, "1", True),
    (ORD, YES_NO, {"1": 10, "2": 6, "3": 5}, 30, O.NOT_CARRIED, None, True),
    # a tie between agree and against
    (ORD, YES_NO, {"1": 10, "2": 10}, 30, O.TIED, None, True),
    # the against option carries the majority: rejected
    (ORD, YES_NO, {"1": 5, "2": 15}, 30, O.REJECTED, None, True),
    # zero turnout, and no roll at all
    (ORD, YES_NO, {}, 30, O.NO_QUORUM, None, False),
    (ORD, YES_NO, {}, 0, O.NO_QUORUM, None, False),
    # everyone abstains: a quorum, nothing carries
    (ORD, YES_NO, {"3": 30}, 30, O.NOT_CARRIED, None, True),
    # major matters: exactly 3/4 of participants (15 of 20) carries, 14 does not
    (MAJOR, YES_NO, {"1": 15, "2": 5}, 30, O.PASSED, "1", True),
    (MAJOR, YES_NO, {"1": 14, "2": 6}, 30, O.NOT_CARRIED, None, True),
    # two plans: the leader needs more than half of the participants; a tie carries nothing
    (ORD, PLANS, {"1": 12, "2": 8}, 30, O.PASSED, "1", True),
    (ORD, PLANS, {"1": 9, "2": 9, "3": 2}, 30, O.TIED, None, True),
    (ORD, PLANS, {"1": 9, "2": 8, "3": 3}, 30, O.NOT_CARRIED, None, True),
    # a custom rule: half turnout inclusive, 60 % approval inclusive
    (Rule(Bound(Fraction(1, 2)), Bound(Fraction(3, 5))), YES_NO, {"1": 6, "2": 4}, 20, O.PASSED, "1", True),
    (Rule(Bound(Fraction(1, 2)), Bound(Fraction(3, 5))), YES_NO, {"1": 5, "2": 4}, 20, O.NO_QUORUM, None, False),
]


@pytest.mark.parametrize("r,options,counts,eligible,outcome,carried,quorum", TALLY)
def test_tally(r, options, counts, eligible, outcome, carried, quorum):
    res = dv.tally(options, counts, eligible, r)
    assert (res.outcome, res.carried, res.quorum) == (outcome, carried, quorum)
    assert res.participants == sum(counts.values())


def test_fractions_are_exact_not_floats():
    # 2/3 as a float is 0.666…67; 666,666 of 1,000,000 (0.666666) is below 2/3, 666,667 above
    assert not Bound(Fraction(2, 3)).met(666_666, 1_000_000)
    assert Bound(Fraction(2, 3)).met(666_667, 1_000_000)
    assert Bound(Fraction(2, 3)).met(2, 3)
    assert not Bound(Fraction(1, 2), inclusive=False).met(1, 2)
    assert not Bound(Fraction(2, 3)).met(0, 0)


def test_unknown_option_in_counts_is_refused():
    with pytest.raises(ValueError):
        dv.tally(YES_NO, {"9": 1}, 3, ORD)


@pytest.mark.parametrize("r,problems", [
    (ORD, []), (MAJOR, []),
    (Rule(Bound(Fraction(2, 3)), Bound(Fraction(1, 2), inclusive=True)), ["同意比例不得低于过半数"]),
    (Rule(Bound(Fraction(2, 3)), Bound(Fraction(2, 5))), ["同意比例不得低于过半数"]),
    (Rule(Bound(Fraction(4, 3)), Bound(Fraction(3, 4))), ["参与比例应在 0 到 1 之间"]),
])
def test_rule_problems(r, problems):
    assert dv.rule_problems(r) == problems


D = date(2026, 12, 1)
PEOPLE = [
    # person, household, birth, moved in, moved out, household moved out
    dv.Resident(1, 10, date(1950, 3, 1), None, None),
    dv.Resident(2, 10, date(1952, 7, 9), None, None),
    dv.Resident(3, 10, date(2008, 12, 1), None, None),        # 18 exactly on the day: adult
    dv.Resident(4, 11, date(2008, 12, 2), None, None),        # 18 tomorrow: household 11 has no adult
    dv.Resident(5, 12, date(1980, 1, 1), date(2026, 12, 2), None),     # moves in tomorrow
    dv.Resident(6, 13, date(1980, 1, 1), None, date(2026, 12, 1)),     # moved out today
    dv.Resident(7, 14, date(1980, 1, 1), None, None, date(2026, 11, 30)),   # household moved out
    dv.Resident(8, 15, date(1980, 1, 1), None, date(2026, 12, 31)),    # moves out later: still there
    dv.Resident(9, None, date(1990, 1, 1), None, None),       # no household
    dv.Resident(10, 16, None, None, None),                    # birth date unknown
]


def test_roll_per_adult_as_of_the_day():
    assert dv.roll(PEOPLE, dv.Basis.ADULT, D) == ["p1", "p2", "p3", "p8", "p9"]


def test_roll_per_household_as_of_the_day():
    assert dv.roll(PEOPLE, dv.Basis.HOUSEHOLD, D) == ["h10", "h15"]


@pytest.mark.parametrize("moved_out,today,rule,may", [
    (None, D, dv.MoveRule.LOSES, True),
    (date(2026, 12, 5), date(2026, 12, 4), dv.MoveRule.LOSES, True),
    (date(2026, 12, 5), date(2026, 12, 5), dv.MoveRule.LOSES, False),     # the day of moving out
    (date(2026, 12, 5), date(2026, 12, 5), dv.MoveRule.KEEPS, True),
    (date(2026, 12, 5), date(2026, 12, 9), dv.MoveRule.KEEPS, True),
])
def test_moving_out_mid_vote(moved_out, today, rule, may):
    assert dv.may_still_vote(moved_out, today, rule) is may


@pytest.mark.parametrize("size,left,rule,eligible", [
    (30, 3, dv.MoveRule.KEEPS, 30), (30, 3, dv.MoveRule.LOSES, 27), (30, 0, dv.MoveRule.LOSES, 30)])
def test_eligible_count(size, left, rule, eligible):
    assert dv.eligible_count(size, left, rule) == eligible


def test_moving_out_changes_the_quorum_under_loses_only():
    # 30 on the roll, 19 voted (below 2/3 of 30), 2 moved out without voting: 19/28 ≥ 2/3
    counts = {"1": 12, "2": 7}
    assert dv.tally(YES_NO, counts, dv.eligible_count(30, 2, dv.MoveRule.KEEPS), ORD).outcome is O.NO_QUORUM
    assert dv.tally(YES_NO, counts, dv.eligible_count(30, 2, dv.MoveRule.LOSES), ORD).outcome is O.PASSED


def test_receipts():
    code = dv.receipt_code()
    assert len(code) == 14 and code.count("-") == 2 and set(code.replace("-", "")) <= set(dv.RECEIPT_ALPHABET)
    assert dv.normal_receipt(" k7qf 2m9x-p4hd ") == "K7QF-2M9X-P4HD"
    assert dv.normal_receipt("OIL0-AAAA-BBBB") == "0110-AAAA-BBBB"
    assert dv.receipt_from(b"\x00" * 8) == "0000-0000-0000"
    assert dv.receipt_from(b"\xff" * 8) == "ZZZZ-ZZZZ-ZZZZ"


def test_ballot_fields_name_no_voter_and_no_time():
    assert dv.ballot_fields(7, "1", "AAAA-BBBB-CCCC", None) == {
        "proposal": 7, "option": "1", "receipt": "AAAA-BBBB-CCCC", "batch": None}


def test_recount():
    assert dv.recount(["1", "2", "1", "3", "1"]) == {"1": 3, "2": 1, "3": 1}


@pytest.mark.parametrize("first,second,out", [
    ({"1": 10, "2": 3}, {"1": 10, "2": 3}, []),
    ({"1": 10, "2": 3}, {"1": 10, "2": 4}, [("2", 3, 4)]),
    ({"1": 10}, {"1": 10, "3": 1}, [("3", 0, 1)]),
])
def test_double_entry(first, second, out):
    assert dv.entry_mismatches(first, second) == out


@pytest.mark.parametrize("counts,problems", [
    ({"1": 3}, []), ({"9": 1}, ["未知选项 9"]), ({"1": -1}, ["选项 1 的票数应为非负整数"]),
    ({"1": 0}, ["该批次没有选票"]),
])
def test_entry_problems(counts, problems):
    assert dv.entry_problems(counts, ["1", "2", "3"]) == problems


TABLE = {  # action: (sources, target, capacities, reason) — pinned cell by cell
    dv.ProposalAction.OPEN_OPINION: ({"draft"}, "opinion", {"organiser"}, False),
    dv.ProposalAction.OPEN_VOTING: ({"draft", "opinion"}, "voting", {"organiser"}, False),
    dv.ProposalAction.PASS: ({"voting"}, "decided", {"organiser", "system"}, False),
    dv.ProposalAction.FAIL: ({"voting"}, "failed", {"organiser", "system"}, False),
    dv.ProposalAction.WITHDRAW: ({"draft", "opinion", "voting"}, "withdrawn", {"organiser"}, True),
    dv.ProposalAction.HIDE_COMMENT: ({"opinion", "voting", "decided", "failed"}, None, {"organiser"}, True),
    dv.ProposalAction.REPLY: ({"opinion", "voting"}, None, {"organiser"}, False),
    dv.ProposalAction.DOCUMENT: ({"draft", "opinion"}, None, {"organiser"}, False),
    dv.ProposalAction.PAPER: ({"voting"}, None, {"organiser", "helper"}, False),
    dv.ProposalAction.NOTE: ({"draft", "opinion", "voting", "decided", "failed"}, None, {"organiser"}, False),
}


def test_transition_table_pinned():
    got = {a: ({str(s) for s in r.sources}, r.target and str(r.target), {str(c) for c in r.capacities},
               r.needs_reason) for a, r in dv.TRANSITIONS.items()}
    assert got == TABLE
