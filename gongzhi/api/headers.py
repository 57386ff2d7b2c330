"""The lean path's response headers (config/wsgi.py, gongzhi.api.lean): what the full stack's
SecurityMiddleware, ``web.nostore.no_store``, django-csp's CSPMiddleware, Django's
XFrameOptionsMiddleware and CommonMiddleware's Content-Length give an answer, in one step.

Each header is set only where the answer has none, as each of those middlewares does, and its
value is read from them: Django's SecurityMiddleware is run once on an empty answer to a plain
and to an HTTPS request (HSTS, nosniff, Referrer-Policy, COOP), django-csp's policy is built
once as it builds it for an answer without a nonce or per-view settings, the frame option is
Django's setting.  The pairs go straight into the answer's header table, checked once: through
the four middlewares (each header converted and checked again, the CSP policy rebuilt from the
settings) the same headers cost more than the rest of the lean path's framework together.

What stays with django-csp itself: an answer that carries its own CSP settings (its decorators)
or a request that used its nonce; with DEBUG on, a 404 or 500 gets no CSP, as django-csp leaves
Django's debug pages alone.  The HTTPS redirect (SECURE_SSL_REDIRECT) is SecurityMiddleware's own
``process_request``.  Settings changed in a test (``override_settings``) are read again.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.http.response import ResponseHeaders
from django.middleware.security import SecurityMiddleware

# web.nostore's value (the api package sits below web; a test holds the two equal).
NO_STORE = "private, no-store"

# Attributes by which django-csp's decorators give one answer its own policy.
_CSP_CUSTOM = frozenset({"_csp_config", "_csp_update", "_csp_replace",
                         "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro"})
_fixed: dict | None = None      # the values read from the settings, replaced whole (_read_settings)


def api_headers(get_response):
    """The middleware (LEAN_MIDDLEWARE): headers after the answer, the HTTPS redirect before."""
    security = SecurityMiddleware(get_response)
    csp = CSPMiddleware(get_response)
    plain, secure = _security_pairs(security, False), _security_pairs(security, True)

    def middleware(request):
        response = security.process_request(request) or get_response(request)
        fixed = _fixed or _read_settings()
        store = response.headers._store
        for key, entry in (secure if security.sts_seconds and request.is_secure() else plain):
            if key not in store:
                store[key] = entry
        if "cache-control" not in store:
            store["cache-control"] = fixed["cache-control"]
        if "content-length" not in store and not response.streaming:      # CommonMiddleware's
            store["content-length"] = ("Content-Length", str(len(response.content)))
        if "x-frame-options" not in store and not getattr(response, "xframe_options_exempt", False):
            store["x-frame-options"] = fixed["x-frame-options"]
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if not _CSP_CUSTOM.isdisjoint(response.__dict__) or getattr(request, "_csp_nonce", None) is not None:
            return csp.process_response(request, response)
        path = request.path_info
        for header, exempt, excluded in ((HEADER, "_csp_exempt", fixed["csp-prefixes"]),
                                         (HEADER_REPORT_ONLY, "_csp_exempt_ro", fixed["csp-ro-prefixes"])):
            entry = fixed[header]
            if (entry is not None and header.lower() not in store and not getattr(response, exempt, False)
                    and not path.startswith(excluded)):
                store[header.lower()] = entry
        return response
    return middleware


@lru_cache(maxsize=256)
def pair(name: str, value: str) -> tuple[str, tuple[str, str]]:
    """(key, entry) of the header as Django's header table stores it, converted and checked by it
    (the lean path writes fixed headers straight into ``response.headers._store``)."""
    table = ResponseHeaders({})
    table[name] = value
    key = name.lower()
    return key, table._store[key]


def _security_pairs(security: SecurityMiddleware, secure: bool) -> tuple:
    probe = HttpResponse()
    del probe.headers["Content-Type"]
    security.process_response(SimpleNamespace(is_secure=lambda: secure), probe)
    return tuple(pair(name, value) for name, value in probe.items())


def _read_settings() -> dict:
    global _fixed
    policies = {}
    for header, name, report_only in ((HEADER, "CONTENT_SECURITY_POLICY", False),
                                      (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True)):
        policy = build_policy(report_only=report_only)
        policies[header] = pair(header, policy)[1] if policy else None
        policies[("csp-prefixes" if not report_only else "csp-ro-prefixes")] = tuple(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
    _fixed = {**policies, "cache-control": pair("Cache-Control", NO_STORE)[1],
              "x-frame-options": pair("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper())[1]}
    return _fixed


def _forget(**kwargs) -> None:
    global _fixed
    _fixed = None


setting_changed.connect(_forget)
