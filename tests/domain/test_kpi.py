"""KPI formulas from tables of cases."""
import pytest

from gongzhi.domain.kpi import MEASURES, EventFacts, add, compare, contribution, rates


def facts(**over):
    base = dict(status="closed", sla_flag="green", dispatched=True, signed_on_time=True, handled=True,
                resolved_on_time=True, returns=0, reopens=0, answered=True, satisfaction=5, closed_workdays=3)
    return EventFacts(**{**base, **over})


@pytest.mark.parametrize("over, expect", [
    ({}, {"closed": 1, "signed_on_time": 1, "resolved_on_time": 1, "satisfied": 1, "close_workdays_sum": 3}),
    ({"status": "rejected", "dispatched": False, "signed_on_time": None, "handled": False,
      "resolved_on_time": None, "answered": False, "satisfaction": None, "closed_workdays": None},
     {"rejected": 1, "accepted": 0, "closed": 0, "signed": 0}),
    ({"status": "handling", "sla_flag": "red", "resolved_on_time": None, "answered": False,
      "satisfaction": None, "closed_workdays": None}, {"open_overdue": 1, "closed": 0, "resolved": 0}),
    ({"resolved_on_time": False, "satisfaction": 3}, {"closed_late": 1, "satisfied": 0, "revisited": 1}),
    ({"status": "dispatched", "returns": 2, "signed_on_time": None, "handled": False, "resolved_on_time": None,
      "answered": False, "satisfaction": None, "closed_workdays": None}, {"returned": 1, "signed": 0}),
    ({"status": "handling", "reopens": 1, "closed_workdays": None, "resolved_on_time": None},
     {"reopened": 1, "closed": 0, "close_workdays_sum": 0}),
])
def test_contribution(over, expect):
    c = contribution(facts(**over))
    assert set(c) == {"reported", "rejected", "accepted", "dispatched", "signed", "signed_on_time", "handled",
                      "resolved", "resolved_on_time", "closed", "closed_late", "open_overdue", "returned",
                      "answered", "reopened", "revisited", "satisfied", "satisfaction_sum", "close_workdays_sum"}
    assert c["reported"] == 1
    for k, v in expect.items():
        assert c[k] == v, k


def test_rates_on_both_bases():
    m = {k: 0 for k in MEASURES}
    for f in [facts(), facts(signed_on_time=False, resolved_on_time=False, satisfaction=2, closed_workdays=7),
              facts(status="handling", signed_on_time=None, handled=False, resolved_on_time=None,
                    answered=False, satisfaction=None, closed_workdays=None),
              facts(status="rejected", dispatched=False, signed_on_time=None, handled=False,
                    resolved_on_time=None, answered=False, satisfaction=None, closed_workdays=None)]:
        add(m, contribution(f))
    r = rates(m)
    assert r["结案率"] == 66.67                    # 2 closed of 3 not rejected
    assert r["按时签收率"] == 33.33 and r["按时签收率_已签收"] == 50.0   # 1 of 3 dispatched; 1 of 2 signed
    assert r["按时办结率"] == 50.0 and r["满意率"] == 50.0 and r["平均办结工作日"] == 5.0
    assert r["超期数"] == 1
    assert rates({k: 0 for k in MEASURES})["结案率"] is None


@pytest.mark.parametrize("current, previous, text", [
    (277, [420, 420, 420, 420], "较前四周平均减少143件，下降34.05%"),
    (277, [421, 419, 420, 420], "较前四周平均减少143件，下降34.05%"),
    (500, [400, 400], "较前两周平均增加100件，上升25.00%"),
    (10, [10, 10, 10, 10], "与前四周平均持平"),
    (5, [0, 0], "较前两周平均增加5件"),
])
def test_period_comparison_sentence(current, previous, text):
    assert compare(current, previous)["text"] == text
