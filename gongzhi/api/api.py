from datetime import date
from typing import Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import File, NinjaAPI, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.models import RoleAssignment
from gongzhi.areas.models import Area
from gongzhi.areas.selectors import grid_at
from gongzhi.core import files
from gongzhi.core.errors import DOMAIN_ERRORS, Invalid, from_domain
from gongzhi.core.replica import statistics_view
from gongzhi.domain.coords import to_wgs84
from gongzhi.domain.enums import CoordSystem, Level, Role
from gongzhi.events import intake, selectors, services
from gongzhi.events.models import Category
from gongzhi.events.operations import OPERATIONS
from gongzhi.hotline.orders import Order as HotlineOrder
from gongzhi.stats.queries import BREAKDOWNS, FILTER_DIMENSIONS, PERIOD_DAYS, valid_range

from . import errors, schemas as s
from .auth import AUTH
from .renderer import FastJSONRenderer, PendingResponse


class GongzhiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Built once per process and language: the schema is the code's, not the data's, and
        # building it takes ~2 s of CPU (5–10 s on a loaded host) — an anonymous GET of
        # /api/openapi.json could otherwise keep a worker busy at will.
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, translation.get_language())
        schema = _SCHEMAS.get(key)
        if schema is None:
            schema = _SCHEMAS[key] = errors.document(super().get_openapi_schema(path_prefix=path_prefix))
        return schema

    def create_temporal_response(self, request):
        return PendingResponse(self.get_content_type())     # made only if a view uses it


_SCHEMAS: dict[tuple, dict] = {}
api = GongzhiAPI(title="共治 gongzhi API", version="1", urls_namespace=files.API_NAMESPACE, auth=AUTH,
               docs_url="/docs", renderer=FastJSONRenderer(),
               description="网格化服务管理：事件上报、分拨、办理、核查、答复、回访的闭环接口。")
errors.install(api)
events = Router(tags=["事件"])
areas = Router(tags=["区域"])
meta = Router(tags=["基础数据"])


def _detail(request, ev):
    return selectors.detail_of(request.user, ev.id)


# ---- events ------------------------------------------------------------------------------------

def report_endpoint(router: Router, schema: type[intake.ReportInput]) -> None:
    """POST "" on ``router``: the body is the service's own input, validated once (its limits,
    enums and Chinese errors are the report page's too); a test registers a subclass on a router
    of its own to see a new field reach the OpenAPI schema."""
    def report(request: HttpRequest, payload: schema):
        ev, created = intake.event_report(actor=request.user, data=payload)
        # A new event is answered from the rows just written; a repeat is read back in full.
        # The selectors' dict leaves cut to the declared answer (schemas.as_declared), not
        # validated again and dumped: a tenth of a report's instructions.
        detail = selectors.event_detail(request.user, ev) if created else _detail(request, ev)
        return api.create_response(request, s.as_declared(s.EventDetailOut, detail),
                                   status=201 if created else 200)
    router.post("", response={200: s.EventDetailOut, 201: s.EventDetailOut, 409: s.ErrorOut, 422: s.ErrorOut},
                summary="上报事件（幂等）")(report)


report_endpoint(events, intake.ReportInput)


class BoundedPagination(LimitOffsetPagination):
    """limit 1–500 and a sane offset: a huge number is a 422, not an integer overflow in SQL."""

    class Input(LimitOffsetPagination.Input):
        limit: int = s.Field(100, ge=1, le=500)
        offset: int = s.Field(0, ge=0, le=10_000_000)


@events.get("", response=list[s.EventSummaryOut], summary="事件列表（按管辖范围）")
@paginate(BoundedPagination)
def list_events(request, status: str | None = None, kind: str | None = None, sla: str | None = None,
                area: str | None = None, mine: bool = False, q: str | None = None):
    qs = selectors.event_list(request.user, status=status, kind=kind, sla=sla, area=area, mine=mine, q=q)
    return _Lazy(request.user, qs)


