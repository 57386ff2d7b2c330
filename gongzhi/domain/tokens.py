"""When an API token holds, and when its last use is worth writing down.

A token holds until the second it expires (``expires_at`` itself is already too late), unless it
was revoked or its user deactivated.  The last use is written when the stored one is older than
the touch interval, so a busy integration costs one UPDATE a minute, not one per call.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .enums import LabelledEnum


class TokenState(LabelledEnum):
    VALID = "valid", "有效"
    REVOKED = "revoked", "令牌已撤销"
    EXPIRED = "expired", "令牌已过期"
    USER_INACTIVE = "user_inactive", "账号已停用"


def token_state(now: datetime, *, expires_at: datetime, revoked_at: datetime | None,
                user_active: bool) -> TokenState:
    # Revocation first: it is someone's explicit word, and the message should say so even if the
    # token has also run out since.
    if revoked_at is not None:
        return TokenState.REVOKED
    if now >= expires_at:
        return TokenState.EXPIRED
    if not user_active:
        return TokenState.USER_INACTIVE
    return TokenState.VALID


def needs_touch(now: datetime, last_used_at: datetime | None, every: timedelta) -> bool:
    return last_used_at is None or now - last_used_at >= every
