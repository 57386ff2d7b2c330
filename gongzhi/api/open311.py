"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2), JSON and XML,
plus FixMyStreet's ``servicerequestupdates`` extension.

- services are our active categories; a category's template is its service definition;
- POST requests needs an ``api_key`` (one of our API tokens) and goes through ``intake.event_report``
  like every other channel, so it is routed, timed and answered the same way;
- the public GET endpoints are a public surface of domain.privacy: only categories an admin opted
  in, never 举报/求助/矛盾纠纷 or a confidential report, never a reporter, only public timeline rows
  (a handler's note is internal), locations generalised to GONGZHI_PUBLIC_LOCATION_METRES and
  addresses to the street, phone and ID numbers typed into text masked;
- errors are the spec's list of {code, description} with the HTTP status in ``code``.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from xml.etree.ElementTree import Element, SubElement, tostring

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from gongzhi.api import auth
from gongzhi.core.errors import ServiceError
from gongzhi.domain import privacy
from gongzhi.domain.enums import Channel, EventKind, Status
from gongzhi.domain.text import sanitize
from gongzhi.events import intake
from gongzhi.events.models import Category, Event, EventAction

CLOSED = {Status.REJECTED, Status.VERIFIED, Status.ANSWERED, Status.REVISITED, Status.CLOSED}
DATATYPE = {"number": "number", "choice": "singlevaluelist", "date": "datetime", "text": "string"}
MAX_DAYS = 90
PLURAL = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
          "attributes": "attribute", "values": "value", "service_request_updates": "request_update",
          "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


# ---- output ------------------------------------------------------------------------------------

def _xml(parent: Element, name: str, value) -> None:
    if isinstance(value, list):
        node = SubElement(parent, name)
        for item in value:
            _xml(node, PLURAL.get(name, "item"), item)
    elif isinstance(value, dict):
        node = SubElement(parent, name)
        for k, v in value.items():
            _xml(node, k, v)
    else:
        node = SubElement(parent, name)
        if value is not None:
            # XML 1.0 cannot hold a control character: ElementTree would write one anyway and
            # every client's parser would refuse the whole feed.  Stored text is mended here.
            node.text = ("true" if value else "false") if isinstance(value, bool) else sanitize(str(value))


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        doc = Element(root)
        items = data if isinstance(data, list) else [data]
        if isinstance(data, list):
            for item in items:
                _xml(doc, PLURAL.get(root, "item"), item)
        else:
            for k, v in data.items():
                _xml(doc, k, v)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + tostring(doc, encoding="utf-8").split(b"?>", 1)[-1]
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def endpoint(root: str):
    """A view in both formats that turns Open311Error and bad input into the spec's error list."""
    def wrap(fn):
        @csrf_exempt
        def view(request, fmt: str, **kw):
            if fmt not in ("json", "xml"):
                return respond("json", "errors", [{"code": 400, "description": f"format {fmt} is not supported"}], 400)
            if "api_key" in request.GET:
                # A key in a URL is in every proxy's and server's access log and the browser's
                # history: refused outright (even next to one in the body), never looked up.
                return respond(fmt, "errors", [{"code": 400, "description":
                               "api_key 只能放在 POST 请求体中提交，不能放在网址的查询参数里"}], 400)
            try:
                return respond(fmt, root, fn(request, **kw))
            except Open311Error as exc:
                return respond(fmt, "errors", [{"code": exc.status, "description": exc.description}], exc.status)
            except ServiceError as exc:
                text = exc.message + ("：" + "；".join(f"{k} {v}" for k, v in exc.fields.items()) if exc.fields else "")
                return respond(fmt, "errors", [{"code": exc.status if exc.status != 422 else 400,
                                                "description": text}], exc.status if exc.status != 422 else 400)
        return view
    return wrap


def _iso(dt) -> str | None:
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


# ---- discovery and services ----------------------------------------------------------------------

@endpoint("discovery")
def discovery(request):
    base = request.build_absolute_uri("/open311/v2/")
    return {"changeset": "2026-11-22T00:00:00+08:00", "contact": getattr(settings, "GONGZHI_CONTACT", ""),
            "key_service": "api_key = 共治 API 令牌（管理后台「接口令牌」）",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                           "changeset": "2026-11-22T00:00:00+08:00", "type": "production",
                           "formats": ["application/json", "text/xml"]}]}