@events.get("/queue", response=list[s.QueueRowOut], summary="我的待办（含吹哨主办/协办）")
@paginate(BoundedPagination)
def queue_events(request, tab: str | None = None):
    """The page's work queue (events.selectors.work_queue), one tab of it when asked."""
    qs = selectors.work_queue(request.user)
    tabs = selectors.queue_tabs(request.user)
    if tab in tabs:
        qs = qs.filter(tabs[tab][1])
    return _Lazy(request.user, qs, shape=selectors.queue_row)


class _Lazy:
    """Let the paginator slice the queryset in SQL, then shape only the page (it counts with len())."""

    def __init__(self, user, qs, shape=None):
        self.user, self.qs, self.shape = user, qs, shape or selectors.event_summary

    def __len__(self):
        return self.qs.count()

    def __getitem__(self, item):
        return [self.shape(self.user, ev) for ev in self.qs[item]]


@events.get("/{event_id}", response=s.EventDetailOut, summary="事件详情与时间线")
def detail(request, event_id: int):
    return selectors.detail_of(request.user, event_id)


@events.get("/{event_id}/timeline", response=list[s.TimelineOut], summary="处置时间线")
def timeline(request, event_id: int):
    return selectors.detail_of(request.user, event_id)["timeline"]


@events.get("/{event_id}/duplicates", response=list[dict], summary="可能重复的事件（并单参考）")
def duplicates(request, event_id: int):
    from gongzhi.events.duplicates import candidates
    return candidates(request.user, services.load(request.user, event_id))


@events.post("/{event_id}/attachments", response={201: dict, 403: s.ErrorOut, 422: s.ErrorOut, 429: s.ErrorOut},
             summary="上传附件（按内容检测类型、像素数与上传频率）")
def attach(request, event_id: int, file: File[UploadedFile]):
    ev = services.load(request.user, event_id)
    # The upload stays where Django streamed it (a temporary file past 64 KB), never read whole.
    # Sent on its own, it is public to the reporter only when the reporter sent it; staff's files
    # stay internal (domain.privacy.file_visibility).
    # Counted against the upload quota as it arrived (events.uploads.CappedUploadHandler).
    att = intake.attachment_add(actor=request.user, event=ev, content=file, filename=file.name or "", counted=True)
    return Status(201, {"id": att.id, "kind": att.kind, "mime": att.mime, "size": att.size,
                        "visibility": att.visibility, "url": files.attachment_url(ev.id, att.id)})


@events.get("/{event_id}/attachments/{attachment_id}", response={200: None, 404: s.ErrorOut},
            url_name="event_attachment_file", summary="下载附件（按事件可见范围检查）")
def attachment_file(request, event_id: int, attachment_id: int):
    return files.serve_attachment(intake.attachment_for(actor=request.user, event_id=event_id,
                                                        attachment_id=attachment_id))


def _transition(path: str, summary: str, schema, call):
    """Register POST /events/{id}/<path>: run the service, answer with the fresh detail."""
    def view(request, event_id: int, payload: schema):
        ev = call(request.user, event_id, payload)
        return _detail(request, ev)
    view.__name__ = f"event_{path.replace('-', '_')}"
    events.post(f"/{{event_id}}/{path}", response={200: s.EventDetailOut, 403: s.ErrorOut, 404: s.ErrorOut,
                                                    409: s.ErrorOut, 422: s.ErrorOut, 503: s.ErrorOut},
                summary=summary)(view)


for _op in OPERATIONS.values():
    _transition(_op.path, _op.label, _op.schema, _op.call)


@events.post("/{event_id}/unmask", response={200: dict, 403: s.ErrorOut, 422: s.ErrorOut},
             summary="查看报告人完整信息（记录日志）")
def unmask(request, event_id: int, payload: s.UnmaskIn):
    return services.event_unmask(actor=request.user, event_id=event_id, reason=payload.reason)


