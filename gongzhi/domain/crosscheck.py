"""倒逼 (应报未报): did the grid report the matter of a hotline order before the citizen called?

Pure Python over plain records, so it runs the same on a million rows in memory as on five in a
test. A *matter* is a thing at a place: the same object (by concept, through the thesaurus — "街灯"
is "路灯") at a compatible address (the same house number when both give one, the same landmark
when both name one, from the 标准地址 gazetteer of roads and landmarks).

1. Every grid report is reduced once to its facts (concepts, road, number, landmark) and filed by
   (topic, grid) in time order.
2. An order looks only at its own grid and the neighbouring ones, at reports made within
   ``window`` before the call.
3. A candidate is compatible when it shares a concept and no address fact contradicts; among
   compatible ones the one agreeing on most address facts wins, then text overlap, then the
   latest. An order naming no known object falls back to character-bigram overlap ≥ ``threshold``.
4. No compatible report: the order counts as 应报未报 against its grid; the nearest candidate by
   text is kept as evidence.

The facts of a report need only its own text and the vocabulary, so they can be worked out once,
when the report arrives, and kept (``Reader.file`` → ``Filed``; ADR 0017: the database keeps them
and the daily check only compares, ``check_filed``).  ``Index``/``check`` work them out again from
the texts each run — the old path, kept as the baseline — and both end in the one ``compare``.
"""
from __future__ import annotations

import gc
import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .thesaurus import OBJECTS, surface_forms

THRESHOLD = 0.35
WINDOW_SECONDS = 14 * 86_400
_NOISE = re.compile(r"[\s，。、：；！？,.:;!?（）()“”\"'《》【】\-—]+")
_NUMBER = re.compile(r"(\d+)号")


@dataclass(frozen=True)
class Record:
    id: int
    grid: int
    topic: str          # the top-level category: only the same kind of matter can match
    at: float           # POSIX seconds
    text: str


class Facts(NamedTuple):           # a NamedTuple: a million of them are built per run
    concepts: frozenset[str]
    road: str | None
    number: str | None
    landmark: str | None


class Filed(NamedTuple):
    """A grid report as the matcher keeps it: its facts and the gist its text overlap is read
    from (the text with the address and punctuation taken out), in plain columns."""
    id: int
    grid: int
    topic: str
    at: float
    concepts: str                 # the concepts, sorted, joined by CONCEPT_SEP ("" for none)
    road: str | None
    number: str | None
    landmark: str | None
    gist: str


CONCEPT_SEP = "|"
_NO_CONCEPTS: frozenset[str] = frozenset()


def facts_of(f: Filed) -> Facts:
    return Facts(frozenset(f.concepts.split(CONCEPT_SEP)) if f.concepts else _NO_CONCEPTS,
                 f.road, f.number, f.landmark)


def bigrams(s: str) -> frozenset[str]:
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


@dataclass(frozen=True)
class Verdict:
    order_id: int
    matched_id: int | None
    score: float
    nearest_id: int | None        # the best candidate even when not compatible (evidence)
    candidates: int
    reason: str = ""


def _alternation(words: Iterable[str]) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)      # longest first: 公共厕所 before 厕所
    return re.compile("|".join(map(re.escape, words))) if words else None


class Reader:
    """Turns a text into Facts in one regex pass (objects, roads, landmarks and 门牌号 together;
    a million reports are read in a few seconds)."""

    def __init__(self, concepts: dict[str, tuple[str, ...]] = OBJECTS, roads: Iterable[str] = (),
                 landmarks: Iterable[str] = ()):
        self.forms = surface_forms(concepts)
        self.kind = {**{w: "l" for w in landmarks}, **{w: "r" for w in roads}, **{w: "c" for w in self.forms}}
        words = _alternation(self.kind)
        self.pattern = re.compile(f"(\\d+)号|({words.pattern})" if words else r"(\d+)号()")
        places = _alternation([*roads, *landmarks])
        self.place_re = re.compile(f"\\d+号|{places.pattern}" if places else r"\d+号")

    def facts(self, text: str) -> Facts:
        concepts, road, number, landmark = [], None, None, None
        kind, forms = self.kind, self.forms
        for num, w in self.pattern.findall(text or ""):
            if num:
                number = number or num
            elif kind[w] == "c":
                concepts.append(forms[w])
            elif kind[w] == "r":
                road = road or w
            else:
                landmark = landmark or w
        return Facts(frozenset(concepts), road, number, landmark)


    def gist(self, text: str) -> str:
        """What the text says, its address and punctuation left out: two things at one address
        share the address, which says nothing about whether they are one matter."""
        return _NOISE.sub("", self.place_re.sub("", text or ""))

    def grams(self, text: str) -> frozenset[str]:
        """Character bigrams of the gist."""
        return bigrams(self.gist(text))

    def file(self, r: Record) -> Filed:
        f = self.facts(r.text)
        return Filed(r.id, r.grid, r.topic, r.at, CONCEPT_SEP.join(sorted(f.concepts)), f.road, f.number,
                     f.landmark, self.gist(r.text))

    def fingerprint(self) -> str:
        """Names the vocabulary (thesaurus and gazetteer): kept facts read with another one are
        stale, and are filed again."""
        words = "\n".join(f"{w}\t{k}\t{self.forms.get(w, '')}" for w, k in sorted(self.kind.items()))
        return hashlib.sha256(words.encode()).hexdigest()[:32]


