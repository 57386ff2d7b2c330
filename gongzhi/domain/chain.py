"""Tamper evidence for append-only records (issue 19): ballots, points postings, credit entries.

Each row carries ``prev_hash`` (the hash of the row before it in its chain) and ``hash`` =
sha256(prev_hash + canonical content).  Editing a row's content, deleting a row or reordering rows
breaks a link the verifier finds: :func:`first_break` names the first broken row.  The content is
canonical JSON (sorted keys, no spaces), so the same facts always hash the same.

Pure: the database side (one head row per chain, locked while appending) is ``core.chain``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

GENESIS = "0" * 64


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if not isinstance(value, (int, float, bool, type(None), list, dict)) else value


def canonical(fields: Mapping[str, object]) -> str:
    """The one text a row's hash covers: its fields as sorted, compact JSON (dates in UTC ISO)."""
    return json.dumps({k: _plain(v) for k, v in fields.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)


def link(prev: str, content: str) -> str:
    return hashlib.sha256((prev + content).encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str
    content: str


def first_break(links: Iterable[Link], *, start: str = GENESIS, first_seq: int = 1,
                head: tuple[int, str] | None = None) -> int | None:
    """The seq of the first row whose link is broken, or None when the chain holds.

    1. rows must come in seq order with no gap (a deleted row is a gap);
    2. each row's prev_hash must be the hash before it, and its hash must cover its content;
    3. with ``head`` (the chain's stored (seq, hash)), the last row must be the head: a row removed
       from the end is found too (reported as the seq after the last row that holds)."""
    prev, expected = start, first_seq
    for row in links:
        if row.seq != expected or row.prev_hash != prev or row.hash != link(prev, row.content):
            return expected if row.seq > expected else row.seq
        prev, expected = row.hash, row.seq + 1
    if head is not None and tuple(head) != (expected - 1, prev):
        return expected
    return None
