"""Who is told what in 出卷票决 and 积分超市 (issue 17: both pillars told nobody).  The mapping table
written out; a proposal walked from 征求意见 to the sweep's count, and a resident's points from an
hours claim to a lapsed code, with a fan-out after every step — each step tells exactly the users
written here (the actor never), and every registered (kind, action) is walked.  A proposal's rows
are casework.CaseLog rows; the points' are the ledger's own postings (points.Posting, read by
their ``kind``): no parallel outbox."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils import timezone

from gongzhi.notify import registry
from gongzhi.notify.models import Notification
from gongzhi.points.models import Posting

from .told import Told

EXPECTED = sorted([
    ("proposal", "open_opinion", "vote"), ("proposal", "open_voting", "vote"), ("proposal", "open_voting", "vote"),
    ("proposal", "pass", "vote"), ("proposal", "pass", "vote"), ("proposal", "fail", "vote"),
    ("proposal", "fail", "vote"), ("proposal", "withdraw", "vote"),
    ("points", "award", "points"), ("points", "reverse", "points"), ("points", "expire", "points"),
    ("points", "refund", "points"), ("points", "redeem", "points"),
])


def test_the_mapping_table():
    assert [r for r in registry.table() if r[0] in {"proposal", "points"}] == EXPECTED


def test_votes_who_is_told(district):
    """The demo's community (gongzhi.demo.votes: comm11 organises; its two grids' teams grid111, grid112,
    police11 and nteam help); 18 households on the roll, six with an account: resident1–3, jm04–jm06."""
    from gongzhi.demo.votes import build_votes
    from gongzhi.domain.votes import OptionRole
    from gongzhi.votes import ballots, services as s
    from gongzhi.votes.inputs import BallotIn, OptionIn, ProposalIn
    v, staff = build_votes(district), district.users["comm11"]
    residents = ["jm04", "jm05", "jm06", "resident1", "resident2", "resident3"]
    told = Told()
    now = timezone.now()

    def propose(title, **when):
        return s.propose(actor=staff, data=ProposalIn(
            area_id=v["decided"].area.pk, title=title, summary="方案说明",
            options=[OptionIn(label="同意"), OptionIn(label="不同意", role=OptionRole.AGAINST)], **when))[0]

    p = propose("增设快递柜", opinion_until=now + timedelta(minutes=30), vote_opens_at=now + timedelta(hours=1),
                vote_closes_at=now + timedelta(days=1))
    assert told() == {}                                          # a draft is the organisers' own
    s.open_opinion(actor=staff, proposal_id=p.pk)
    assert told() == {("proposal", "open_opinion"): residents}
    s.withdraw(actor=staff, proposal_id=p.pk, reason="方案需重新测算")
    assert told() == {("proposal", "withdraw"): residents}
    draft = propose("草稿议题", vote_opens_at=now, vote_closes_at=now + timedelta(days=1))
    s.withdraw(actor=staff, proposal_id=draft.pk, reason="重复")
    assert told() == {}                                          # never published: nobody else knew of it

    q = propose("更换路灯", vote_opens_at=now - timedelta(minutes=1), vote_closes_at=now + timedelta(hours=1))
    s.open_voting(actor=staff, proposal_id=q.pk)
    assert told() == {("proposal", "open_voting"): ["grid111", "grid112", "jm04", "jm05", "jm06", "nteam",
                                                    "police11", "resident1", "resident2", "resident3"]}
    for u in v["voters"][:4]:
        ballots.cast(actor=u, proposal_id=q.pk, data=BallotIn(option="1", client_key=uuid.uuid4().hex))
    assert told() == {}                                          # a ballot writes no row: nothing times a vote
    q.refresh_from_db()
    ballots.close_due(now=q.vote_closes_at + timedelta(seconds=1))  # the sweep counts: 4 of 18, no quorum
    assert told() == {("proposal", "fail"): ["comm11", "county", "jm04", "jm05", "jm06", "resident1", "resident2",
                                             "resident3", "town1"]}

    r = propose("修缮凉亭", vote_opens_at=now - timedelta(minutes=1), vote_closes_at=now + timedelta(hours=1))
    s.open_voting(actor=staff, proposal_id=r.pk)
    told()
    for h in v["heads"][:13]:                                    # 13 of 18 households, all for
        ballots.cast_proxy(actor=district.users["grid111"], proposal_id=r.pk, data=_proxy(h))
    r.refresh_from_db()
    ballots.close(actor=staff, proposal_id=r.pk, at=r.vote_closes_at + timedelta(seconds=1))
    # The organiser who counted is not told of their own count; the other centres over the area are.
    assert told() == {("proposal", "pass"): ["county", "jm04", "jm05", "jm06", "resident1", "resident2", "resident3",
                                             "town1"]}
    n = Notification.objects.filter(user=district.users["resident1"], topic="vote", case_id=r.pk).latest("id")
    assert n.link == f"/votes/{r.pk}/" and n.text == f"议事表决：{r.number}（计票·表决通过）"
    assert told.missing({"proposal"}) == set()


def _proxy(person):
    from gongzhi.votes.inputs import ProxyIn
    return ProxyIn(person_id=person.pk, option="1", consent="本人当面同意由网格员代为投票", client_key=uuid.uuid4().hex)


def test_points_who_is_told(district):
    """The demo's 积分超市 (gongzhi.demo.points): managers jfgl1 and jfgl2, dhd1 at the first 兑换点 and
    dhd2 at the second; resident1–3 with points, resident3's own hours claim waiting."""
    from gongzhi.demo.points import build_points
    from gongzhi.points import services as s, shop
    from gongzhi.points.models import Claim, Redemption
    made = build_points(district)
    u = {**district.users, **made["users"]}
    counters, haircut = made["counters"], made["items"][3]
    told = Told()

    claim = Claim.objects.get(created_by=u["resident3"], status="claimed")
    s.decide_claim(actor=u["jfgl1"], claim_id=claim.pk, confirm=True)
    assert told() == {("points", "award"): ["resident3"]}
    n = Notification.objects.filter(user=u["resident3"], topic="points").latest("id")
    account = made["people"][2].points
    assert n.link == "/points/" and n.text == f"积分：#{account.pk}（获得积分）" and n.number == f"#{account.pk}"
    assert "陈阿婆" not in n.text and "买菜" not in n.text

    row, _ = shop.redeem(actor=u["resident1"], item_id=haircut.pk, counter_id=counters[1].pk)
    # The resident's own act tells them nothing; the clerk of the counter it is fetched at, on the till.
    assert told() == {("points", "redeem"): ["dhd2"]}
    assert Notification.objects.filter(user=u["dhd2"]).latest("id").link == "/points/counter/"
    shop.cancel(actor=u["jfgl2"], redemption_id=row.pk)
    assert told() == {("points", "refund"): ["resident1"]}       # cancelled by the shop: the points are back
    mine, _ = shop.redeem(actor=u["resident1"], item_id=haircut.pk, counter_id=counters[0].pk)
    assert told() == {("points", "redeem"): ["dhd1"]}
    shop.cancel(actor=u["resident1"], redemption_id=mine.pk)
    assert told() == {}                                          # cancelled by the resident: their own act
    late, _ = shop.redeem(actor=u["resident1"], item_id=haircut.pk, counter_id=counters[0].pk)
    told()
    Redemption.objects.filter(pk=late.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    assert shop.lapse_codes() == 1
    assert told() == {("points", "refund"): ["resident1"]}       # the code lapsed: the sweep gave them back
    shop.hand_over(actor=u["dhd2"], code=made["pending"].code)
    assert told() == {}                                          # handed over: no posting, nobody to tell

    award = Posting.objects.get(key=f"claim:{claim.pk}")
    s.reverse(actor=u["jfgl2"], posting_id=award.pk, reason="服务时长登记有误")
    assert told() == {("points", "reverse"): ["resident3"]}
    # resident3 has spent nothing (resident2's redemption took its oldest points first, FIFO).
    s.award(person=made["people"][2], rule="volunteer", key="test:old", qty=1, actor=None,
            earned_on=date(2024, 3, 1), reason="往年志愿服务")
    assert told() == {("points", "award"): ["resident3"]}
    assert s.expire_points() == 1                                # 2024's points lapsed at the end of 2025
    assert told() == {("points", "expire"): ["resident3"]}
    assert told.missing({"points"}) == set()
