"""民事速裁's rules from tables written out here: triage at the 小额 line (exactly, one 分 above, the
parties' 50 %/200 % agreement), the 第166条 bars, the judge's override, element checks (the rate cap
at exactly 4 × LPR and above it, repayments over principal + interest, dates, liability shares,
children), series suggestions, hearing clashes and the limits counted over 2026's holidays and
调休 days (1–7 Oct off, Sunday 20 Sep and Saturday 10 Oct worked)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from gongzhi.domain import court as dc
from gongzhi.domain.calendar import SHANGHAI, WorkCalendar, YearSpec
from gongzhi.domain.court import Cause, Check, Facts, Track
from gongzhi.domain.enums import SlaFlag
from gongzhi.domain.sla import flag_at

# A province's prior-year average wage of ¥106,123.00: the 50 % line is ¥53,061.50, 200 % ¥212,246.00.
LINE = dc.Line(avg_wage_fen=10_612_300, year=2025)
# 2027 as weekends only (its holidays are not published yet): enough for the February edges below.
CAL = WorkCalendar(years={2027: YearSpec(2027)})


def sh(*a) -> datetime:
    return datetime(*a, tzinfo=SHANGHAI)


TRIAGE = [
    # (facts, track, words the reason must hold)
    (Facts(Cause.LOAN, 5_306_150), Track.SMALL_CLAIMS, "53,061.50"),             # the line exactly
    (Facts(Cause.LOAN, 5_306_151), Track.FAST, "超过小额诉讼标准"),               # one 分 above
    (Facts(Cause.LOAN, 5_306_151, agreed_pct=50), Track.FAST, "超过小额诉讼标准"),  # 50 % agreement: no more
    (Facts(Cause.LOAN, 21_224_600, agreed_pct=200), Track.SMALL_CLAIMS, "约定"),   # 200 % exactly
    (Facts(Cause.LOAN, 21_224_601, agreed_pct=200), Track.FAST, "速裁"),          # one 分 above 200 %
    (Facts(Cause.LOAN, 10_000_000, agreed_pct=250), Track.FAST, "速裁"),          # beyond the law's 200 %
    (Facts(Cause.LOAN, 50_000_000), Track.FAST, "速裁"),                           # the 速裁 maximum exactly
    (Facts(Cause.LOAN, 50_000_001), Track.ORDINARY, "超过速裁上限"),
    (Facts(Cause.LOAN, 100_000, foreign=True), Track.ORDINARY, "涉外"),
    (Facts(Cause.LOAN, 100_000, public_notice=True), Track.ORDINARY, "公告送达"),
    (Facts(Cause.TRAFFIC, 100_000, appraisal=True), Track.ORDINARY, "鉴定"),
    (Facts(Cause.LOAN, 100_000, parties=10), Track.ORDINARY, "10 人"),
    (Facts(Cause.LOAN, 100_000, parties=9), Track.SMALL_CLAIMS, "小额"),
    (Facts(Cause.LOAN, 100_000, counterclaim=True), Track.FAST, "反诉"),
    (Facts(Cause.DIVORCE, None), Track.FAST, "人身关系"),
    (Facts(Cause.DIVORCE, 100_000), Track.FAST, "人身关系"),                       # money in a divorce: still not 小额
    (Facts(Cause.PROPERTY_SERVICE, 300_000), Track.PRE_MEDIATION, "诉前调解"),
    (Facts(Cause.PROPERTY_SERVICE, 300_000, mediated=True), Track.SMALL_CLAIMS, "小额"),  # 诉调对接: mediated already
    (Facts(Cause.OTHER, None), Track.FAST, "非金钱给付"),
]


@pytest.mark.parametrize(("facts", "track", "words"), TRIAGE)
def test_triage_from_the_table(facts, track, words):
    t = dc.triage(facts, LINE)
    assert t.track == track
    assert words in t.reason


def test_the_line_is_half_the_wage_rounded_down_to_the_fen():
    assert dc.small_claims_line(dc.Line(10_612_301, 2025), 50) == 5_306_150
    assert dc.small_claims_line(LINE, 200) == 21_224_600


def test_a_rule_table_is_data_a_court_may_reorder():
    # A court that sends every 物业 case to 速裁 directly drops the 诉前调解 row.
    rules = tuple(r for r in dc.RULES if r.track != Track.PRE_MEDIATION)
    assert dc.triage(Facts(Cause.PROPERTY_SERVICE, 300_000), LINE, rules=rules).track == Track.SMALL_CLAIMS


OVERRIDES = [
    (Facts(Cause.LOAN, 6_000_000), Track.FAST, Track.SMALL_CLAIMS, "当事人同意", None),
    (Facts(Cause.LOAN, 6_000_000), Track.FAST, Track.ORDINARY, "案情复杂", None),
    (Facts(Cause.LOAN, 6_000_000), Track.FAST, Track.ORDINARY, "  ", "理由"),
    (Facts(Cause.LOAN, 6_000_000), Track.FAST, Track.FAST, "无", "未变化"),
    (Facts(Cause.DIVORCE, None), Track.FAST, Track.SMALL_CLAIMS, "简单", "人身关系"),
    (Facts(Cause.LOAN, 100_000, counterclaim=True), Track.FAST, Track.SMALL_CLAIMS, "简单", "反诉"),
]


@pytest.mark.parametrize(("facts", "current", "target", "reason", "refused"), OVERRIDES)
def test_a_judges_override(facts, current, target, reason, refused):
    if refused is None:
        dc.check_override(facts, current, target, reason)
    else:
        with pytest.raises(dc.OverrideRefused, match=refused):
            dc.check_override(facts, current, target, reason)


# ---- elements ----------------------------------------------------------------------------------

FILED = date(2026, 11, 2)
LPR = Decimal("3.00")       # the cap is 12.00 %


def loan(**over) -> dict:
    v = {"lender": "王某", "borrower": "李某", "principal": "100000", "lent_on": "2026-01-01",
         "due_on": "2026-07-01", "rate": "12", "repayments": [], "guarantee": dc.Guarantee.NONE.value}
    v.update(over)
    return v


def checks(cause, values, lpr=LPR) -> set:
    return {f.check for f in dc.check_elements(cause, values, filed_on=FILED, lpr_pct=lpr)}


LOAN_CASES = [
    (loan(), set()),                                                      # 12 % = 4 × 3.00 % exactly
    (loan(rate="12.01"), {Check.RATE_ABOVE_CAP}),
    (loan(rate="24"), {Check.RATE_ABOVE_CAP}),
    (loan(rate="0"), set()),
    (loan(rate=""), set()),                                               # no rate agreed: 无息
    (loan(due_on="2025-12-31"), {Check.DATES_ORDER}),
    (loan(lent_on="2026-11-03"), {Check.DATES_ORDER}),
    (loan(repayments=[{"on": "2025-12-01", "amount": "100"}]), {Check.DATES_ORDER}),
    (loan(guarantee=dc.Guarantee.SURETY.value), {Check.GUARANTOR_MISSING}),
    (loan(guarantee=dc.Guarantee.SURETY.value, guarantor="张某"), set()),
    (loan(principal=""), {Check.MISSING}),
    (loan(principal="12.345"), {Check.INVALID}),
    (loan(guarantee="bank"), {Check.INVALID}),
]


@pytest.mark.parametrize(("values", "expected"), LOAN_CASES)
def test_loan_elements(values, expected):
    assert checks(Cause.LOAN, values) == expected


def test_repayments_over_principal_and_capped_interest_are_flagged_at_the_fen():
    # ¥100,000 lent 2026-01-01 at 12 %, filed 2026-11-02: 305 days → interest 100000 × 12 % × 305 / 365
    # = ¥10,027.39 (rounded down), so ¥110,027.39 may be repaid and one 分 more is flagged.
    at_most = loan(repayments=[{"on": "2026-06-01", "amount": "60000"}, {"on": "2026-10-01", "amount": "50027.39"}])
    over = loan(repayments=[{"on": "2026-06-01", "amount": "60000"}, {"on": "2026-10-01", "amount": "50027.40"}])
    assert checks(Cause.LOAN, at_most) == set()
    assert checks(Cause.LOAN, over) == {Check.REPAID_TOO_MUCH}
    # a rate of 24 % counts only up to the cap: the same repayments are flagged twice over
    assert checks(Cause.LOAN, loan(rate="24", repayments=over["repayments"])) == {Check.RATE_ABOVE_CAP,
                                                                                  Check.REPAID_TOO_MUCH}


def test_the_cap_follows_the_lpr_at_filing():
    # LPR 3.45 % → cap 13.80 %: 13.8 passes, 13.81 and 14 do not; with LPR 3.50 % (cap 14 %) 14 passes.
    assert checks(Cause.LOAN, loan(rate="13.8"), lpr=Decimal("3.45")) == set()
    assert checks(Cause.LOAN, loan(rate="13.81"), lpr=Decimal("3.45")) == {Check.RATE_ABOVE_CAP}
    assert checks(Cause.LOAN, loan(rate="14"), lpr=Decimal("3.50")) == set()
    assert checks(Cause.LOAN, loan(rate="14"), lpr=None) == set()        # no LPR row: nothing to compare


def _lpr_table(day: date) -> Decimal:
    # a moved LPR: 3.85 % until 2020-12-31, 3.00 % since (the filing day 2026-11-02 reads 3.00 %)
    return Decimal("3.85") if day <= date(2020, 12, 31) else Decimal("3.00")


# 法释〔2020〕17号: from 2020-08-20 (第25条) the LPR of the contract's formation, 4 × 3.85 = 15.4 %;
# a loan of 2020-08-19 (第31条) is capped by the LPR at filing, 4 × 3.00 = 12 %.
CAP_AT_FORMATION = [
    ("2020-08-20", "15.4", set(), None),
    ("2020-08-20", "15.41", {Check.RATE_ABOVE_CAP}, "合同成立时（2020-08-20）一年期LPR 3.85%"),
    ("2020-08-19", "15.4", {Check.RATE_ABOVE_CAP}, "起诉时（2026-11-02）一年期LPR 3.00%"),
    ("2020-08-19", "12", set(), None),
    ("2026-01-01", "12.01", {Check.RATE_ABOVE_CAP}, "合同成立时（2026-01-01）一年期LPR 3.00%"),
]


@pytest.mark.parametrize(("lent_on", "rate", "expected", "words"), CAP_AT_FORMATION)
def test_the_cap_uses_the_lpr_of_the_contracts_formation_from_2020_08_20(lent_on, rate, expected, words):
    found = dc.check_elements(Cause.LOAN, loan(lent_on=lent_on, due_on="2026-07-01", rate=rate), filed_on=FILED,
                              lpr_of=_lpr_table)
    assert {f.check for f in found} == expected
    if words:
        assert words in found[0].message


@pytest.mark.parametrize(("key", "raw"), [("rate", "abc"), ("rate", "NaN"), ("lent_on", "2026-13-01"),
                                          ("principal", "1e5"), ("repayments", ["x"]),
                                          ("repayments", [{"on": "x", "amount": "1"}])])
def test_a_malformed_value_is_said_in_chinese_never_in_pythons_words(key, raw):
    found = [f for f in dc.check_elements(Cause.LOAN, loan(**{key: raw}), filed_on=FILED, lpr_pct=LPR)
             if f.check == Check.INVALID]
    assert [f.key for f in found] == [key]
    assert not any(w in found[0].message for w in ("<class", "Invalid", "invalid", "object", "'"))


def traffic(**over) -> dict:
    v = {"accident_on": "2026-05-01", "place": "胜利路口", "claimed": "30000", "medical": "20000",
         "lost_income": "10000", "liability": [{"party": "甲", "share": "70"}, {"party": "乙", "share": "30"}]}
    v.update(over)
    return v


TRAFFIC_CASES = [
    (traffic(), set()),
    (traffic(liability=[{"party": "甲", "share": "70"}, {"party": "乙", "share": "20"}]), {Check.SHARES_NOT_100}),
    (traffic(liability=[{"party": "甲", "share": "70.5"}, {"party": "乙", "share": "30"}]), {Check.SHARES_NOT_100}),
    (traffic(liability=[{"party": "甲", "share": "100"}]), set()),
    (traffic(claimed="30000.01"), {Check.CLAIM_EXCEEDS_ITEMS}),
    (traffic(accident_on="2026-11-03"), {Check.DATES_ORDER}),
    (traffic(liability=[]), {Check.MISSING}),
]


@pytest.mark.parametrize(("values", "expected"), TRAFFIC_CASES)
def test_traffic_elements(values, expected):
    assert checks(Cause.TRAFFIC, values) == expected


def divorce(**over) -> dict:
    v = {"married_on": "2015-05-20", "separated_on": "2025-01-01", "children_count": "1",
         "children": [{"name": "小明", "born_on": "2017-03-01", "custody": dc.Side.PLAINTIFF.value}],
         "support": "1500", "property": [{"item": "房屋", "value": "800000", "to": dc.Side.SHARED.value}]}
    v.update(over)
    return v


DIVORCE_CASES = [
    (divorce(), set()),
    (divorce(children_count="2"), {Check.CHILDREN_COUNT}),
    (divorce(children_count="0", children=[]), {Check.SUPPORT_WITHOUT_CHILD}),
    (divorce(children_count="0", children=[], support=""), set()),
    (divorce(separated_on="2014-01-01"), {Check.DATES_ORDER}),
    (divorce(children=[{"name": "小明", "born_on": "2017-03-01", "custody": ""}]), {Check.INVALID}),
    (divorce(property=[{"item": "车", "value": "1", "to": "nobody"}]), {Check.INVALID}),
]


@pytest.mark.parametrize(("values", "expected"), DIVORCE_CASES)
def test_divorce_elements(values, expected):
    assert checks(Cause.DIVORCE, values) == expected


def test_money_is_read_exactly_in_fen():
    assert [dc.parse_money(x) for x in ("0.01", "1,234.5", "100")] == [1, 123450, 10000]
    with pytest.raises(ValueError):
        dc.parse_money("0.001")


# ---- series --------------------------------------------------------------------------------------

def test_series_suggested_by_cause_and_a_similar_respondent():
    P = Cause.PROPERTY_SERVICE
    cases = [dc.SeriesCandidate(1, P, "漳州市鑫源物业管理有限公司"), dc.SeriesCandidate(2, P, "鑫源物业管理有限公司"),
             dc.SeriesCandidate(3, P, "鑫源物业管理有限公司（芗城分公司）"),
             dc.SeriesCandidate(4, P, "金诚物业有限公司"),
             dc.SeriesCandidate(5, Cause.LOAN, "鑫源物业管理有限公司"), dc.SeriesCandidate(6, P, "金诚物业有限公司")]
    assert dc.suggest_series(cases) == [[1, 2], [4, 6]]


def test_a_follower_takes_the_leads_outcome_in_proportion():
    lead = dc.Decision(dc.Outcome.JUDGMENT, claimed_fen=300_000, awarded_fen=240_000, terms="支持物业费，驳回违约金")
    assert dc.follow(lead, 100_001) == dc.Decision(dc.Outcome.JUDGMENT, 100_001, 80_000, "支持物业费，驳回违约金")
    assert dc.follow(lead, None).awarded_fen is None


# ---- hearings and limits ---------------------------------------------------------------------

def test_hearing_slots_clash_on_overlap_not_back_to_back():
    booked = [(sh(2026, 11, 3, 9), sh(2026, 11, 3, 9, 40))]
    assert dc.clashes(booked, sh(2026, 11, 3, 9, 39), 40)
    assert dc.clashes(booked, sh(2026, 11, 3, 8, 21), 40)
    assert not dc.clashes(booked, sh(2026, 11, 3, 9, 40), 40)
    assert not dc.clashes(booked, sh(2026, 11, 3, 8, 20), 40)


LIMITS = [
    # (track, filed, last day)
    (Track.SMALL_CLAIMS, date(2026, 8, 10), date(2026, 10, 10)),   # 10 Oct is a 调休 Saturday: worked
    (Track.SMALL_CLAIMS, date(2026, 8, 3), date(2026, 10, 8)),     # 3 Oct off → first day after the holiday
    (Track.SMALL_CLAIMS, date(2026, 12, 31), date(2027, 3, 1)),    # 28 Feb 2027 a Sunday
    (Track.FAST, date(2026, 11, 2), date(2026, 12, 2)),            # 30 days
    (Track.FAST, date(2026, 9, 1), date(2026, 10, 8)),             # 1 Oct off → 8 Oct
    (Track.ORDINARY, date(2026, 5, 6), date(2026, 11, 6)),
]


@pytest.mark.parametrize(("track", "filed", "last"), LIMITS)
def test_trial_periods(track, filed, last):
    assert dc.trial_last_day(CAL, track, filed) == last


def test_a_shorter_fast_rule_never_passes_the_simple_three_months():
    # 30 Nov + 92 days is 2 Mar; three months end on 28 Feb (a Sunday) → Monday 1 Mar.
    lim = dc.Limits(fast_days=92)
    assert dc.trial_last_day(CAL, Track.FAST, date(2026, 11, 30), lim) == date(2027, 3, 1)
    assert dc.limit_problems(dc.Limits(agreed_max_pct=201, small_claims_months=3))
    assert not dc.limit_problems(dc.Limits())


def test_judgment_within_ten_working_days_counted_over_the_holidays():
    # Heard Friday 18 Sep: Sun 20 Sep (worked) 1, 21–24 Sep 2–5, 28–30 Sep 6–8, 8–9 Oct 9–10.
    d = dc.judgment_clock(CAL, sh(2026, 9, 18, 10), None)
    assert d.due_at == sh(2026, 10, 9, 23, 59, 59)
    assert flag_at(sh(2026, 10, 9, 23, 59, 59), d) == SlaFlag.YELLOW
    assert flag_at(sh(2026, 10, 10, 0, 0, 0), d) == SlaFlag.RED
    # never past the trial period
    capped = dc.judgment_clock(CAL, sh(2026, 9, 18, 10), sh(2026, 9, 30, 23, 59, 59))
    assert capped.due_at == sh(2026, 9, 30, 23, 59, 59)


def test_days_clock_yellow_at_seventy_percent():
    d = dc.days_clock(sh(2026, 11, 2, 0), date(2026, 11, 11))    # 10 days less one second
    assert flag_at(sh(2026, 11, 8, 23), d) == SlaFlag.GREEN
    assert flag_at(sh(2026, 11, 9, 0), d) == SlaFlag.YELLOW
    assert flag_at(sh(2026, 11, 12, 0), d) == SlaFlag.RED


def test_shares_per_track():
    rows = [(Track.FAST, dc.CivilStatus.CLOSED, dc.Outcome.JUDGMENT), (Track.FAST, dc.CivilStatus.FILED, ""),
            (Track.SMALL_CLAIMS, dc.CivilStatus.CLOSED, dc.Outcome.MEDIATED),
            (Track.ORDINARY, dc.CivilStatus.TRANSFERRED, dc.Outcome.TRANSFERRED)]
    out = {s.track: (s.cases, s.closed, s.outcomes, pct) for s, pct in dc.shares(rows)}
    assert out[Track.FAST] == (2, 1, {dc.Outcome.JUDGMENT: 1}, 50)
    assert out[Track.PRE_MEDIATION] == (0, 0, {}, 0)


def test_every_action_of_the_table_is_refused_where_it_is_not_allowed():
    from gongzhi.domain.workflow import CapacityError, TransitionError, transition
    S, A = dc.CivilStatus, dc.CivilAction
    assert transition(A.JUDGE, S.SCHEDULED, {dc.Cap.JUDGE}, table=dc.TRANSITIONS) == S.CLOSED
    for status, action, caps in [(S.SCHEDULED, A.JUDGE, {dc.Cap.CLERK}), (S.CLOSED, A.JUDGE, {dc.Cap.JUDGE}),
                                 (S.FILED, A.OVERRIDE, {dc.Cap.CLERK}), (S.REGISTERED, A.BOOK, {dc.Cap.CLERK})]:
        with pytest.raises((TransitionError, CapacityError)):
            transition(action, status, caps, "理由", table=dc.TRANSITIONS)
