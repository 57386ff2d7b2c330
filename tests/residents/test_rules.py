"""The residents' rules (gongzhi.domain.residents), from tables written out here."""
from datetime import datetime, timedelta, timezone

import pytest

from gongzhi.domain.residents import ReopenLimit, ReopenRefusal, phone_digits_match, reopen_refusal

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=timezone(timedelta(hours=8)))
LIMIT = ReopenLimit(max_times=2, days=15)


@pytest.mark.parametrize("reopens, answered_at, now, expected", [
    (0, T0, T0 + timedelta(days=1), None),
    (1, T0, T0 + timedelta(days=1), None),
    (2, T0, T0 + timedelta(days=1), ReopenRefusal.TOO_MANY),           # the third is refused
    (5, T0, T0, ReopenRefusal.TOO_MANY),
    (0, T0, T0 + timedelta(days=15), None),                           # exactly 15 days: still allowed
    (0, T0, T0 + timedelta(days=15, seconds=1), ReopenRefusal.TOO_LATE),
    (0, None, T0 + timedelta(days=400), None),                        # no answer recorded: no time bound
    (2, T0, T0 + timedelta(days=30), ReopenRefusal.TOO_MANY),          # both: the count is said first
])
def test_reopen_refusal(reopens, answered_at, now, expected):
    assert reopen_refusal(LIMIT, reopens=reopens, answered_at=answered_at, now=now) is expected


def test_reopen_days_zero_means_no_time_bound_and_max_zero_means_none():
    assert reopen_refusal(ReopenLimit(3, 0), reopens=0, answered_at=T0, now=T0 + timedelta(days=900)) is None
    assert reopen_refusal(ReopenLimit(0, 15), reopens=0, answered_at=T0, now=T0) is ReopenRefusal.TOO_MANY


@pytest.mark.parametrize("phone, last4, expected", [
    ("13812345678", "5678", True),
    ("13812345678", "5679", False),
    ("+86 138 1234 5678", "5678", True),     # separators and the country code do not count
    ("13812345678", "678", False),           # three digits prove nothing
    ("13812345678", "05678", False),         # five digits: not "the last four"
    ("13812345678", "56 78", True),          # a space typed between the digits
    ("", "0000", False),                     # no phone stored (an anonymous report)
    ("123", "0123", False),                  # a stored phone shorter than four digits never matches
    ("13812345678", "", False),
])
def test_phone_digits_match(phone, last4, expected):
    assert phone_digits_match(phone, last4) is expected
