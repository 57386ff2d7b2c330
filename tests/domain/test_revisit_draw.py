"""随机抽查回访's draw rules (domain.revisit), from tables written out here."""
from datetime import date

import pytest

from gongzhi.domain.revisit import ANY, Candidate, PickReason, config_key, draw, quota, seed_for, share_for

# n events, share %, calls expected — rounded up, at the edges.
QUOTAS = [
    (0, 10, 0), (1, 0, 0), (1, 1, 1), (9, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2), (21, 10, 3),
    (3, 33, 1), (3, 34, 2), (100, 100, 100), (7, 100, 7), (200, 1, 2), (199, 1, 2), (100, 1, 1), (101, 1, 2),
]


@pytest.mark.parametrize(("n", "percent", "calls"), QUOTAS)
def test_quota_rounds_up(n, percent, calls):
    assert quota(n, percent) == calls


@pytest.mark.parametrize("percent", [-1, 101])
def test_quota_refuses_a_share_outside_0_100(percent):
    with pytest.raises(ValueError):
        quota(5, percent)


SHARES = {("road", "d:cg"): 50, ("road", ANY): 30, (ANY, "a:g1"): 20}
# category, unit, share expected: the most specific configured share wins.
SPECIFIC = [("road", "d:cg", 50), ("road", "d:yj", 30), ("road", "a:g1", 30), ("noise", "a:g1", 20),
            ("noise", "d:cg", 5)]


@pytest.mark.parametrize(("category", "unit", "share"), SPECIFIC)
def test_most_specific_share_applies(category, unit, share):
    assert share_for(SHARES, 5, category, unit) == share


def _pool():
    # 1–4 complaints (any group); 10–29 road/cg (20 → 50 % = 10); 30–40 noise/g1 (11 → 20 % = 3);
    # 50–52 noise/yj (3 → default 0 % = 0).
    pool = [Candidate(i, "road", "d:cg", True) for i in range(1, 5)]
    pool += [Candidate(i, "road", "d:cg", False) for i in range(10, 30)]
    pool += [Candidate(i, "noise", "a:g1", False) for i in range(30, 41)]
    pool += [Candidate(i, "noise", "d:yj", False) for i in range(50, 53)]
    return pool


def test_every_complaint_is_drawn_and_each_group_its_quota():
    picks = draw(_pool(), SHARES, 0, seed=42)
    assert [p.event_id for p in picks if p.reason is PickReason.COMPLAINT] == [1, 2, 3, 4]
    by_group: dict[str, list[int]] = {}
    for p in picks:
        if p.reason is PickReason.SAMPLED:
            by_group.setdefault(p.group, []).append(p.event_id)
    assert {g: len(ids) for g, ids in by_group.items()} == {"road|d:cg": 10, "noise|a:g1": 3}
    assert all(10 <= i < 30 for i in by_group["road|d:cg"]) and all(30 <= i <= 40 for i in by_group["noise|a:g1"])
    assert len(set(p.event_id for p in picks)) == len(picks) == 17


def test_reproducible_for_the_same_seed_and_independent_of_input_order():
    a = draw(_pool(), SHARES, 0, seed=7)
    b = draw(list(reversed(_pool())), SHARES, 0, seed=7)
    assert a == b
    # Another seed draws another sample (of the same sizes).
    c = draw(_pool(), SHARES, 0, seed=8)
    assert [p.event_id for p in c] != [p.event_id for p in a] and len(c) == len(a)


def test_a_group_is_unaffected_by_another_groups_candidates():
    base = [p for p in draw(_pool(), SHARES, 0, seed=7) if p.group == "road|d:cg"]
    more = _pool() + [Candidate(i, "noise", "a:g1", False) for i in range(60, 70)]
    assert [p for p in draw(more, SHARES, 0, seed=7) if p.group == "road|d:cg"] == base


def test_seed_follows_day_and_configuration():
    cfg = config_key(SHARES, 10)
    assert cfg == config_key(dict(reversed(list(SHARES.items()))), 10)          # canonical
    assert seed_for(date(2026, 11, 2), cfg) == seed_for(date(2026, 11, 2), cfg)
    assert seed_for(date(2026, 11, 2), cfg) != seed_for(date(2026, 11, 3), cfg)
    assert seed_for(date(2026, 11, 2), cfg) != seed_for(date(2026, 11, 2), config_key(SHARES, 11))
    assert 0 <= seed_for(date(2026, 11, 2), cfg) < 2 ** 63
