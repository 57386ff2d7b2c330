"""积分 rules from tables written out here (never derived from the code under test)."""
from datetime import UTC, date, datetime, timedelta

import pytest

from gongzhi.domain import points as dp


@pytest.mark.parametrize(("already", "adding", "cap", "ok"), [
    (0, 10, 10, True),          # exactly the cap: allowed
    (0, 11, 10, False),         # one over on the first award
    (70, 10, 80, True),         # reaches the cap exactly
    (71, 10, 80, False),        # one point over
    (80, 1, 80, False),         # at the cap, nothing more that day
    (500, 500, None, True),     # no cap
])
def test_daily_cap_at_the_edge(already, adding, cap, ok):
    if ok:
        dp.check_cap(already, adding, cap)
    else:
        with pytest.raises(dp.CapReached):
            dp.check_cap(already, adding, cap)


@pytest.mark.parametrize(("earned", "years", "last_day"), [
    (date(2026, 1, 1), 1, date(2027, 12, 31)),
    (date(2026, 12, 31), 1, date(2027, 12, 31)),     # earned on new year's eve: still the end of next year
    (date(2026, 6, 15), 0, date(2026, 12, 31)),
    (date(2028, 2, 29), 2, date(2030, 12, 31)),
    (date(2026, 6, 15), None, None),                 # never
])
def test_expiry_date(earned, years, last_day):
    assert dp.expires_on(earned, years) == last_day


@pytest.mark.parametrize(("ppu", "qty", "points"), [(10, 1, 10), (10, 4, 40), (15, 24, 360)])
def test_points_for(ppu, qty, points):
    assert dp.points_for(dp.Rule(ppu), qty) == points


@pytest.mark.parametrize("qty", [0, -1, 25, True, 1.5])
def test_points_for_refuses_bad_quantities(qty):
    with pytest.raises(dp.PointsError):
        dp.points_for(dp.Rule(10), qty)


@pytest.mark.parametrize(("balance", "points", "ok"), [(100, 100, True), (100, 101, False), (0, 1, False)])
def test_balance_never_negative(balance, points, ok):
    if ok:
        dp.check_debit(balance, points)
    else:
        with pytest.raises(dp.WouldGoNegative):
            dp.check_debit(balance, points)


END_26, END_27 = date(2026, 12, 31), date(2027, 12, 31)


@pytest.mark.parametrize(("lots", "spent", "expired", "balance", "today", "lapse"), [
    # 100 earned valid to the end of 2026: on 2026-12-31 still valid, on 2027-01-01 gone
    ([(END_26, 100)], 0, 0, 100, date(2026, 12, 31), 0),
    ([(END_26, 100)], 0, 0, 100, date(2027, 1, 1), 100),
    # 60 of it spent first (FIFO: spending eats the oldest lot): 40 left to lapse
    ([(END_26, 100)], 60, 0, 40, date(2027, 1, 1), 40),
    # a younger lot is untouched: 100 (2026) + 50 (2027), 120 spent → the 2026 lot is used up
    ([(END_26, 100), (END_27, 50)], 120, 0, 30, date(2027, 1, 1), 0),
    ([(END_26, 100), (END_27, 50)], 30, 0, 120, date(2027, 1, 1), 70),
    # already expired once: the sweep again takes nothing
    ([(END_26, 100)], 0, 100, 0, date(2027, 1, 1), 0),
    # a reversed award is a negative lot: 100 - 100 reversed → nothing to lapse
    ([(END_26, 100), (END_26, -100), (END_27, 30)], 0, 0, 30, date(2027, 1, 1), 0),
    # a lot that never lapses
    ([(None, 100)], 0, 0, 100, date(2099, 1, 1), 0),
])
def test_expiry_is_fifo(lots, spent, expired, balance, today, lapse):
    assert dp.to_expire([dp.Lot(d, p) for d, p in lots], spent=spent, expired=expired, balance=balance,
                        today=today) == lapse


def test_codes_are_short_unambiguous_and_normalised():
    codes = {dp.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and not set(c) & set("0O1IL2Z5S8B") for c in codes)
    assert dp.normal_code(" acd-efg h ") == "ACDEFGH"


NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("status", "until", "why"), [
    (dp.RedemptionStatus.PENDING, NOW, None),                       # the last instant is still valid
    (dp.RedemptionStatus.PENDING, NOW - timedelta(microseconds=1), "该兑换码已过期"),
    (dp.RedemptionStatus.REDEEMED, NOW + timedelta(days=1), "该兑换码已使用"),
    (dp.RedemptionStatus.CANCELLED, NOW + timedelta(days=1), "该兑换码已取消"),
])
def test_code_usable(status, until, why):
    assert dp.code_usable(status, until, NOW) == why


def test_code_valid_for_three_days_by_default():
    assert dp.code_valid_until(NOW) == datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.mark.parametrize(("rule", "problems"), [
    (dp.Rule(10, 80, 1), 0), (dp.Rule(0), 1), (dp.Rule(10, 5), 1), (dp.Rule(10, None, 11), 1),
])
def test_rule_problems(rule, problems):
    assert len(dp.rule_problems(rule)) == problems
