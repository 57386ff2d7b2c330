"""What a locked-out login sees (django-axes calls ``locked_out``), and whose address it is.

Axes counts failures per username *and* client address (settings: AXES_*), and ``failure_limit``
adds a ceiling for the username alone: many addresses guessing at one account (a botnet, a
rotating proxy) lock that account everywhere once they have together failed
GONGZHI_LOGIN_FAILURES_PER_ACCOUNT times within the cool-off (等保: failed-login handling per
account).  That limit is higher than the pair's, so a colleague's typos, or one address guessing,
do not lock the owner out at their own desk.  When a login is locked, the page it came from is
shown again with a Chinese message saying how long to wait — the site's login page or the
admin's — as a 429 with ``Retry-After``; a JSON caller gets the API's error shape.  Every try
while locked restarts the cool-off (axes' default), so "N 分钟后" is exact.
"""
from __future__ import annotations

import ipaddress
import math

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.forms.utils import ErrorDict, ErrorList
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_CODE = "locked_out"


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT, compared by axes with the failures of this username from this address
    within the cool-off: GONGZHI_LOGIN_FAILURES — or 0 (locked, from any address) once this username
    has GONGZHI_LOGIN_FAILURES_PER_ACCOUNT failures from all addresses together.  Axes itself has
    one limit for all its lockout parameters, so the per-account ceiling is counted here (one
    indexed SUM per login attempt).  A success clears only its own address's count (axes resets
    the pair): others' failures against the account still count until they cool off."""
    from axes.models import AccessAttempt  # axes' models: not importable while settings load
    per_pair, per_account = settings.GONGZHI_LOGIN_FAILURES, settings.GONGZHI_LOGIN_FAILURES_PER_ACCOUNT
    username = get_client_username(request, credentials)
    if not username or not per_account:
        return per_pair
    failed = (AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
              .aggregate(n=Sum("failures_since_start"))["n"] or 0)
    return 0 if failed >= per_account else per_pair


def lockout_minutes(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(minutes: int) -> str:
    if minutes:
        return _("密码错误次数过多，登录已暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
    return _("密码错误次数过多，登录已被锁定，请联系管理员解锁。")


def locked_out(request, response=None, credentials=None):
    minutes = lockout_minutes(request)
    message = lockout_message(minutes)
    if _wants_json(request):
        out = JsonResponse({"code": LOCKED_CODE, "message": message, "fields": {}},
                           status=settings.AXES_HTTP_RESPONSE_CODE, json_dumps_params={"ensure_ascii": False})
    else:
        form = _form_with_error(request, message)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace == "admin":
            out = _admin_login(request, match, form)
        else:
            out = render(request, "web/login.html", {"form": form, "locked": message,
                                                     "next": request.POST.get(REDIRECT_FIELD_NAME, "")},
                         status=settings.AXES_HTTP_RESPONSE_CODE)
    if minutes:
        out["Retry-After"] = str(minutes * 60)
    return out


def _wants_json(request) -> bool:
    return (request.path_info.startswith("/api/")
            or "application/json" in request.META.get("HTTP_ACCEPT", "")
            or request.META.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest")


def _form_with_error(request, message: str) -> AuthenticationForm:
    """The login form as typed (username kept), carrying the lockout as its one error.  Its errors
    are set rather than computed: validating would call authenticate() and count one more try."""
    form = AuthenticationForm(request, data=request.POST or None)
    form._errors = ErrorDict({"__all__": ErrorList([message])})
    form.cleaned_data = {}
    return form


def _admin_login(request, match, form):
    site = getattr(match.func, "admin_site", None) or admin.site
    context = {**site.each_context(request), "title": _("Log in"), "subtitle": None,
               "app_path": request.get_full_path(), "username": "", "form": form,
               REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))}
    return render(request, site.login_template or "admin/login.html", context,
                  status=settings.AXES_HTTP_RESPONSE_CODE)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind GONGZHI_PROXY_COUNT proxies the address that many hops from the right
    of X-Forwarded-For (the left part is whatever the client chose to send)."""
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.GONGZHI_PROXY_COUNT
    if hops > 0:
        chain = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(chain) >= hops and _is_ip(chain[-hops]):
            return chain[-hops]
    return remote if remote and _is_ip(remote) else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
