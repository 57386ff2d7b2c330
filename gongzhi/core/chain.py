"""Appending to a hash chain and verifying one (the database side of ``domain.chain``).

A chained model has ``seq``, ``prev_hash`` and ``hash`` columns and a ``chain_fields()`` method
returning the facts its hash covers.  ``append`` must run inside the writer's transaction: it locks
the chain's head row, so the seq and the link are taken by one writer at a time, and a rolled-back
write leaves the head as it was.  Pillars register their chains (``register``) so one command and
one page verify them all (``verify_all``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from gongzhi.domain import chain as dc

from .models import ChainHead


def append(name: str, fields: dict) -> tuple[int, str, str]:
    """(seq, prev_hash, hash) for the next row of chain ``name`` with these facts; the head moves."""
    assert transaction.get_connection().in_atomic_block, "core.chain.append runs inside the write's transaction"
    head = ChainHead.objects.select_for_update().filter(name=name).first()
    if head is None:
        try:
            with transaction.atomic():
                ChainHead.objects.create(name=name, seq=0, head_hash=dc.GENESIS)
        except IntegrityError:
            pass        # another writer created it first; its row is locked below either way
        head = ChainHead.objects.select_for_update().get(name=name)
    seq = head.seq + 1
    digest = dc.link(head.head_hash, dc.canonical(fields))
    prev = head.head_hash
    ChainHead.objects.filter(pk=head.pk).update(seq=seq, head_hash=digest)
    return seq, prev, digest


def head_of(name: str) -> tuple[int, str]:
    head = ChainHead.objects.filter(name=name).first()
    return (head.seq, head.head_hash) if head else (0, dc.GENESIS)


@dataclass(frozen=True)
class Registered:
    label: str                                   # what a person reads: "电子票决选票"
    chains: Callable[[], Iterable[str]]          # the chain names of this kind now
    rows: Callable[[str], Iterable]              # the rows of one chain in seq order (chain_fields())
    # A chain kept by its own rules (the 三金 ledger: a head on each fund, balanced postings, cached
    # balances): (rows, first broken seq or None) from its own verifier instead of ``verify``.
    check: Callable[[str], tuple[int, int | None]] | None = None


_CHAINS: dict[str, Registered] = {}


def register(kind: str, label: str, chains: Callable[[], Iterable[str]], rows: Callable[[str], Iterable],
             check: Callable[[str], tuple[int, int | None]] | None = None) -> None:
    _CHAINS[kind] = Registered(label, chains, rows, check)


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    chain: str
    rows: int
    broken_at: int | None          # seq of the first broken link, None when the chain holds


def verify(name: str, rows: Iterable) -> tuple[int, int | None]:
    links = [dc.Link(r.seq, r.prev_hash, r.hash, dc.canonical(r.chain_fields())) for r in rows]
    return len(links), dc.first_break(links, head=head_of(name))


def verify_all() -> list[Finding]:
    out = []
    for kind, reg in sorted(_CHAINS.items()):
        for name in reg.chains():
            count, broken = reg.check(name) if reg.check else verify(name, reg.rows(name))
            out.append(Finding(kind, reg.label, name, count, broken))
    return out
