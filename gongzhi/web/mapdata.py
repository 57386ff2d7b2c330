"""The web map's data as JSON, for web/static/web/map.js (Leaflet), read through the same scope as
the pages: the grids a user may pick or see (views._grids_for), and for staff the open events of
their scope (events.selectors.event_list, the desk's own read).

Two endpoints on purpose: grid boundaries are the same for everyone who may report (a resident's
report form needs them for the grid name under the pin); event pins are staff data and carry no
reporter, no title and no description (a title is the reporter's own words and can name a person
or a door: the pin names the number, category, kind, status and SLA flag, and links to the event's
page, which checks scope again).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.areas.models import Area
from gongzhi.core import maps
from gongzhi.domain.enums import OPEN_STATUSES, EventKind, Level, SlaFlag, Status
from gongzhi.events import selectors

from .views import _grids_for, staff_only

MAX_PINS = 5000        # clustered, 5000 pins stay smooth on a phone; past that the map says so


@dataclass(frozen=True)
class PinFilters:
    """The map's filters, from the query string: unknown values are dropped, never an error, so a
    stale bookmark still opens the map (with that filter off)."""
    kind: str = ""
    status: str = ""      # one status, or "" = every open status
    flag: str = ""

    @classmethod
    def of(cls, get) -> PinFilters:
        kind, status, flag = (get.get(k, "") for k in ("kind", "status", "flag"))
        return cls(kind=kind if kind in set(EventKind) else "",
                   status=status if status in set(Status) else "",
                   flag=flag if flag in set(SlaFlag) else "")


def filter_choices() -> dict:
    """The filters' options for the page (labels in the reader's language)."""
    return {"kind": [(k.value, gettext(k.label)) for k in EventKind],
            "status": [(s.value, gettext(s.label)) for s in Status],
            "flag": [(f.value, gettext(f.label)) for f in SlaFlag]}


def _grids(user, within: str):
    """The reader's grids (views._grids_for: the report form's choice), or with ``?within=<area
    code>`` the grids under that area (an event page's community).  Boundaries are reference data
    every reporter is shown anyway; an unknown code gives an empty map, not an error."""
    qs = Area.objects.filter(level__in=(Level.GRID, Level.MICRO_GRID), geometry__isnull=False)
    if within:
        area = Area.objects.filter(code=within).first()
        qs = qs.filter(path__startswith=area.path) if area else qs.none()
    else:
        qs = qs.filter(id__in=[g.id for g in _grids_for(user)])
    return list(qs.select_related("parent").order_by("path"))


@staff_only
def grid_map(request):
    """网格地图: the scope's grids and open events on a Leaflet map (map.js), with filters that are
    a plain GET form, so without the script the SVG drawing below them follows the same filters."""
    f = PinFilters.of(request.GET)
    shown = event_pins(request.user, f)["events"]
    pins = [SimpleNamespace(lon=p["lon"], lat=p["lat"], sla_flag=p["flag"], id=p["id"], title="",
                            number=p["number"]) for p in shown[:2000]]
    return render(request, "web/map.html", {"svg": maps.build(_grids_for(request.user), pins),
                                            "filters": f, "choices": filter_choices()})


@login_required
def grids(request):
    with_parent = _grids(request.user, request.GET.get("within", ""))
    resp = JsonResponse({"grids": maps.grid_features(with_parent),
                         "communities": maps.community_labels(with_parent)})
    resp["Cache-Control"] = "private, max-age=300"      # boundaries change rarely; never shared
    return resp


def _pin(ev) -> dict:
    return {"id": ev.id, "number": ev.number, "lon": round(ev.lon, 6), "lat": round(ev.lat, 6),
            "url": reverse("web:event", args=[ev.id]), "category": ev.category.name,
            "kind": ev.kind, "kind_label": gettext(EventKind(ev.kind).label),
            "status": ev.status, "status_label": gettext(Status(ev.status).label),
            "flag": ev.sla_flag, "flag_label": gettext(SlaFlag(ev.sla_flag).label)}


def event_pins(user, f: PinFilters) -> dict:
    status = f.status or ",".join(s.value for s in OPEN_STATUSES)
    qs = selectors.event_list(user, status=status, kind=f.kind or None, sla=f.flag or None).filter(
        lon__isnull=False, lat__isnull=False)
    rows = list(qs[:MAX_PINS + 1])
    return {"events": [_pin(e) for e in rows[:MAX_PINS]], "truncated": len(rows) > MAX_PINS,
            "max": MAX_PINS}


@staff_only
def events(request):
    resp = JsonResponse(event_pins(request.user, PinFilters.of(request.GET)))
    resp["Cache-Control"] = "private, no-store"
    return resp
