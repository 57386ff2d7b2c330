"""The 积分超市 services on the database (SQLite and PostgreSQL): the ledger's rules as postings."""
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.appendonly import AppendOnlyError
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain.points import ClaimStatus, PostingKind, RedemptionStatus, Source
from gongzhi.points import services as s, shop as sh
from gongzhi.points.models import Account, EarnRule, Item, Posting, Redemption

from ..conftest import sh as shanghai

pytestmark = pytest.mark.django_db


def _balance(m, who):
    return Account.objects.get(person=m.people[who]).balance


def test_award_is_idempotent_by_key_and_refuses_other_content(mini):
    p1 = s.award(person=mini.people["r1"], rule=Source.PATROL, key="patrol:1", actor=None)
    again = s.award(person=mini.people["r1"], rule=Source.PATROL, key="patrol:1", actor=None)
    assert again.pk == p1.pk and p1.points == 5 and _balance(mini, "r1") == 5
    with pytest.raises(Conflict) as exc:
        s.award(person=mini.people["r1"], rule=Source.PATROL, key="patrol:1", qty=2, actor=None)
    assert exc.value.code == "key_reused"
    with pytest.raises(Conflict):        # the same key for another person is other content too
        s.award(person=mini.people["r2"], rule=Source.PATROL, key="patrol:1", actor=None)
    assert Posting.objects.count() == 1


def test_daily_cap_at_the_edge(mini):
    # patrol: 5 points a time, at most 10 a day (the default rule)
    r1 = mini.people["r1"]
    day = timezone.localdate()
    s.award(person=r1, rule=Source.PATROL, key="p:1", actor=None)
    s.award(person=r1, rule=Source.PATROL, key="p:2", actor=None)          # 10: exactly the cap
    with pytest.raises(Conflict) as exc:
        s.award(person=r1, rule=Source.PATROL, key="p:3", actor=None)      # 15: one over
    assert exc.value.code == "daily_cap"
    # another day, and another rule, have their own caps
    s.award(person=r1, rule=Source.PATROL, key="p:4", actor=None, earned_on=day - timedelta(days=1))
    s.award(person=r1, rule=Source.VOTE, key="v:1", actor=None)
    assert _balance(mini, "r1") == 18


def test_cap_is_data_admins_edit(mini):
    EarnRule.objects.filter(code="patrol").update(daily_cap=15, points_per_unit=5)
    for i in range(3):
        s.award(person=mini.people["r1"], rule="patrol", key=f"p:{i}", actor=None)
    with pytest.raises(Conflict):
        s.award(person=mini.people["r1"], rule="patrol", key="p:9", actor=None)


def test_inactive_or_unknown_rule_refused(mini):
    EarnRule.objects.filter(code="vote").update(active=False)
    with pytest.raises(NotFound):
        s.award(person=mini.people["r1"], rule=Source.VOTE, key="v:1", actor=None)
    with pytest.raises(NotFound):
        s.award(person=mini.people["r1"], rule="nonsense", key="x:1", actor=None)


def test_award_inside_a_callers_transaction_survives_a_capped_award(mini):
    from django.db import transaction
    with transaction.atomic():
        s.award(person=mini.people["r1"], rule=Source.PATROL, key="p:1", actor=None, qty=2)
        with pytest.raises(Conflict):
            s.award(person=mini.people["r1"], rule=Source.PATROL, key="p:2", actor=None)
        s.award(person=mini.people["r1"], rule=Source.VOTE, key="v:1", actor=None)   # the transaction goes on
    assert _balance(mini, "r1") == 13


