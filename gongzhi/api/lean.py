"""The lean path for token-authenticated API calls (see config/wsgi.py)."""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIHandler
from django.urls import ResolverMatch, URLResolver, get_resolver, set_urlconf
from django.utils import translation
from django.utils.cache import patch_vary_headers

from gongzhi.api import headers
from gongzhi.core import http

# What a token request still needs: the full stack's response headers (security, CSP, frames,
# no-store: gongzhi.api.headers), no NUL characters (gongzhi.web.guards) and the user's language
# (labels and errors are read by people).  Session, CSRF, messages and htmx belong to browser
# sessions.
LEAN_MIDDLEWARE = [
    "gongzhi.core.resilience.DatabaseGuard",  # a database that is away: 503 JSON, not a 500 or a 401
    "gongzhi.api.lean.api_only",
    "gongzhi.api.headers.api_headers",        # token answers carry personal data too: private, no-store
    "gongzhi.web.guards.refuse_nul",
    "gongzhi.api.lean.api_language",
]


def wants_lean(environ) -> bool:
    return (environ.get("PATH_INFO", "").startswith("/api/")
            and environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
            and "HTTP_COOKIE" not in environ)


def api_only(get_response):
    """Resolve against the API's URLs only, and start anonymous until the token says who."""
    def middleware(request):
        request.urlconf = "config.urls_api"
        request.user = AnonymousUser()
        response = get_response(request)
        if response.status_code == 404 and settings.DEBUG and "json" not in response.get("Content-Type", ""):
            # With DEBUG on (a developer's machine) Django answers an unknown path with its HTML
            # page whatever handler404 says; an app or integration reads JSON either way.
            return not_found(request)
        return response
    return middleware


def api_language(get_response):
    """LocaleMiddleware's choice for a call with no cookie and no language prefix in its path:
    Django's own reading of Accept-Language, remembered per header value.  LocaleMiddleware
    spent 6% of a lean report's instructions checking cookie and path every time."""
    def middleware(request):
        lang = _language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = get_response(request)
        store = response.headers._store        # written as in gongzhi.api.headers
        if "vary" in store:
            patch_vary_headers(response, ("Accept-Language",))
        else:                   # what patch_vary_headers writes then, without its parsing
            store["vary"] = _VARY
        if "content-language" not in store:
            store["content-language"] = headers.pair("Content-Language", lang)[1]
        return response
    return middleware


_VARY = headers.pair("Vary", "Accept-Language")[1]


@lru_cache(maxsize=512)
def _language(accept: str) -> str:
    return translation.get_language_from_request(SimpleNamespace(COOKIES={}, META={"HTTP_ACCEPT_LANGUAGE": accept}))


class TokenHandler(WSGIHandler):
    # Django builds a handler's chain from settings.MIDDLEWARE alone: lend it the lean list for the
    # one call, made once per process when config.wsgi is imported.
    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        try:
            settings.MIDDLEWARE = LEAN_MIDDLEWARE
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def resolve_request(self, request):
        """Django's, with a path that captures nothing (POST /api/events) resolved once per URL
        table: walking ninja's patterns and building the match was 3% of a lean report."""
        urlconf = getattr(request, "urlconf", None)
        if urlconf is None:
            return super().resolve_request(request)
        set_urlconf(urlconf)
        match = _resolve(get_resolver(urlconf), request.path_info)
        request.resolver_match = match
        return match


# (resolver, path) → match, for paths whose match holds no captured value: the API's fixed
# routes, a bounded set (an unknown path raises Resolver404 and is not kept).  Keyed by the
# resolver object, which clear_url_caches() replaces.  Matches are only read, never changed.
_MATCHES: dict[tuple[URLResolver, str], ResolverMatch] = {}
_MAX_MATCHES = 256


def _resolve(resolver: URLResolver, path: str) -> ResolverMatch:
    match = _MATCHES.get((resolver, path))
    if match is None:
        match = resolver.resolve(path)
        if not match.args and not match.kwargs:
            if len(_MATCHES) >= _MAX_MATCHES:
                _MATCHES.clear()
            _MATCHES[(resolver, path)] = match
    return match


# The lean path resolves against the API's URL table alone: its errors answer in the API's shape
# ({code, message, fields}, gongzhi.core.http) whatever the path, never with the site's pages.
def bad_request(request, exception=None):
    return http.bad_request(request, exception, where=http.Surface.API)


def permission_denied(request, exception=None):
    return http.permission_denied(request, exception, where=http.Surface.API)


def not_found(request, exception=None):
    return http.page_not_found(request, exception, where=http.Surface.API)


def server_error(request):
    return http.server_error(request, where=http.Surface.API)
