"""Upload limits as rules: how many pixels an image may claim, how many files a user may send in a
window.  Pure Python: the service counts and measures, these decide."""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta


def too_many_pixels(width: int, height: int, limit: int, frames: int = 1) -> bool:
    """An image whose header claims more than ``limit`` pixels is refused before anything decodes
    it: a few kilobytes of PNG can claim 30000×30000 and take gigabytes to decode (a pixel bomb).
    An animation is held decoded frame by frame when it is re-saved, so its ``frames`` count
    together.  The limit itself is allowed; a zero or negative size is nonsense and refused too."""
    return width <= 0 or height <= 0 or frames <= 0 or frames * width * height > limit


def quota_wait(recent: Iterable[datetime], now: datetime, *, adding: int, limit: int,
               window: timedelta) -> int:
    """Seconds until ``adding`` more uploads fit in the window; 0 when they fit now.

    ``recent`` are the times of the user's earlier uploads (any order, older ones are ignored).
    At most ``limit`` uploads may fall within any ``window`` ending now.  A batch larger than the
    limit never fits: the answer is then the whole window (try fewer files).  ``limit`` ≤ 0 turns
    the rule off."""
    if limit <= 0 or adding <= 0:
        return 0
    if adding > limit:
        return math.ceil(window.total_seconds())
    start = now - window
    inside = sorted(t for t in recent if t > start)
    over = len(inside) + adding - limit
    if over <= 0:
        return 0
    # The over-th oldest upload has to leave the window before the batch fits.
    frees_at = inside[over - 1] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