def test_claim_needs_a_second_person(mini):
    m1, m2, r1 = mini.users["m1"], mini.users["m2"], mini.users["r1"]
    today = timezone.localdate()
    c, created = s.claim_hours(actor=m1, person_id=mini.people["r1"].pk, shop_id=mini.shop.pk,
                               rule_code="volunteer", hours=4, worked_on=today, activity="敬老院服务", client_key="k1")
    assert created
    again, created = s.claim_hours(actor=m1, person_id=mini.people["r1"].pk, shop_id=mini.shop.pk,
                                   rule_code="volunteer", hours=4, worked_on=today, activity="敬老院服务",
                                   client_key="k1")
    assert again.pk == c.pk and not created
    with pytest.raises(Forbidden):
        s.decide_claim(actor=m1, claim_id=c.pk, confirm=True)        # the one who entered it
    with pytest.raises(NotFound):
        s.decide_claim(actor=mini.users["clerk1"], claim_id=c.pk, confirm=True)   # no manager
    done = s.decide_claim(actor=m2, claim_id=c.pk, confirm=True)
    assert done.status == ClaimStatus.CONFIRMED and _balance(mini, "r1") == 40
    with pytest.raises(Conflict):
        s.decide_claim(actor=m2, claim_id=c.pk, confirm=True)        # decided once
    posting = Posting.objects.get(key=f"claim:{c.pk}")
    assert posting.earned_on == today and posting.expires_on == date(today.year + 1, 12, 31)
    # a resident's own claim: neither they nor … can confirm it; a manager can
    own, _ = s.claim_hours(actor=r1, person_id=None, shop_id=mini.shop.pk, rule_code="mediation", hours=2,
                           worked_on=today, activity="调解")
    with pytest.raises(NotFound):
        s.decide_claim(actor=mini.users["r2"], claim_id=own.pk, confirm=True)
    with pytest.raises(Invalid):
        s.decide_claim(actor=m1, claim_id=own.pk, confirm=False)     # a rejection needs its reason
    assert s.decide_claim(actor=m1, claim_id=own.pk, confirm=False, reason="无签到记录").status == ClaimStatus.REJECTED
    assert _balance(mini, "r1") == 40


def test_claim_refusals(mini):
    today = timezone.localdate()
    base = {"shop_id": mini.shop.pk, "rule_code": "volunteer", "hours": 2, "worked_on": today, "activity": "x"}
    with pytest.raises(Forbidden):          # a resident of another community
        s.claim_hours(actor=mini.users["r3"], person_id=None, **base)
    with pytest.raises(Forbidden):          # a resident claiming for someone else
        s.claim_hours(actor=mini.users["r1"], person_id=mini.people["r2"].pk, **base)
    with pytest.raises(Invalid):            # not an hours rule
        s.claim_hours(actor=mini.users["r1"], person_id=None, **{**base, "rule_code": "patrol"})
    with pytest.raises(Invalid):
        s.claim_hours(actor=mini.users["r1"], person_id=None, **{**base, "worked_on": today + timedelta(days=1)})
    with pytest.raises(Invalid):
        s.claim_hours(actor=mini.users["r1"], person_id=None, **{**base, "hours": 25})


def test_reversal_is_a_compensating_posting(mini):
    wrong = s.award(person=mini.people["r1"], rule=Source.PATROL, key="p:1", actor=mini.users["m1"])
    with pytest.raises(Invalid):
        s.reverse(actor=mini.users["m2"], posting_id=wrong.pk, reason=" ")
    with pytest.raises(NotFound):
        s.reverse(actor=mini.users["r2"], posting_id=wrong.pk, reason="错了")
    rev = s.reverse(actor=mini.users["m2"], posting_id=wrong.pk, reason="录入错误")
    assert rev.kind == PostingKind.REVERSE and rev.points == -5 and rev.reverses_id == wrong.pk
    assert _balance(mini, "r1") == 0
    assert s.reverse(actor=mini.users["m2"], posting_id=wrong.pk, reason="录入错误").pk == rev.pk   # idempotent
    with pytest.raises(Conflict):
        s.reverse(actor=mini.users["m2"], posting_id=rev.pk, reason="再冲")          # a reversal is not reversed
    wrong.refresh_from_db()
    assert wrong.points == 5          # the original is never edited


def test_reversal_of_spent_points_refused(mini):
    award = s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=6, actor=None)
    sh.redeem(actor=mini.users["r1"], item_id=mini.items["洗衣液"].pk, counter_id=mini.counters[0].pk)
    with pytest.raises(Conflict) as exc:
        s.reverse(actor=mini.users["m1"], posting_id=award.pk, reason="误发")
    assert exc.value.code == "insufficient_points" and _balance(mini, "r1") == 0


def test_postings_are_append_only(mini):
    p = s.award(person=mini.people["r1"], rule=Source.PATROL, key="p:1", actor=None)
    with pytest.raises(AppendOnlyError):
        p.save()
    with pytest.raises(AppendOnlyError):
        Posting.objects.filter(pk=p.pk).update(points=500)
    with pytest.raises(AppendOnlyError):
        p.delete()