def _services():
    return Category.objects.filter(active=True, children__isnull=True).select_related("parent").order_by("path")


@endpoint("services")
def services(request):
    return [{"service_code": c.code, "service_name": c.name, "description": c.name,
             "metadata": bool(c.template), "type": "realtime", "keywords": c.default_kind or "",
             "group": c.parent.name if c.parent_id else c.name} for c in _services()]


@endpoint("service_definition")
def service_definition(request, code: str):
    c = _services().filter(code=code).first()
    if c is None:
        raise Open311Error(404, f"service_code {code} not found")
    return {"service_code": c.code, "attributes": [
        {"variable": True, "code": spec["name"], "datatype": DATATYPE.get(spec.get("type", "text"), "string"),
         "required": bool(spec.get("required")), "datatype_description": spec.get("label", spec["name"]),
         "order": i + 1, "description": spec.get("label", spec["name"]),
         **({"values": [{"key": v, "name": v} for v in spec.get("choices", [])]}
            if spec.get("type") == "choice" else {})}
        for i, spec in enumerate(c.template or [])]}


# ---- requests ------------------------------------------------------------------------------------

def _actor(request):
    key = request.POST.get("api_key")   # the body only: see endpoint()
    if not key:
        raise Open311Error(403, "提交服务请求需要 api_key（api_key is required to submit a service request）")
    try:
        user = auth.user_for_key(key)      # the same check as a Bearer token's
    except auth.TokenRefused as exc:
        raise Open311Error(403, f"api_key {exc.state.label}（api_key is not valid: {exc.state.value}）") from exc
    if user is None:
        raise Open311Error(403, "api_key 无效（api_key is not valid）")
    return user


@endpoint("service_requests")
def requests_view(request):
    if request.method == "POST":
        return [_create(request)]
    return [_out(e) for e in _search(request)]


def _create(request) -> dict:
    user = _actor(request)
    p = request.POST
    code = p.get("service_code")
    if not code:
        raise Open311Error(400, "service_code is required")
    category = _services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    try:
        lat = float(p["lat"]) if p.get("lat") else None
        lon = float(p["long"]) if p.get("long") else None
    except ValueError as exc:
        raise Open311Error(400, "lat/long must be numbers") from exc
    if (lat is None or lon is None) and not p.get("address_string") and not p.get("address_id"):
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    fields = {k[len("attribute["):-1]: v for k, v in p.items() if k.startswith("attribute[") and k.endswith("]")}
    name = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    token = secrets.token_hex(12)
    data = intake.ReportInput(
        kind=EventKind(category.default_kind or EventKind.COMPLAINT), category=code,
        description=p.get("description", ""), channel=Channel.OTHER, address=p.get("address_string", ""),
        lon=lon, lat=lat, grid=p.get("address_id") or None, fields=fields, reporter_name=name,
        reporter_phone=p.get("phone", ""), client_key=f"o311-{token}")
    event, _ = intake.event_report(actor=user, data=data)
    return {"service_request_id": event.number,
            "service_notice": f"已受理登记，办理时限以工作日计。跟踪号 {event.number}",
            "account_id": p.get("account_id") or None, "token": token}


def _public():
    """The events a public feed may name: the SQL form of domain.privacy.publishable."""
    return (Event.objects.filter(category__public=True, confidential=False)
            .exclude(kind__in=[k.value for k in privacy.NEVER_PUBLIC_KINDS]))


def _search(request):
    q = request.GET
    qs = _public().select_related("category", "handler_area", "handler_department").order_by("-reported_at")
    if q.get("service_request_id"):
        return qs.filter(number__in=[x.strip() for x in q["service_request_id"].split(",") if x.strip()])
    start, end = _date(q.get("start_date"), "start_date"), _date(q.get("end_date"), "end_date")
    end = end or timezone.now()
    start = start or end - timedelta(days=MAX_DAYS)
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > timedelta(days=MAX_DAYS):
        raise Open311Error(400, f"the date range may not span more than {MAX_DAYS} days")
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    if q.get("service_code"):
        qs = qs.filter(category__code__in=q["service_code"].split(","))
    if q.get("status"):
        wanted = set(q["status"].split(","))
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        closed = [s.value for s in CLOSED]
        if wanted == {"open"}:
            qs = qs.exclude(status__in=closed)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=closed)
    return qs[:1000]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        # A "+" arrives as a space when the client did not encode it.
        dt = parse_datetime(value.replace(" ", "+"))
        if dt is not None:
            return intake.sane_moment(dt)
    except ValueError:      # well-formed but impossible (month 13), or out of range
        pass
    raise Open311Error(400, f"{name} must be a w3 datetime, e.g. 2026-11-01T00:00:00+08:00")


