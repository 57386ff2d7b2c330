"""Residents' rules (issue 17): how often and how late an unsatisfied reporter may ask for 重办,
and what a public tracking lookup must match.  Pure Python; the services bring the settings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class ReopenRefusal(Enum):
    TOO_MANY = "too_many"        # reopened the configured number of times already
    TOO_LATE = "too_late"        # the answer is older than the configured days


@dataclass(frozen=True)
class ReopenLimit:
    max_times: int               # at most this many 重办 per event (0: none at all)
    days: int                    # within this many days of the answer (0: no bound)


def reopen_refusal(limit: ReopenLimit, *, reopens: int, answered_at: datetime | None,
                   now: datetime) -> ReopenRefusal | None:
    """None when a 重办 may go ahead.  ``days`` counts whole 24-hour days from the answer: the
    answer at 10:00 with days=15 may be reopened until 10:00 fifteen days later, inclusive."""
    if reopens >= limit.max_times:
        return ReopenRefusal.TOO_MANY
    if limit.days > 0 and answered_at is not None and now - answered_at > timedelta(days=limit.days):
        return ReopenRefusal.TOO_LATE
    return None


def phone_digits_match(phone: str, last4: str) -> bool:
    """A lookup's four digits against the stored phone: only digits count (a +86 or spaces in
    either do not matter); a phone with fewer than four digits never matches (nothing to prove)."""
    stored = "".join(c for c in phone if c.isdigit())
    given = "".join(c for c in last4 if c.isdigit())
    return len(stored) >= 4 and len(given) == 4 and stored[-4:] == given