# ---- areas and reference data ------------------------------------------------------------------

def _area_out(a: Area, geometry: bool) -> dict:
    return {"code": a.code, "name": a.name, "level": a.level, "grid_kind": a.grid_kind,
            "parent": a.parent.code if a.parent_id else None, "geometry": a.geometry if geometry else None}


@areas.get("", response=list[s.AreaOut], summary="区域列表")
def list_areas(request, parent: str | None = None, level: int | None = None, geometry: bool = False):
    qs = Area.objects.select_related("parent")
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    return [_area_out(a, geometry) for a in qs[:5000]]


@areas.get("/locate", response={200: s.AreaOut, 404: s.ErrorOut, 422: s.ErrorOut}, summary="坐标定位网格")
def locate(request, lon: float, lat: float, system: CoordSystem = CoordSystem.WGS84):
    try:
        wlon, wlat = to_wgs84(lon, lat, system)
    except DOMAIN_ERRORS as exc:
        raise from_domain(exc) from exc
    grid = grid_at(wlon, wlat)
    if grid is None:
        raise Invalid("该位置不在本辖区任何网格内", fields={"lon": "不在辖区内"})
    return _area_out(grid, True)


@meta.get("/categories", summary="事件分类树与模板")
def categories(request):
    return [{"code": c.code, "name": c.name, "path": c.path, "parent": c.parent.code if c.parent_id else None,
             "default_kind": c.default_kind or None, "template": c.template}
            for c in Category.objects.filter(active=True).select_related("parent")]


@meta.get("/me", summary="当前用户与角色")
def me(request):
    u = request.user
    roles = [{"role": r.role, "label": Role(r.role).label, "area": r.area.code if r.area_id else None,
              "area_name": r.area.name if r.area_id else None,
              "level": Level(r.area.level).label if r.area_id else None,
              "department": r.department.code if r.department_id else None, "title": r.title}
             for r in RoleAssignment.objects.filter(user=u).select_related("area", "department")]
    profile = getattr(u, "profile", None)
    return {"username": u.get_username(), "name": profile.display_name if profile else u.get_username(),
            "roles": roles}


@meta.post("/classify", response={200: dict, 422: s.ErrorOut, 503: s.ErrorOut},
           summary="智能分类建议（类型、分类、紧急程度及置信度）")
def classify(request, payload: s.ClassifyIn):
    from gongzhi.events.classify import suggest
    out = suggest(payload.title, payload.text)
    if out is None:
        from gongzhi.core.errors import Unavailable
        raise Unavailable("尚未训练分类模型：请运行 gongzhi train-classifier")
    return out


api.add_router("/events", events)
api.add_router("/areas", areas)
api.add_router("", meta)


# ---- statistics --------------------------------------------------------------------------------

stats = Router(tags=["统计"])


@stats.get("/kpis", response={200: dict, 404: s.ErrorOut}, summary="指标（口径见 docs/kpis.md）")
@statistics_view
def stats_kpis(request, area: str | None = None, start: date | None = None, end: date | None = None,
               period: Literal[tuple(PERIOD_DAYS)] = "week", by: Literal[BREAKDOWNS] | None = None,
               dim: Literal[FILTER_DIMENSIONS] | None = None, key: str | None = None):
    """The page's filters, strictly: a date that does not parse, an unknown breakdown or area is
    refused here, where the dashboard page falls back to its defaults."""
    from django.utils import timezone

    from gongzhi.hotline.crosscheck import omission_counts
    from gongzhi.stats.queries import filters, kpis, with_comparison
    if (start, end) != (None, None) and not valid_range(start, end):
        raise Invalid("日期区间无效：请同时给出开始和结束日期，开始不晚于结束，2000–2100 年内，不超过十年",
                      fields={"start": "日期区间无效", "end": "日期区间无效"})
    f = filters(request.user, timezone.localdate(), area_code=area, start=start, end=end, period=period,
                dim=dim or "", key=key or "")
    result = kpis(f, by=by)
    return {"area": f.area.code, "start": f.start, "end": f.end, "source": result.source,
            "totals": result.totals, "rates": result.rates, "rows": result.rows,
            "comparison": with_comparison(f, current=result.totals["reported"]),
            "omissions": omission_counts(f.area, f.start, f.end)}


