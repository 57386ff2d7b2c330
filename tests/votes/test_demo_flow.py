"""The demo's proposals through the services: states, the count, receipts, the notice."""
from gongzhi.domain.votes import Outcome, ProposalStatus as S
from gongzhi.votes import ballots
from gongzhi.votes.models import Ballot, Voter


def test_demo_builds_three_states(votes_demo):
    d = votes_demo
    for key, status in (("opinion", S.OPINION), ("voting", S.VOTING), ("decided", S.DECIDED)):
        d[key].refresh_from_db()
        assert d[key].status == status, key
    p = d["decided"]
    assert p.roll_size == 18 and p.eligible == 18
    # online 6 (one against), 代投 3, paper 4 for / 1 against / 1 abstain
    assert p.counts == {"1": 12, "2": 2, "3": 1} and p.participants == 15 and p.signed == 15
    assert p.outcome == Outcome.PASSED and p.carried == "1"
    assert ballots.verify_tally(p)["ok"]


def test_no_ballot_names_a_voter(votes_demo):
    names = {f.name for f in Ballot._meta.get_fields()}
    assert names == {"id", "proposal", "seq", "option", "receipt", "batch", "prev_hash", "hash"}
    # the roll keeps the day, never a time; and no choice
    assert {f.get_internal_type() for f in Voter._meta.get_fields() if f.name == "voted_on"} == {"DateField"}
    assert "option" not in {f.name for f in Voter._meta.get_fields()}
