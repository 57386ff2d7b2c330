"""随机抽查回访: which answered events are drawn into the day's call-back list (issue 17).

Every complaint is called back.  Of the rest, a configured share of each (category, unit) group is
drawn at random; the most specific configured share applies (category and unit, then category,
then unit, then the default).  A share's quota is rounded UP: 10 % of 11 events is 2 calls, so a
small unit is never skipped because its share rounds to zero (a 0 % share draws nothing).

The draw is reproducible: its seed is derived from the day and the configuration, and each group is
shuffled by its own generator seeded from that seed and the group's key, so the same day and the
same configuration give the same list, whatever else changed in other groups.  Pure Python.
"""
from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .enums import LabelledEnum

ANY = ""          # a share's category or unit that matches every one


class PickReason(LabelledEnum):
    COMPLAINT = "complaint", "投诉件全部回访"
    SAMPLED = "sampled", "随机抽取"


@dataclass(frozen=True)
class Candidate:
    event_id: int
    category: str          # the category's code
    unit: str              # the handling unit's key ("d:<department code>" or "a:<area code>")
    complaint: bool


@dataclass(frozen=True)
class Pick:
    event_id: int
    reason: PickReason
    group: str             # "<category>|<unit>" the share was applied to ("" for complaints)


def quota(n: int, percent: int) -> int:
    """How many of ``n`` a ``percent`` share calls: rounded up (integer arithmetic, no float edge)."""
    if not 0 <= percent <= 100:
        raise ValueError(f"share must be 0–100 %, got {percent}")
    return (n * percent + 99) // 100


def share_for(shares: Mapping[tuple[str, str], int], default: int, category: str, unit: str) -> int:
    for key in ((category, unit), (category, ANY), (ANY, unit)):
        if key in shares:
            return shares[key]
    return default


def config_key(shares: Mapping[tuple[str, str], int], default: int) -> str:
    """The configuration written canonically: part of the seed, and stored with the draw."""
    return json.dumps({"default": default, "shares": sorted([c, u, p] for (c, u), p in shares.items())},
                      ensure_ascii=False, separators=(",", ":"))


def seed_for(day: date, config: str) -> int:
    digest = hashlib.sha256(f"{day.isoformat()}|{config}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1      # fits a signed 64-bit column


def draw(candidates: Iterable[Candidate], shares: Mapping[tuple[str, str], int], default: int,
         seed: int) -> list[Pick]:
    """The call-back list, ordered by event id."""
    picks: list[Pick] = []
    groups: dict[tuple[str, str], list[int]] = {}
    for c in candidates:
        if c.complaint:
            picks.append(Pick(c.event_id, PickReason.COMPLAINT, ""))
        else:
            groups.setdefault((c.category, c.unit), []).append(c.event_id)
    for (category, unit), ids in sorted(groups.items()):
        k = quota(len(ids), share_for(shares, default, category, unit))
        rng = random.Random(f"{seed}|{category}|{unit}")
        for event_id in rng.sample(sorted(ids), k):
            picks.append(Pick(event_id, PickReason.SAMPLED, f"{category}|{unit}"))
    return sorted(picks, key=lambda p: p.event_id)