api.add_router("/stats", stats)


# ---- 12345 hotline -----------------------------------------------------------------------------

hotline = Router(tags=["12345热线"])


def _hotline_allowed(user) -> None:
    from gongzhi.core.errors import Forbidden
    from gongzhi.core.scope import scope_of
    from gongzhi.hotline import orders as hl
    sc = scope_of(user)
    if user.username != hl.SYSTEM_USERNAME and not sc.is_admin and Role.COUNTY_CENTRE not in sc.roles:
        raise Forbidden("只有 12345 对接账号、区级中心或管理员可以推送和读取热线工单")


@hotline.post("/orders", response={200: list[dict], 403: s.ErrorOut, 422: s.ErrorOut},
              summary="推送热线工单（按工单编号幂等）")
def hotline_push(request, orders: list[HotlineOrder]):
    from gongzhi.hotline import orders as hl
    _hotline_allowed(request.user)
    out = []
    for o in orders[:1000]:
        r = hl.import_order(o)
        out.append({"number": r.number, "status": r.status, "event_number": r.event.number if r.event else None,
                    "reason": r.reason})
    return out


@hotline.get("/feedback", response={200: list[dict], 403: s.ErrorOut}, summary="热线工单办理结果回传")
def hotline_feedback(request, since: intake.Moment | None = None):
    from gongzhi.hotline import orders as hl
    _hotline_allowed(request.user)
    return hl.feedback(since)


api.add_router("/hotline", hotline)


# ---- 多元调处 and 法律援助 -------------------------------------------------------------------------

from .cases import legalaid as _legalaid, mediation as _mediation  # noqa: E402

api.add_router("/mediation", _mediation)
api.add_router("/legalaid", _legalaid)


# ---- 社区矫正 -------------------------------------------------------------------------------------

from .corrections import corrections as _corrections  # noqa: E402

api.add_router("/corrections", _corrections)


# ---- 三金 ----------------------------------------------------------------------------------------

from .funds import funds as _funds  # noqa: E402

api.add_router("/funds", _funds)


# ---- 清单化与量化考核 ------------------------------------------------------------------------------

from .gridwork import gridwork as _gridwork  # noqa: E402

api.add_router("/gridwork", _gridwork)


# ---- 出卷票决 -------------------------------------------------------------------------------------

from .votes import votes as _votes  # noqa: E402

api.add_router("/votes", _votes)


# ---- 积分超市 --------------------------------------------------------------------------------------

from .points import points as _points  # noqa: E402

api.add_router("/points", _points)


# ---- 信用档案 -------------------------------------------------------------------------------------

from .credit import credit as _credit  # noqa: E402

api.add_router("/credit", _credit)


# ---- 民事速裁 -------------------------------------------------------------------------------------

from .court import court as _court  # noqa: E402

api.add_router("/court", _court)


# ---- 离线巡查 (the field app) ----------------------------------------------------------------------

from .field import field as _field  # noqa: E402

api.add_router("/field", _field)

# ---- 消息通知 -------------------------------------------------------------------------------------

from .notify import notify as _notify  # noqa: E402

api.add_router("/notifications", _notify)


# ---- 基础信息登记（人房物事情组织） --------------------------------------------------------------------

from .registry import registry as _registry  # noqa: E402

api.add_router("/registry", _registry)


# ---- 进度查询（公开） -----------------------------------------------------------------------------

from .track import track as _track  # noqa: E402

api.add_router("/track", _track)
