"""domain.chain: the one hash link of ballots, points postings and credit entries (issue 19)."""
import hashlib
from datetime import UTC, datetime

from gongzhi.domain import chain as dc


def _rows(contents):
    prev, out = dc.GENESIS, []
    for i, text in enumerate(contents, start=1):
        digest = hashlib.sha256((prev + text).encode()).hexdigest()     # written out, not dc.link
        out.append(dc.Link(i, prev, digest, text))
        prev = digest
    return out


def test_canonical_is_sorted_compact_and_utc():
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert dc.canonical({"b": 1, "a": "议", "at": at}) == '{"a":"议","at":"2026-12-01T08:00:00.000000+00:00","b":1}'


def test_an_intact_chain_holds_with_its_head():
    rows = _rows(["a", "b", "c"])
    assert dc.first_break(rows, head=(3, rows[-1].hash)) is None
    assert dc.first_break([], head=(0, dc.GENESIS)) is None


def test_each_kind_of_tampering_names_the_first_broken_row():
    rows = _rows(["a", "b", "c", "d"])
    edited = rows[:1] + [dc.Link(2, rows[1].prev_hash, rows[1].hash, "B")] + rows[2:]
    assert dc.first_break(edited) == 2                          # content changed
    assert dc.first_break(rows[:2] + rows[3:]) == 3             # row 3 deleted: a gap
    assert dc.first_break([rows[1], rows[0]] + rows[2:]) == 1   # reordered
    assert dc.first_break(rows[:3], head=(4, rows[3].hash)) == 4   # the last row removed
    assert dc.first_break(rows, head=(4, rows[3].hash)) is None