def test_redeem_hand_over_and_cancel(mini):
    r1, clerk1, clerk2 = mini.users["r1"], mini.users["clerk1"], mini.users["clerk2"]
    s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=8, actor=None)      # 80
    soap = mini.items["洗衣液"]
    row, created = sh.redeem(actor=r1, item_id=soap.pk, counter_id=mini.counters[0].pk, client_key="c1")
    again, created2 = sh.redeem(actor=r1, item_id=soap.pk, counter_id=mini.counters[0].pk, client_key="c1")
    assert created and not created2 and again.pk == row.pk
    assert _balance(mini, "r1") == 20 and Item.objects.get(pk=soap.pk).stock == 4
    with pytest.raises(Conflict) as exc:          # 20 points left, 60 needed
        sh.redeem(actor=r1, item_id=soap.pk, counter_id=mini.counters[0].pk)
    assert exc.value.code == "insufficient_points" and Item.objects.get(pk=soap.pk).stock == 4   # stock given back
    with pytest.raises(NotFound):                 # the other counter's clerk does not see the code
        sh.hand_over(actor=clerk2, code=row.code)
    done = sh.hand_over(actor=clerk1, code=row.code.lower()[:4] + "-" + row.code.lower()[4:])
    assert done.status == RedemptionStatus.REDEEMED and done.closed_by == clerk1
    with pytest.raises(Conflict):
        sh.hand_over(actor=clerk1, code=row.code)        # once
    with pytest.raises(Conflict):
        sh.cancel(actor=r1, redemption_id=row.pk)        # handed over: no cancellation
    # a pending code cancelled: points and stock back
    s.award(person=mini.people["r1"], rule="volunteer", key="v:2", qty=4, actor=None, earned_on=date.today()
            - timedelta(days=1))
    pending, _ = sh.redeem(actor=r1, item_id=soap.pk, counter_id=mini.counters[1].pk)
    assert _balance(mini, "r1") == 0
    with pytest.raises(NotFound):
        sh.cancel(actor=mini.users["r2"], redemption_id=pending.pk)
    sh.cancel(actor=r1, redemption_id=pending.pk)
    assert _balance(mini, "r1") == 60 and Item.objects.get(pk=soap.pk).stock == 4
    assert Redemption.objects.get(pk=pending.pk).status == RedemptionStatus.CANCELLED
    kinds = list(Posting.objects.filter(account__person=mini.people["r1"]).order_by("seq")
                 .values_list("kind", "points"))
    assert kinds == [("award", 80), ("redeem", -60), ("award", 40), ("redeem", -60), ("refund", 60)]


def test_out_of_stock_and_other_community(mini):
    s.award(person=mini.people["r1"], rule="mediation", key="m:1", qty=6, actor=None)      # 90
    s.award(person=mini.people["r2"], rule="mediation", key="m:2", qty=6, actor=None)
    s.award(person=mini.people["r1"], rule="mediation", key="m:3", qty=6, actor=None, earned_on=date.today()
            - timedelta(days=2))
    s.award(person=mini.people["r1"], rule="mediation", key="m:4", qty=6, actor=None, earned_on=date.today()
            - timedelta(days=3))                                                           # r1: 270
    rice = mini.items["大米"]                       # 300 points, 1 in stock
    with pytest.raises(Conflict):
        sh.redeem(actor=mini.users["r1"], item_id=rice.pk, counter_id=mini.counters[0].pk)
    Item.objects.filter(pk=rice.pk).update(price=90)
    sh.redeem(actor=mini.users["r1"], item_id=rice.pk, counter_id=mini.counters[0].pk)
    with pytest.raises(Conflict) as exc:
        sh.redeem(actor=mini.users["r2"], item_id=rice.pk, counter_id=mini.counters[0].pk)
    assert exc.value.code == "out_of_stock" and _balance(mini, "r2") == 90
    with pytest.raises(NotFound):          # the shop is not r3's community's
        sh.redeem(actor=mini.users["r3"], item_id=mini.items["理发"].pk, counter_id=mini.counters[0].pk)
    with pytest.raises(Forbidden):         # no registry record: no points account
        sh.redeem(actor=mini.users["nobody"], item_id=mini.items["理发"].pk, counter_id=mini.counters[0].pk)


def test_codes_lapse_and_give_back(mini):
    s.award(person=mini.people["r1"], rule="volunteer", key="v:1", qty=6, actor=None)
    row, _ = sh.redeem(actor=mini.users["r1"], item_id=mini.items["洗衣液"].pk, counter_id=mini.counters[0].pk)
    assert sh.lapse_codes(now=row.valid_until) == 0              # the last instant is still valid
    with pytest.raises(Conflict):
        sh.hand_over(actor=mini.users["clerk1"], code=row.code, now=row.valid_until + timedelta(seconds=1))
    assert sh.lapse_codes(now=row.valid_until + timedelta(seconds=1)) == 1
    assert sh.lapse_codes(now=row.valid_until + timedelta(seconds=2)) == 0    # idempotent
    assert _balance(mini, "r1") == 60 and Item.objects.get(pk=mini.items["洗衣液"].pk).stock == 5


