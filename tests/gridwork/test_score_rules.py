"""domain.scorecard from written-out tables: each indicator, the weighted score with an indicator
missing, rounding at the half, and the ranking with its minimum sample."""
from decimal import Decimal
from fractions import Fraction

import pytest

from gongzhi.domain import scorecard as sc
from gongzhi.domain.scorecard import Facts, Indicator as I, Weight


def test_each_indicator():
    f = Facts(tasks_due=40, tasks_on_time=30, reports=10, hotline_checked=8, omitted=2, events_handled=20,
              events_closed=19, revisited=10, satisfied=9, coverage=Fraction(3, 5))
    assert sc.parts(f) == {I.ON_TIME: Fraction(3, 4), I.REPORTS: Fraction(1, 2), I.OMISSIONS: Fraction(3, 4),
                           I.CLOSED: Fraction(19, 20), I.SATISFACTION: Fraction(9, 10), I.COVERAGE: Fraction(3, 5)}
    # 35×.75 + 15×.5 + 15×.75 + 15×.95 + 10×.9 + 10×.6 = 26.25+7.5+11.25+14.25+9+6 = 74.25 → 74.3 (half up)
    assert sc.score(f) == Decimal("74.3")


def test_reports_are_capped_at_the_target():
    assert sc.parts(Facts(reports=25))[I.REPORTS] == 1
    assert sc.parts(Facts(reports=20))[I.REPORTS] == 1
    assert sc.parts(Facts(reports=19))[I.REPORTS] == Fraction(19, 20)


def test_indicators_without_data_are_left_out_not_scored_zero():
    # Only tasks (35) and reports (15) have data: (35×1 + 15×0.5) / 50 × 100 = 85.0
    assert sc.score(Facts(tasks_due=10, tasks_on_time=10, reports=10)) == Decimal("85.0")
    # Coverage measured as 0 counts as 0 (patrols missing are passed as 0 by the caller, with a note).
    assert sc.score(Facts(tasks_due=10, tasks_on_time=10, reports=20, coverage=Fraction(0))) == Decimal("83.3")
    assert sc.score(Facts(reports=0), {I.ON_TIME: Weight(100)}) is None


def test_weights_as_data():
    w = {I.ON_TIME: Weight(50), I.OMISSIONS: Weight(50)}
    # 应报未报 1 of 4 → 0.75; on time 1/2 → 0.5: 62.5
    assert sc.score(Facts(tasks_due=2, tasks_on_time=1, hotline_checked=4, omitted=1), w) == Decimal("62.5")
    assert sc.score(Facts(tasks_due=3, tasks_on_time=1), {I.ON_TIME: Weight(1)}) == Decimal("33.3")
    assert sc.score(Facts(tasks_due=3, tasks_on_time=2), {I.ON_TIME: Weight(1)}) == Decimal("66.7")
    # exactly half of a tenth rounds up: 1/8 = 12.5 → 12.5; 1/16 = 6.25 → 6.3
    assert sc.score(Facts(tasks_due=16, tasks_on_time=1), {I.ON_TIME: Weight(1)}) == Decimal("6.3")


def test_ranking_with_a_minimum_sample():
    rows = [("a", Decimal("90.0"), 25), ("b", Decimal("95.0"), 19), ("c", Decimal("90.0"), 20),
            ("d", Decimal("80.0"), 100), ("e", None, 50), ("f", Decimal("70.0"), 20)]
    out = sc.rank(rows, min_sample=20)
    assert [(r.key, r.rank) for r in out] == [("a", 1), ("c", 1), ("d", 3), ("f", 4), ("b", None), ("e", None)]
    assert out[4].too_small and out[4].notes == ("样本不足",)


@pytest.mark.parametrize("sample, ranked", [(19, False), (20, True), (21, True)])
def test_the_minimum_sample_at_its_edge(sample, ranked):
    out = sc.rank([("x", Decimal("50.0"), sample)], min_sample=20)
    assert (out[0].rank == 1) is ranked
