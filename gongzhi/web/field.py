"""The grid worker's field app (issue 20, offline first): /field/ is an installable web app — the
shell (today's tasks, report a hazard, start/stop a patrol, the queue), its service worker and its
manifest.  Every action on the page is queued on the phone (IndexedDB, static/field/field.js) and
sent to /api/field/sync when there is signal, each under its own key; the page itself writes
nothing, so there is one write path (the sync endpoint and the services behind it).

The service worker is served from /field/sw.js (not /static/), so its scope covers the field pages;
it caches the shell and today's state and answers them when the network is away."""
from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from gongzhi.api.field import state_of
from gongzhi.domain.enums import EventKind
from gongzhi.events.models import Category
from gongzhi.patrols import scope

# Bumped when the shell's files change, so phones drop the old cache (sw.js names its cache by it).
SHELL_VERSION = "field-1"
SHELL_FILES = ("field/field.js", "field/field.css", "field/icon-192.png", "field/icon-512.png",
               "web/app.css", "web/app.js", "django_htmx/htmx-2.min.js")


def _may(request) -> None:
    if not scope.may_patrol(request.user):
        raise Http404("页面不存在")


@login_required
@require_GET
def field_home(request):
    _may(request)
    state = state_of(request.user)
    cats = Category.objects.filter(active=True).order_by("path")
    return render(request, "field/home.html", {
        "state": state, "kinds": EventKind.choices(),
        "categories": [(c.code, ("\u2003" * (c.path.count("/") - 2)) + c.name) for c in cats],
        "sw_url": reverse("web:field_sw"), "sync_url": "/api/field/sync", "state_url": "/api/field/state",
    })


@require_GET
def field_sw(request):
    """The service worker script, rendered with the shell's file list (no user data: it is the
    same for everyone, and must load even when the session has ended)."""
    shell = [reverse("web:field_home"), reverse("web:field_manifest")] + [static(f) for f in SHELL_FILES]
    body = render(request, "field/sw.js", {"version": SHELL_VERSION, "shell": json.dumps(shell),
                                           "home": reverse("web:field_home"), "state_url": "/api/field/state"})
    response = HttpResponse(body.content, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("web:field_home")
    response["Cache-Control"] = "no-cache"      # the browser checks for a new worker on every visit
    return response


@require_GET
def field_manifest(request):
    home = reverse("web:field_home")
    return JsonResponse({
        "name": gettext("共治 · 网格员外业"), "short_name": gettext("网格外业"), "lang": "zh-CN",
        "start_url": home, "scope": home, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1f5f8b",
        "icons": [{"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"}],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