def test_restock_never_below_zero(mini):
    soap = mini.items["洗衣液"]
    assert sh.restock(actor=mini.users["m1"], item_id=soap.pk, add=10).stock == 15
    with pytest.raises(Conflict):
        sh.restock(actor=mini.users["m1"], item_id=soap.pk, add=-16)
    assert sh.restock(actor=mini.users["m1"], item_id=soap.pk, add=-15).stock == 0
    with pytest.raises(NotFound):
        sh.restock(actor=mini.users["clerk1"], item_id=soap.pk, add=1)


def test_expiry_sweep_end_of_next_year_fifo_and_idempotent(mini):
    r1 = mini.people["r1"]
    with time_machine.travel(shanghai(2026, 3, 10, 9), tick=False):
        s.award(person=r1, rule="volunteer", key="v:2026", qty=8, actor=None)           # 80, valid to 2027-12-31
    with time_machine.travel(shanghai(2027, 5, 1, 9), tick=False):
        s.award(person=r1, rule="volunteer", key="v:2027", qty=3, actor=None)           # 30, valid to 2028-12-31
        sh.redeem(actor=mini.users["r1"], item_id=mini.items["洗衣液"].pk, counter_id=mini.counters[0].pk)   # -60
    with time_machine.travel(shanghai(2027, 12, 31, 23, 59), tick=False):
        assert s.expire_points() == 0                       # still valid on its last day
    with time_machine.travel(shanghai(2028, 1, 1, 0, 5), tick=False):
        assert s.expire_points() == 1
        assert s.expire_points() == 0                       # a second run posts nothing
    # FIFO: the 60 spent came out of the 2026 lot; its other 20 lapse; the 2027 lot stays
    assert _balance(mini, "r1") == 30
    exp = Posting.objects.get(kind=PostingKind.EXPIRE)
    assert exp.points == -20 and exp.earned_on == date(2028, 1, 1)
    with time_machine.travel(shanghai(2029, 1, 1, 0, 5), tick=False):
        assert s.expire_points() == 1
    assert _balance(mini, "r1") == 0


def _event(mini, n, status, reporter, accepted=True):
    from gongzhi.domain.enums import Channel, EventKind, Level
    from gongzhi.events.models import Category, Event
    cat = Category.objects.get_or_create(code="t", defaults={"name": "测试"})[0]
    grid = mini.people["r1"].grid
    now = timezone.now()
    return Event.objects.create(number=f"T{n}", kind=EventKind.HAZARD, category=cat, channel=Channel.OTHER,
                                title="楼道堆物", description="x", area=grid, area_path=grid.path, reporter=reporter,
                                status=status, handler_level=Level.GRID, handler_area=grid, route_reason="测试",
                                reported_at=now, accepted_at=now if accepted else None, closed_at=now)


def test_valid_reports_earn_once(mini):
    """An event accepted and closed earns its reporter's person points once (key event:<id>);
    rejected, merged, still open or without a registered reporter: nothing."""
    from gongzhi.domain.enums import Status
    u = mini.users
    good = [_event(mini, 1, Status.CLOSED, u["r1"]), _event(mini, 2, Status.CLOSED, u["r2"])]
    _event(mini, 3, Status.REJECTED, u["r1"], accepted=False)
    _event(mini, 4, Status.MERGED, u["r1"])
    _event(mini, 5, Status.HANDLING, u["r1"])
    _event(mini, 6, Status.CLOSED, u["nobody"])
    assert s.award_valid_reports() == {"awarded": 2, "capped": 0}
    assert s.award_valid_reports() == {"awarded": 0, "capped": 0}
    assert _balance(mini, "r1") == 5 and _balance(mini, "r2") == 5
    assert set(Posting.objects.values_list("key", flat=True)) == {f"event:{e.pk}" for e in good}
    for n in range(7, 11):                  # the report rule's cap: 20 a day (4 reports)
        _event(mini, n, Status.CLOSED, u["r1"])
    assert s.award_valid_reports() == {"awarded": 3, "capped": 1}
    assert _balance(mini, "r1") == 20


def test_earning_day_is_shanghai(mini):
    """00:30 in Shanghai on 1 January is still 31 December in UTC: the points belong to the new day."""
    with time_machine.travel(shanghai(2027, 1, 1, 0, 30), tick=False):
        p = s.award(person=mini.people["r1"], rule=Source.PATROL, key="p:1", actor=None)
    assert p.earned_on == date(2027, 1, 1) and p.expires_on == date(2028, 12, 31)