def _agreement(a: Facts, b: Facts) -> int | None:
    """How many address facts agree; None when one contradicts (both given and different)."""
    agree = 0
    for x, y in ((a.road, b.road), (a.number, b.number), (a.landmark, b.landmark)):
        if x is not None and y is not None:
            if x != y:
                return None
            agree += 1
    return agree


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the shorter text's character bigrams found in the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _by_time(row) -> tuple[float, int]:
    return row[0], row[1].id


def search_grids(grid: int, neighbours: dict[int, set[int]]) -> list[int]:
    """The grids an order looks in, in the order every path visits them (the nearest candidate
    is the first of the best by text, so the order decides ties)."""
    return list({grid, *neighbours.get(grid, ())})


class Index:
    def __init__(self, reports: Iterable[Record], neighbours: dict[int, set[int]] | None = None,
                 reader: Reader | None = None):
        self.reader = reader or Reader()
        buckets: dict[tuple[str, int], list[tuple[float, Record, Facts]]] = defaultdict(list)
        facts = self.reader.facts
        # Millions of small objects, all kept: the cyclic GC would rescan them again and again
        # for nothing (a third of the build time), so it waits until the index is built.
        paused = gc.isenabled()
        gc.disable()
        try:
            for r in reports:
                buckets[(r.topic, r.grid)].append((r.at, r, facts(r.text)))
        finally:
            if paused:
                gc.enable()
        self.buckets = {}
        for key, rows in buckets.items():
            rows.sort(key=_by_time)       # time, then id: ties go the same way on every path
            self.buckets[key] = ([x[0] for x in rows], [x[1:] for x in rows])
        self.neighbours = neighbours or {}

    def candidates(self, order: Record, window: float):
        for grid in search_grids(order.grid, self.neighbours):
            bucket = self.buckets.get((order.topic, grid))
            if not bucket:
                continue
            times, rows = bucket
            lo, hi = bisect_left(times, order.at - window), bisect_right(times, order.at)
            yield from rows[lo:hi]


def check(order: Record, index: Index, *, window: float = WINDOW_SECONDS, threshold: float = THRESHOLD) -> Verdict:
    """The old path: candidates from an index built this run, their texts read again."""
    reader = index.reader
    grams = reader.grams
    return compare(order.id, reader.facts(order.text), reader.grams(order.text),
                   ((r.id, r.at, f, grams(r.text)) for r, f in index.candidates(order, window)), threshold)


def check_filed(order: Record, candidates: Iterable[Filed], reader: Reader, *,
                threshold: float = THRESHOLD) -> Verdict:
    """The kept path: ``candidates`` are the filed reports of the order's grids (``search_grids``
    order) in its window, each grid's in time order (then id)."""
    return compare(order.id, reader.facts(order.text), reader.grams(order.text),
                   ((f.id, f.at, facts_of(f), bigrams(f.gist)) for f in candidates), threshold)


def compare(order_id: int, mine: Facts, my_grams: frozenset[str], candidates, threshold: float = THRESHOLD) -> Verdict:
    """The verdict over ``candidates``: (report id, at, Facts, bigrams of its gist), in the order
    they are visited."""
    best: tuple[tuple[int, float, float], int] | None = None   # (key, report id) of the best match
    nearest: int | None = None
    nearest_score, n = -1.0, 0
    for rid, at, f, grams in candidates:
        n += 1
        text = overlap(my_grams, grams)
        if text > nearest_score:
            nearest, nearest_score = rid, text
        agree = _agreement(mine, f)
        if agree is None:
            continue
        if mine.concepts and f.concepts:
            if not mine.concepts & f.concepts:
                continue
        elif text < threshold:          # no known object on one side: the words must carry it
            continue
        key = (agree, text, at)
        if best is None or key > best[0]:
            best = key, rid
    if best is not None:
        (agreed, score, _at), match = best
        how = "同一事项" if mine.concepts else "文本相近"
        return Verdict(order_id, match, round(score, 3), match, n,
                       f"{how}（地址一致 {agreed} 项，文字重合 {score:.0%}）")
    why = "时间窗内本网格及相邻网格无同类上报" if n == 0 else f"{n} 件同类上报均非同一事项"
    return Verdict(order_id, None, round(max(nearest_score, 0.0), 3), nearest, n, why)
