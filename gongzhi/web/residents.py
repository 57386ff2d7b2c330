"""Residents' pages (issue 17): the public tracking lookup, the 适老化 (large-text) switch, and the
resident's own dispute and legal-aid cases on 我的上报."""
from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.accounts.lockout import client_ip

# The pillars' lookups register with core.tracking when imported (events, mediation, legal aid).
from gongzhi.core import tracking
from gongzhi.core.errors import ServiceError
from gongzhi.core.operations import validate
from gongzhi.events import tracking as _event_lookup  # noqa: F401
from gongzhi.legalaid import tracking as _aid_lookup  # noqa: F401
from gongzhi.legalaid.models import Application
from gongzhi.legalaid.selectors import summary as aid_summary
from gongzhi.mediation import tracking as _mediation_lookup  # noqa: F401
from gongzhi.mediation.models import Case
from gongzhi.mediation.selectors import summary as case_summary

ELDER_COOKIE = "gz_elder"          # "1": the 适老化 mode (body.elder in app.css)


def track(request):
    """GET: the form (the SMS link brings ?number=); POST: the lookup.  POST keeps the digits out
    of addresses, logs and the browser's history."""
    number = (request.POST if request.method == "POST" else request.GET).get("number", "")[:32]
    ctx: dict = {"number": number, "found": None, "error": ""}
    status, retry_after = 200, None
    if request.method == "POST":
        try:
            data = validate(tracking.TrackIn, {"number": number, "last4": request.POST.get("last4", "")[:8]})
            ctx["found"] = tracking.track(number=data.number, phone_last4=data.last4,
                                          client=client_ip(request) or "unknown")
        except ServiceError as exc:
            ctx["error"], status = exc.message, exc.status
            retry_after = getattr(exc, "retry_after", None)
    page = render(request, "web/track.html", ctx, status=status)
    if retry_after:
        page["Retry-After"] = str(retry_after)
    return page


@require_POST
def elder_mode(request):
    """The header's 大字 switch: a cookie (no script, no session needed: works signed out too)."""
    on = request.POST.get("on") == "1"
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=request.is_secure())
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


def my_cases(user) -> dict:
    """The resident's own 调解 and 法律援助 cases for 我的上报: those they applied for (the case pages
    and their documents check scope themselves: web.cases)."""
    if not user.is_authenticated:
        return {"my_mediation": [], "my_aid": []}
    mediation = (Case.objects.filter(applicant_user=user).select_related("dispute_type", "organisation", "mediator")
                 .prefetch_related("parties").order_by("-applied_at")[:20])
    aid = (Application.objects.filter(applicant_user=user).select_related("office", "lawyer")
           .order_by("-submitted_at")[:20])
    return {"my_mediation": [case_summary(c) for c in mediation], "my_aid": [aid_summary(a) for a in aid]}
