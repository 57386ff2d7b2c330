"""Likely repeats of an event: same matter, same place, close in time (for 并单).

Candidates share the top-level category, were reported within ``DAYS`` days, lie within
``METRES`` (or in the same grid when either has no point) and are still open. They are ranked by
a score that weighs how alike the descriptions read (rapidfuzz, character level — Chinese has no
spaces), how near they are and how close in time; each comes with the reasons in words.
"""
from __future__ import annotations

import math
from datetime import timedelta

from rapidfuzz import fuzz

from gongzhi.domain.enums import Status

from .models import Event
from .scope import visible_events

DAYS = 7
METRES = 300
MIN_SCORE = 0.55
DEAD = (Status.REJECTED, Status.CLOSED, Status.MERGED)


def metres(lon1, lat1, lon2, lat2) -> float:
    """Great-circle distance (haversine), plenty for a few hundred metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def text_similarity(a: str, b: str) -> float:
    """0..1: the better of whole-text and best-window similarity (one report may say more)."""
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.partial_ratio(a, b) * 0.9) / 100.0


def candidates(user, ev: Event, limit: int = 5) -> list[dict]:
    top = "/" + ev.category.path.strip("/").split("/")[0] + "/"
    window = (ev.reported_at - timedelta(days=DAYS), ev.reported_at + timedelta(days=DAYS))
    qs = (visible_events(user).filter(category__path__startswith=top, reported_at__range=window)
          .exclude(pk=ev.pk).exclude(status__in=[s.value for s in DEAD]).select_related("area", "category"))
    if ev.lon is not None and ev.lat is not None:
        dlat = METRES / 111_000
        dlon = dlat / max(0.2, math.cos(math.radians(ev.lat)))
        near = qs.filter(lon__range=(ev.lon - dlon, ev.lon + dlon), lat__range=(ev.lat - dlat, ev.lat + dlat))
        qs = near | qs.filter(lon__isnull=True, area=ev.area)
    else:
        qs = qs.filter(area=ev.area)
    out = []
    for other in qs[:200]:
        if ev.lon is not None and other.lon is not None:
            d = metres(ev.lon, ev.lat, other.lon, other.lat)
            if d > METRES:
                continue
            place = 1 - d / METRES
            where = f"相距 {d:.0f} 米"
        else:
            place, where = 0.5, "同一网格"
        hours = abs((other.reported_at - ev.reported_at).total_seconds()) / 3600
        when = 1 - hours / (DAYS * 24)
        text = text_similarity(ev.description, other.description)
        score = 0.6 * text + 0.25 * place + 0.15 * when
        if score < MIN_SCORE:
            continue
        out.append({"id": other.id, "number": other.number, "title": other.title, "status": other.status,
                    "status_label": Status(other.status).label, "score": round(score, 2),
                    "reason": f"{where}，相隔 {hours:.0f} 小时，描述相似 {text:.0%}"})
    out.sort(key=lambda c: -c["score"])
    return out[:limit]
