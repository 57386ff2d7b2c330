import time

from django.contrib.auth import get_user_model
from ninja.security import HttpBearer, SessionAuth

from gongzhi.accounts.models import ApiToken

# A resolved token (with the user's profile and, once computed, their scope) is reused for a
# few seconds: apps and integrations send bursts of requests with one token, and the lookup plus
# the scope were two thirds of a report's Python time (ADR 0005).  A revoked token, a
# deactivated user or a changed role takes effect within TOKEN_TTL in every process.
TOKEN_TTL = 10.0
MAX_CACHED = 10_000
_recent: dict[str, tuple[float, object]] = {}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gz_...`` for apps and integrations."""

    def authenticate(self, request, token):
        key, now = ApiToken.hash(token), time.monotonic()
        hit = _recent.get(key)
        if hit is not None and now - hit[0] < TOKEN_TTL:
            request.user = hit[1]
            return hit[1]
        user = ApiToken.user_for(token)
        if user is None:
            _recent.pop(key, None)
            return None
        if len(_recent) >= MAX_CACHED:
            _recent.clear()
        _recent[key] = (now, user)
        request.user = user
        return user


def forget_tokens() -> None:
    _recent.clear()


class CookieSessionAuth(SessionAuth):
    """The browser's session, CSRF-checked — but only when a session cookie is there to check.
    Without one the call cannot be a session call, and a wrong or expired token deserves a 401
    ("请先登录"), not ninja's 403 "CSRF check Failed"."""

    def __call__(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)


AUTH = [TokenAuth(), CookieSessionAuth()]
User = get_user_model()
