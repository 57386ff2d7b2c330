"""Casting, retries and duplicates, 代投, paper double entry, moving out, the count, receipts, the
tamper-evident ballot log (both databases)."""
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.core import chain
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain.votes import Basis, BatchStatus, MoveRule, OptionRole, Outcome, ProposalStatus as S, Via
from gongzhi.registry.models import Household, Person
from gongzhi.votes import ballots, services as s
from gongzhi.votes.inputs import BallotIn, OptionIn, PaperIn, ProposalIn, ProxyIn, SignInIn  # noqa: F401
from gongzhi.votes.models import Ballot, Voter, chain_name


def key():
    return uuid.uuid4().hex


def _open(v, *, basis=Basis.HOUSEHOLD, move=MoveRule.KEEPS, area=None):
    staff = v["staff"]
    now = timezone.now()
    p, _ = s.propose(actor=staff, data=ProposalIn(
        area_id=(area or v["decided"].area).pk, title="测试议题", summary="测试方案说明",
        options=[OptionIn(label="同意"), OptionIn(label="不同意", role=OptionRole.AGAINST),
                 OptionIn(label="弃权", role=OptionRole.ABSTAIN)],
        basis=basis, move_rule=move, vote_opens_at=now - timedelta(minutes=1), vote_closes_at=now + timedelta(days=1)))
    s.open_voting(actor=staff, proposal_id=p.pk)
    p.refresh_from_db()
    return p


def _close(v, p):
    return ballots.close(actor=v["staff"], proposal_id=p.pk, at=p.vote_closes_at + timedelta(seconds=1))


def test_one_vote_per_household_retry_returns_the_same_receipt(votes_demo):
    v = votes_demo
    p = _open(v)
    u = v["voters"][0]
    k = key()
    receipt, new = ballots.cast(actor=u, proposal_id=p.pk, data=BallotIn(option="1", client_key=k))
    again, new2 = ballots.cast(actor=u, proposal_id=p.pk, data=BallotIn(option="2", client_key=k))
    assert (new, new2, again) == (True, False, receipt)
    with pytest.raises(Conflict) as e:
        ballots.cast(actor=u, proposal_id=p.pk, data=BallotIn(option="2", client_key=key()))
    assert e.value.code == "already_voted"
    assert list(Ballot.objects.filter(proposal=p).values_list("option", "receipt")) == [("1", receipt)]
    voter = Voter.objects.get(proposal=p, voted=True)
    assert (voter.via, voter.voted_on, voter.key_hash != k) == (Via.ONLINE, timezone.localdate(), True)


def test_a_second_member_of_the_household_cannot_vote_again(votes_demo, district):
    from gongzhi.demo.votes import link_user
    v = votes_demo
    p = _open(v)
    head = v["heads"][0]
    other = Person.objects.filter(household=head.household, birth_date__lt=date(2000, 1, 1)).exclude(pk=head.pk).first()
    other_user = link_user(district, "jmother", other)
    ballots.cast(actor=v["voters"][0], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))
    with pytest.raises(Conflict):
        ballots.cast(actor=other_user, proposal_id=p.pk, data=BallotIn(option="2", client_key=key()))
    # per adult, both members vote
    q = _open(v, basis=Basis.ADULT)
    ballots.cast(actor=v["voters"][0], proposal_id=q.pk, data=BallotIn(option="1", client_key=key()))
    ballots.cast(actor=other_user, proposal_id=q.pk, data=BallotIn(option="2", client_key=key()))
    assert Ballot.objects.filter(proposal=q).count() == 2 and q.roll_size == 36


def test_outsiders_staff_and_unknown_options_refused(votes_demo, district):
    v = votes_demo
    p = _open(v)
    with pytest.raises(Forbidden):
        ballots.cast(actor=v["staff"], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))
    with pytest.raises(Invalid):
        ballots.cast(actor=v["voters"][0], proposal_id=p.pk, data=BallotIn(option="9", client_key=key()))
    with pytest.raises(NotFound):       # a grid worker of another community does not even see it
        ballots.cast_proxy(actor=district.users["grid121"], proposal_id=p.pk, data=ProxyIn(
            person_id=v["heads"][5].pk, option="1", consent="同意", client_key=key()))


def test_proxy_records_helper_and_consent_not_the_choice(votes_demo):
    v = votes_demo
    p = _open(v)
    receipt, _ = ballots.cast_proxy(actor=v["helper"], proposal_id=p.pk, data=ProxyIn(
        person_id=v["heads"][10].pk, option="2", consent="本人当面同意，儿子见证", client_key=key()))
    row = Voter.objects.get(proposal=p, key=f"h{v['heads'][10].household_id}")
    assert (row.via, row.proxy_by, row.consent, row.cast_by) == (Via.PROXY, v["helper"], "本人当面同意，儿子见证",
                                                                  v["heads"][10])
    assert Ballot.objects.get(receipt=receipt).option == "2"
    with pytest.raises(Conflict):     # one vote: a second helper's attempt is a duplicate
        ballots.cast_proxy(actor=v["staff"], proposal_id=p.pk, data=ProxyIn(
            person_id=v["heads"][10].pk, option="1", consent="同意", client_key=key()))


