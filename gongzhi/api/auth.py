import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from ninja.security import HttpBearer, SessionAuth

from gongzhi.accounts.models import ApiToken
from gongzhi.core.errors import ServiceError
from gongzhi.domain.tokens import TokenState

# Whether a token holds is read from the database on every call (ApiToken.check_key: one indexed
# statement): a deleted or revoked token, an expired one or a deactivated user is refused on the
# very next request, in every process.  What is kept per process, for GONGZHI_TOKEN_USER_CACHE_SECONDS
# and only for a token that has just been checked, is the user object it resolves to — with their
# profile and, once computed, their scope (roles, areas, organisations): apps send bursts of calls
# with one token, and reading those again was two thirds of a report's Python time (ADR 0005).
# Price: a changed role or profile reaches token calls in other processes within that time.
MAX_CACHED = 10_000
_ninja_log = logging.getLogger("django")     # where ninja's HttpBearer logs a wrong scheme
_users: dict[int, tuple[float, object]] = {}


class TokenRefused(ServiceError):
    """A token we know that no longer holds: the caller is told why (expired, revoked, account
    stopped) instead of the unknown-token "请先登录", so an integration knows to get a new one."""

    status = 401

    def __init__(self, state: TokenState):
        super().__init__(state.label, code=f"token_{state.value}")
        self.state = state


def user_for_key(key: str):
    """The user an API key stands for, or None for a key nobody issued (or whose user is gone);
    TokenRefused for one we know that no longer holds.  Every channel that takes a key uses this
    one function: the Bearer header (TokenAuth) and Open311's ``api_key``."""
    found = ApiToken.check_key(key)
    if found is None:
        return None
    if found.state is not TokenState.VALID:
        _users.pop(found.token_id, None)
        raise TokenRefused(found.state)
    now, hit = time.monotonic(), _users.get(found.token_id)
    if hit is not None and now - hit[0] < settings.GONGZHI_TOKEN_USER_CACHE_SECONDS and hit[1].pk == found.user_id:
        return hit[1]
    user = ApiToken.user_of(found)
    if user is None:
        return None
    if len(_users) >= MAX_CACHED:
        _users.clear()
    _users[found.token_id] = (now, user)
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gz_...`` for apps and integrations."""

    def __call__(self, request):
        # ninja's HttpBearer.__call__, reading the one header from META: ``request.headers``
        # first builds a mapping of every header (a fifth of a token check's instructions).
        value = request.META.get("HTTP_AUTHORIZATION")
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            if settings.DEBUG:
                _ninja_log.error(f"Unexpected auth - '{value}'")
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token):
        user = user_for_key(token)
        if user is None:
            return None
        request.user = user
        return user


def forget_tokens() -> None:
    """Drop the users kept for token calls (tests; a role change that must apply at once)."""
    _users.clear()


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