def _out(e: Event) -> dict:
    closed = Status(e.status) in CLOSED
    agency = e.handler_department.name if e.handler_department_id else e.handler_area.name
    lon, lat = privacy.generalise_point(e.lon, e.lat, settings.GONGZHI_PUBLIC_LOCATION_METRES)
    # The answer is written for the public; the handler's result and the deadlines are internal.
    return {"service_request_id": e.number, "status": "closed" if closed else "open",
            "status_notes": privacy.publish_text(e.answer, _people(e)) or Status(e.status).label,
            "service_name": e.category.name,
            "service_code": e.category.code, "description": privacy.publish_text(e.description, _people(e)),
            "agency_responsible": agency, "service_notice": Status(e.status).label,
            "requested_datetime": _iso(e.reported_at), "updated_datetime": _iso(e.updated_at),
            "expected_datetime": "", "address": privacy.generalise_address(e.address),
            "address_id": e.area.code if e.area_id else "", "zipcode": "", "lat": lat, "long": lon, "media_url": ""}


@endpoint("service_requests")
def request_detail(request, number: str):
    e = _public().filter(number=number).select_related("category", "handler_area", "handler_department").first()
    if e is None:
        raise Open311Error(404, f"service_request_id {number} not found")
    return [_out(e)]


@endpoint("service_requests")
def token_view(request, token: str):
    e = Event.objects.filter(client_key=f"o311-{token}").only("number").first()
    if e is None:
        raise Open311Error(404, f"token {token} not found")
    return [{"service_request_id": e.number, "token": token}]


@endpoint("service_request_updates")
def updates(request):
    """FixMyStreet's extension: the timeline of public requests, one entry per state change."""
    q = request.GET
    end = _date(q.get("end_date"), "end_date") or timezone.now()
    start = _date(q.get("start_date"), "start_date") or end - timedelta(days=1)
    if end - start > timedelta(days=MAX_DAYS):
        raise Open311Error(400, f"the date range may not span more than {MAX_DAYS} days")
    acts = (EventAction.objects.filter(at__gte=start, at__lte=end, event__in=_public(),
                                       visibility=privacy.Visibility.PUBLIC).exclude(to_status="")
            .select_related("event").order_by("at", "id")[:1000])
    return [{"update_id": str(a.id), "service_request_id": a.event.number,
             "status": "closed" if a.to_status in {s.value for s in CLOSED} else "open",
             "updated_datetime": _iso(a.at), "description": _update_text(a), "media_url": ""} for a in acts]


def _update_text(a: EventAction) -> str:
    """A public row's words only where the policy writes them for the public (an answer, a
    rejection's reason); otherwise the new status."""
    shown = privacy.row_view(privacy.Row(action=a.action, visibility=a.visibility, actor_name="", is_subject=False,
                                         system=False, note=a.note, reason=a.reason),
                             secrecy=privacy.Secrecy.NORMAL, viewer=privacy.Viewer.PUBLIC)
    words = (shown or {}).get("reason") or (shown or {}).get("note") or ""
    return privacy.publish_text(words, _people(a.event)) or Status(a.to_status).label


def _people(e: Event) -> list[privacy.Person]:
    """Whom a published text must not name: the reporter (an answer often greets them)."""
    return [privacy.Person(e.reporter_name, e.reporter_phone, e.reporter_id_number)]


FMT = r"\.(?P<fmt>\w+)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, discovery),
    re_path(r"^services" + FMT, services),
    re_path(r"^services/(?P<code>[\w-]+)" + FMT, service_definition),
    re_path(r"^requests" + FMT, requests_view),
    re_path(r"^requests/(?P<number>[\w-]+)" + FMT, request_detail),
    re_path(r"^tokens/(?P<token>\w+)" + FMT, token_view),
    re_path(r"^servicerequestupdates" + FMT, updates),
]