def test_paper_double_entry(votes_demo, district):
    v = votes_demo
    p = _open(v)
    a, b = v["helper"], district.users["grid112"]
    for h in v["heads"][:5]:
        ballots.paper_sign_in(actor=a, proposal_id=p.pk, person_id=h.pk)
    with pytest.raises(Conflict):    # signed in once
        ballots.paper_sign_in(actor=a, proposal_id=p.pk, person_id=v["heads"][0].pk)
    first = ballots.paper_enter(actor=a, proposal_id=p.pk, data=PaperIn(batch="1号箱", counts={"1": 3, "2": 1}))
    assert first.status == BatchStatus.PENDING
    again = ballots.paper_enter(actor=a, proposal_id=p.pk, data=PaperIn(batch="1号箱", counts={"1": 3, "2": 1}))
    assert again.status == BatchStatus.PENDING          # the same person twice is not two entries
    second = ballots.paper_enter(actor=b, proposal_id=p.pk, data=PaperIn(batch="1号箱", counts={"1": 3, "2": 2}))
    assert second.status == BatchStatus.MISMATCH and not Ballot.objects.filter(proposal=p).exists()
    assert ballots.batches(p)[0]["mismatches"] == [("2", 1, 2)]
    with pytest.raises(Conflict):
        _close(v, p)                                   # a box not agreed blocks the count
    fixed = ballots.paper_enter(actor=a, proposal_id=p.pk, data=PaperIn(batch="1号箱", counts={"1": 3, "2": 2}))
    assert fixed.status == BatchStatus.COUNTED and fixed.ballots == 5
    assert sorted(Ballot.objects.filter(proposal=p).values_list("option", flat=True)) == ["1", "1", "1", "2", "2"]
    with pytest.raises(Conflict):
        ballots.paper_enter(actor=b, proposal_id=p.pk, data=PaperIn(batch="1号箱", counts={"1": 1}))
    # a second box with more ballots than sign-ins left (none) is a mismatch, never counted
    ballots.paper_enter(actor=a, proposal_id=p.pk, data=PaperIn(batch="2号箱", counts={"1": 1}))
    over = ballots.paper_enter(actor=b, proposal_id=p.pk, data=PaperIn(batch="2号箱", counts={"1": 1}))
    assert over.status == BatchStatus.MISMATCH and ballots.batches(p)[1]["over_signed"]
    with pytest.raises(Invalid):
        ballots.paper_enter(actor=a, proposal_id=p.pk, data=PaperIn(batch="3号箱", counts={"9": 1}))


@pytest.mark.parametrize("move,may_vote", [(MoveRule.KEEPS, True), (MoveRule.LOSES, False)])
def test_moving_out_mid_vote(votes_demo, move, may_vote):
    """18 households on the roll, 11 vote; then two households that have not voted move out.
    KEEPS: one of them still votes: 12 of 18 — exactly 2/3, a quorum.  LOSES: it is refused, and
    both leave the denominator: 11 of 16 ≥ 2/3 (11 of 18 would not be)."""
    v = votes_demo
    p = _open(v, move=move)
    heads = v["heads"]
    for h in heads[:11]:
        ballots.cast_proxy(actor=v["helper"], proposal_id=p.pk, data=ProxyIn(
            person_id=h.pk, option="1", consent="同意", client_key=key()))
    tomorrow = timezone.localdate()
    Household.objects.filter(pk__in=[heads[16].household_id, heads[17].household_id]).update(moved_out_on=tomorrow)
    mover = Person.objects.select_related("household").get(pk=heads[17].pk)
    later = timezone.now() + timedelta(hours=12)
    if may_vote:
        ballots.cast_proxy(actor=v["helper"], proposal_id=p.pk, at=later, data=ProxyIn(
            person_id=mover.pk, option="2", consent="同意", client_key=key()))
        assert Ballot.objects.filter(proposal=p).count() == 12
    else:
        with pytest.raises(Forbidden):
            ballots.cast_proxy(actor=v["helper"], proposal_id=p.pk, at=timezone.now() + timedelta(days=1, minutes=-1),
                               data=ProxyIn(person_id=mover.pk, option="2", consent="同意", client_key=key()))
    p.refresh_from_db()
    Household.objects.filter(pk=heads[17].household_id).update(moved_out_on=timezone.localdate())
    Household.objects.filter(pk=heads[16].household_id).update(moved_out_on=timezone.localdate())
    done = _close(v, p)
    if may_vote:       # 11 for, 1 against: passed
        assert (done.eligible, done.participants, done.outcome) == (18, 12, Outcome.PASSED)
    else:
        assert (done.eligible, done.participants, done.outcome) == (16, 11, Outcome.PASSED)


def test_no_quorum_fails_and_is_recorded(votes_demo):
    v = votes_demo
    p = _open(v)
    ballots.cast(actor=v["voters"][0], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))
    with pytest.raises(Conflict):
        ballots.close(actor=v["staff"], proposal_id=p.pk)      # the window is still open
    done = _close(v, p)
    assert (done.status, done.outcome, done.participants, done.eligible) == (S.FAILED, Outcome.NO_QUORUM, 1, 18)
    with pytest.raises(Conflict):       # no vote after the count
        ballots.cast(actor=v["voters"][1], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))


def test_receipts_published_after_the_count_only(votes_demo):
    v = votes_demo
    p = v["voting"]
    assert ballots.receipts(p) == []
    r, _ = ballots.cast(actor=v["voters"][4], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))
    assert ballots.lookup(p, r.lower().replace("-", " ")) == {"receipt": r, "counted": True}
    decided = v["decided"]
    decided.refresh_from_db()
    listed = ballots.receipts(decided)
    assert len(listed) == 15 and [x["receipt"] for x in listed] == sorted(x["receipt"] for x in listed)
    one = listed[0]
    assert ballots.lookup(decided, one["receipt"])["label"] == one["label"]
    assert ballots.lookup(decided, "0000-0000-0000") == {"receipt": "0000-0000-0000", "counted": False}


def test_tampered_ballot_is_found_by_the_one_verifier(votes_demo):
    p = votes_demo["decided"]
    p.refresh_from_db()
    assert all(f.broken_at is None for f in chain.verify_all() if f.kind == "ballots")
    target = Ballot.objects.get(proposal=p, seq=5)
    flip = "2" if target.option == "1" else "1"
    with connection.cursor() as cur:
        cur.execute("UPDATE votes_ballot SET option = %s WHERE id = %s", [flip, target.pk])
    found = {f.chain: f for f in chain.verify_all() if f.kind == "ballots"}
    assert found[chain_name(p.pk)].broken_at == 5 and found[chain_name(p.pk)].rows == 15
    assert found[chain_name(votes_demo["voting"].pk)].broken_at is None
    check = ballots.verify_tally(p)
    assert not check["ok"] and check["chain_broken_at"] == 5 and check["recounted"] != check["stored"]


def test_deleted_ballot_is_found(votes_demo):
    p = votes_demo["decided"]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM votes_ballot WHERE proposal_id = %s AND seq = %s", [p.pk, 15])
    assert ballots.verify_tally(p)["chain_broken_at"] == 15


def test_result_notice(votes_demo):
    from gongzhi.casework.documents import text_of
    from gongzhi.votes.documents import result_notice
    p = votes_demo["decided"]
    p.refresh_from_db()
    text = text_of(result_notice(p))
    for part in ("表决结果公告", "应参与 18 个，实际参与（计入选票）15 个，参与率 83.33%",
                 "同意：12 票，占参与人数 80.00%", "表决通过：同意", "第二百七十八条"):
        assert part in text, part


def test_points_hook_runs_after_the_count(votes_demo, django_capture_on_commit_callbacks):
    v = votes_demo
    p = _open(v)
    ballots.cast(actor=v["voters"][0], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _close(v, p)
    assert len(callbacks) == 1     # the award is queued for after the commit, never inside the vote


def test_participants_earn_points_once_after_the_count(votes_demo):
    from gongzhi.points.models import Posting
    from gongzhi.points.reference import ensure_rules
    ensure_rules()
    pid = votes_demo["decided"].pk
    assert ballots.reward_participants(pid) == 15          # online 6, 代投 3, paper 6: each person once
    keys = set(Posting.objects.filter(key__startswith=f"vote:{pid}:").values_list("key", flat=True))
    assert len(keys) == 15
    assert ballots.reward_participants(pid) == 15          # idempotent by key: nothing added
    assert Posting.objects.filter(key__startswith=f"vote:{pid}:").count() == 15


def test_the_sweep_counts_a_vote_when_its_window_closes_and_not_before(votes_demo):
    """Nothing closed a vote by itself: the organisers had to count by hand (ops.sweep.sweep_cases)."""
    from gongzhi.ops.sweep import sweep_cases
    v = votes_demo
    p = _open(v)
    ballots.cast(actor=v["voters"][0], proposal_id=p.pk, data=BallotIn(option="1", client_key=key()))
    already_due = set(ballots.Proposal.objects.filter(status=S.VOTING, vote_closes_at__lte=p.vote_closes_at)
                      .exclude(pk=p.pk).values_list("pk", flat=True))
    before = sweep_cases(now=p.vote_closes_at - timedelta(seconds=1))["vote_close"]
    p.refresh_from_db()
    assert p.status == S.VOTING
    assert sweep_cases(now=p.vote_closes_at)["vote_close"][0] == 1 + len(already_due) - before[0]
    p.refresh_from_db()
    assert p.status in (S.DECIDED, S.FAILED) and p.participants == 1 and p.decided_at == p.vote_closes_at
    assert ballots.verify_tally(p)["ok"] is True
    assert sweep_cases(now=p.vote_closes_at)["vote_close"] == (0, 0)        # counted once
