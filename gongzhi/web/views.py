"""Server-rendered pages. Every change goes through the same service functions as the API
(``events.intake`` for reports, ``events.operations.OPERATIONS`` for everything after)."""
from __future__ import annotations

import uuid
from functools import wraps
from types import SimpleNamespace
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from gongzhi.api.schemas import UnmaskIn
from gongzhi.areas.models import Area, Department
from gongzhi.core import files, maps
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.operations import validate
from gongzhi.core.scope import scope_of
from gongzhi.core.wording import translated
from gongzhi.corrections import scope as corr_scope, selectors as corr_sel
from gongzhi.court import scope as court_scope
from gongzhi.credit import scope as credit_scope
from gongzhi.domain.enums import (
    CENTRE_ROLES,
    GRID_TEAM_ROLES,
    OPEN_STATUSES,
    Action,
    Channel,
    CoHandlerRole,
    EventKind,
    ExtensionState,
    Level,
    Role,
    SlaFlag,
    Status,
    SupervisionLevel,
    Urgency,
)
from gongzhi.domain.text import problem as text_problem
from gongzhi.events import desk as desk_search, intake, operations, selectors, services
from gongzhi.events.models import Category, Event
from gongzhi.funds import scope as funds_scope
from gongzhi.legalaid.scope import lawyer_ids, office_ids
from gongzhi.mediation.scope import org_ids
from gongzhi.points import scope as points_scope

from .forms import REPORT_OFF_PAGE, REPORT_PLACED, STAFF_CHANNELS, InputForm, operation_payload
from .paging import CappedPaginator


def _home_for(user) -> str:
    s = scope_of(user)
    # A supervisor works from the 督办台 (web.board); mediators and legal-aid staff or lawyers
    # without an area role from their case lists (README, "Pages"), not from a resident's 我的上报.
    if s.is_admin or s.roles & CENTRE_ROLES:
        return "web:desk"
    if Role.SUPERVISOR in s.roles:
        return "web:supervise"
    # 网格员 and 网格警员 start from their 清单 (web.gridwork: 今日待办); the event queue is one click on.
    if s.roles & {Role.GRID_WORKER, Role.POLICE}:
        return "web:grid_today"
    if s.roles & GRID_TEAM_ROLES or s.departments:
        return "web:queue"
    if corr_scope.may_use(user):           # 社区矫正 staff and the county's prosecutors
        return "web:corr_list"
    if court_scope.is_court_staff(user):   # 民事速裁: the court's judges and clerks
        return "web:court_desk"
    if funds_scope.is_fund_staff(user):   # 三金: the funds' makers and checkers
        return "web:funds_home"
    if org_ids(user):
        return "web:mediation_list"
    if office_ids(user) or lawyer_ids(user):
        return "web:legalaid_list"
    if points_scope.managed_shops(user):     # 积分超市: its managers at the desk, the counters' staff at the till
        return "web:points_desk"
    if points_scope.counters(user):
        return "web:points_counter"
    if credit_scope.is_officer(user) or credit_scope.is_scene_operator(user):   # 信用专员, 场景核验员
        return "web:credit_home"
    return "web:mine"


def staff_only(view):
    """Work lists, the desk and the map are staff pages: a resident reads their own reports on
    /mine/ (the public view of domain.privacy), not a desk listing of them with countdowns."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not scope_of(request.user).is_staff_anywhere:
            raise PermissionDenied("只有工作人员可以使用此页面")
        return view(request, *args, **kwargs)
    return login_required(wrapped)


def index(request):
    if request.user.is_authenticated:
        return redirect(_home_for(request.user))
    return render(request, "web/index.html")


def _grids_for(user):
    """The grids a user may pick on the report map: their own area's, or the whole district."""
    s = scope_of(user)
    qs = Area.objects.filter(level__in=(Level.GRID, Level.MICRO_GRID), geometry__isnull=False).order_by("path")
    paths = [p for _, _, p, _ in s.areas]
    if paths and not s.is_admin:
        mine = [g for g in qs if any(g.path.startswith(p) for p in paths)]
        if mine:
            return mine
    return list(qs)


# ---- report ------------------------------------------------------------------------------------

@login_required
def report(request):
    s = scope_of(request.user)
    grids = _grids_for(request.user)
    channel = _default_channel(s)
    form = _report_form(request, grids, staff=s.is_staff_anywhere, channel=channel)
    template_errors, template_values, photos_error = {}, {}, ""
    if request.method == "POST":
        template_values = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_") and v != ""}
        try:
            event = _submit_report(request, form, template_values, channel)
            return redirect(reverse("web:event", args=[event.id]) + "?new=1")
        except ServiceError as exc:
            left = form.show(exc)
            template_errors = {k[7:]: v for k, v in left.items() if k.startswith("fields.")}
            photos_error = exc.message if "file" in left else ""
            form.errors += [v for k, v in left.items() if k != "file" and not k.startswith("fields.")]
            retry_after = getattr(exc, "retry_after", None)      # the upload rate limit
        page = render(request, "web/report.html", _report_context(
            request, form, grids, template_errors, template_values, photos_error), status=429 if retry_after else 422)
        if retry_after:
            page["Retry-After"] = str(retry_after)
        return page
    return render(request, "web/report.html", _report_context(request, form, grids, {}, {}, ""))


def _report_form(request, grids, *, staff: bool, channel: Channel) -> InputForm:
    """The report input as this user's form: the categories in use, the grids they may pick and,
    for staff, the channels a desk takes reports from (residents report from the app)."""
    cats = Category.objects.filter(active=True).order_by("path")
    choices = {"category": [("", "请选择")] + [(c.code, ("\u2003" * (c.path.count("/") - 2)) + c.name) for c in cats],
               "grid": [("", gettext("（按地图定位）"))] + [(g.code, g.name) for g in grids],
               "channel": STAFF_CHANNELS}
    return InputForm(intake.ReportInput, post=request.POST if request.method == "POST" else None,
                     skip=REPORT_OFF_PAGE | (set() if staff else {"channel"}), placed=REPORT_PLACED,
                     choices=choices, initial={"channel": channel, **({} if staff else _contact(request.user))},
                     attrs=REPORT_ATTRS)


def _contact(user) -> dict:
    """A resident's own name and phone from their account, to keep or change (匿名反映 still
    clears both).  Not for staff: at a desk the contact is the caller's, not the clerk's."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return {}
    return {"reporter_name": profile.display_name, "reporter_phone": profile.phone}


# The page's hooks on the report's fields: typing pauses ask for the classifier's suggestion (kind,
# category, urgency, shown under the field); a category brings its template's fields.
REPORT_ATTRS = {
    "description": {"rows": "4", "hx-post": reverse_lazy("web:report_suggest"),
                    "hx-trigger": "keyup changed delay:700ms", "hx-target": "#suggestion", "hx-swap": "innerHTML"},
    "category": {"hx-get": reverse_lazy("web:report_fields"), "hx-target": "#template-fields", "hx-swap": "outerHTML",
                 "hx-trigger": "change"},
}


def _default_channel(s) -> Channel:
    """Grid teams report from patrol, other staff at a desk, everyone else from the app."""
    if s.roles & GRID_TEAM_ROLES:
        return Channel.GRID_PATROL
    return Channel.WALK_IN if s.is_staff_anywhere else Channel.APP


def _submit_report(request, form: InputForm, template_values: dict, channel: Channel) -> Event:
    # The form's fields are checked first, all at once, by the input itself; then the uploads.
    # They stay where Django streamed them (a temporary file past 64 KB), counted against the rate
    # limit as they arrived (events.uploads.CappedUploadHandler); all are checked (images re-saved
    # without metadata) before the event exists.
    extra = {"fields": template_values, "client_key": request.POST.get("client_key") or None}
    if "channel" not in form.widgets or not request.POST.get("channel"):
        extra["channel"] = channel
    data = form.validate(**extra)
    uploads = request.FILES.getlist("photos")
    intake.check_received_uploads(request)
    checked = [intake.check_attachment(f, f.name) for f in uploads]
    event, created = intake.event_report(actor=request.user, data=data)
    if created:
        # The report's photos: public to the reporter, like the report row.
        for f, c in zip(uploads, checked, strict=True):
            intake.attachment_add(actor=request.user, event=event, content=c, filename=f.name,
                                  action=Action.REPORT, counted=True)
    return event


def _report_context(request, form, grids, template_errors, template_values, photos_error):
    code = form["category"]["value"]
    category = Category.objects.filter(code=code, active=True).first() if code else None
    lon, lat = form["lon"]["value"], form["lat"]["value"]
    pin = None
    if lon not in (None, "") and lat not in (None, ""):
        try:
            # The point typed so far, drawn like an event pin so the map shows it after an error.
            pin = SimpleNamespace(lon=float(lon), lat=float(lat), sla_flag="picked", id=0, title="", number="")
        except ValueError:
            pin = None
    return {"form": form, "svg": maps.build(grids, [pin] if pin else []), "category": category,
            "template_errors": template_errors, "template_values": template_values, "photos_error": photos_error,
            "client_key": request.POST.get("client_key") or uuid.uuid4().hex, "tip_off": EventKind.TIP_OFF.value}


@login_required
@require_POST
def report_suggest(request):
    """htmx: the classifier's suggestion for the description typed so far, with one-tap 采用."""
    from gongzhi.events.classify import suggest
    text = request.POST.get("description", "")[:5000]
    hint = suggest("", text) if len(text.strip()) >= 5 else None
    return render(request, "web/_suggestion.html", {"s": hint})


@login_required
def report_fields(request):
    """htmx: the category template's extra fields, when the category changes."""
    category = Category.objects.filter(code=request.GET.get("category", ""), active=True).first()
    return render(request, "web/_template_fields.html", {"category": category, "template_errors": {},
                                                          "template_values": {}})


# ---- lists -------------------------------------------------------------------------------------

@login_required
def mine(request):
    # The reporter's own list: where each matter stands, without staff's countdowns (domain.privacy).
    page = Paginator(selectors.event_list(request.user, mine=True), 20).get_page(request.GET.get("page"))
    from .residents import my_cases
    return render(request, "web/mine.html", {"events": [{"ev": e, "remaining": None, "public": True} for e in page],
                                             "page": page, **my_cases(request.user)})


def _row(ev: Event) -> dict:
    # A queue row called in by 吹哨 shows the department's role (主办/协办) and its 报到 deadline.
    return {"ev": ev, "remaining": selectors.remaining(ev) if ev.status in OPEN_STATUSES else None,
            "called": selectors.called_label(ev), "check_in_due_at": getattr(ev, "check_in_due_at", None),
            "checked_in": getattr(ev, "checked_in_at", None) is not None}


@staff_only
def queue(request):
    # Each tab lists what its action can be taken on (a department's calls only under 吹哨报到).
    tabs_of = selectors.queue_tabs(request.user)
    counts = selectors.queue_counts(request.user)
    tab = request.GET.get("tab") or selectors.first_tab(counts)
    if tab not in tabs_of:
        tab = "sign"
    qs = selectors.work_queue(request.user).filter(tabs_of[tab][1])
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    # The 吹哨 tab only where a department can be called in: a grid team's row of tabs stays four wide.
    called = bool(scope_of(request.user).departments)
    tabs = [(key, label, counts[key]) for key, (label, _) in tabs_of.items() if key != "called" or called]
    # A grid team's 帮教 tasks for 社区矫正 subjects in its grids (never the file): web.corrections.
    corr_tasks = corr_sel.grid_tasks(request.user) if scope_of(request.user).roles & GRID_TEAM_ROLES else []
    return render(request, "web/queue.html", {"tab": tab, "tabs": tabs, "page": page,
                                              "rows": [_row(e) for e in page], "corr_tasks": corr_tasks})


def _tr(enum) -> list[tuple]:
    """An enum's choices in the reader's language (option lists reach templates as data)."""
    return [(m.value, gettext(m.label)) for m in enum]


@staff_only
def desk(request):
    # Search, markers and the 台账 export: events.desk (web.desk serves the export).
    from .desk import desk_filters, export_context
    f, filters, bad_dates = desk_filters(request)
    qs = desk_search.search(request.user, filters)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    if request.GET.get("page", "1") in ("", "1"):
        desk_search.log_person_search(request.user, filters, qs)   # once per search, not per page turned
    targets = selectors.dispatch_targets(request.user)
    return render(request, "web/desk.html", {
        "filters": f, "page": page, "rows": [{**_row(e), "m": desk_search.markers(e)} for e in page],
        "statuses": _tr(Status), "kinds": _tr(EventKind), "flags": _tr(SlaFlag), "targets": targets,
        "areas": targets["areas"], "bad_dates": bad_dates, "query": request.GET.urlencode(),
        "query_prefix": "".join(f"{k}={quote(v)}&" for k, v in f.items() if v), **export_context(f)})


@staff_only
@require_POST
def desk_dispatch(request):
    """Bulk 受理并派遣: each event goes through event_accept (when new) and event_dispatch."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    target = request.POST.get("target", "")
    area, dept = (target[2:], None) if target.startswith("a:") else (None, target[2:] or None)
    note = request.POST.get("note", "")
    if bad := text_problem(note):                 # the input models' rule (gongzhi.domain.text)
        messages.error(request, gettext("派遣说明%(problem)s") % {"problem": translated(bad)})
        ids = []
    elif not ids:
        messages.error(request, gettext("请先勾选要派遣的事件"))
    done, failed = 0, []
    for event_id in ids:
        try:
            ev = services.load(request.user, event_id)
            if ev.status == Status.REPORTED:
                services.event_accept(actor=request.user, event_id=event_id, note="分拨台批量受理")
            services.event_dispatch(actor=request.user, event_id=event_id, area_code=area or None,
                                    department_code=dept, note=note)
            done += 1
        except ServiceError as exc:
            failed.append(gettext("事件 %(id)s：%(message)s") % {"id": event_id, "message": exc.message})
    if done:
        messages.success(request, ngettext("已派遣 %(n)s 件", "已派遣 %(n)s 件", done) % {"n": done})
    for msg in failed:
        messages.error(request, msg)
    return redirect(reverse("web:desk") + ("?" + request.POST["query"] if request.POST.get("query") else ""))


# ---- one event ---------------------------------------------------------------------------------

def _load(user, event_id):
    try:
        return services.load(user, event_id, prefetch=selectors.DETAIL_PREFETCH)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def event(request, event_id: int):
    return _event_page(request, _load(request.user, event_id))


def _event_page(request, ev, *, failed: str = "", errors: dict | None = None, posted=None,
                unmasked: dict | None = None, status: int = 200):
    detail = selectors.event_detail(request.user, ev)
    ops = operations.available(detail["actions"])
    pending = any(x["state"] == ExtensionState.PENDING for x in detail["extensions"])
    neighbours = Area.objects.filter(parent_id=ev.area.parent_id, geometry__isnull=False) if ev.area.parent_id else []
    ctx = {
        "ev": ev, "d": detail, "ops": ops, "main_op": _main_op(ops, detail["status"], pending), "failed": failed,
        "extension_states": dict(ExtensionState.choices()), "errors": errors or {}, "posted": posted or {},
        "unmasked": unmasked, "new": request.GET.get("new") == "1",
        # The category template's labels for the values it asked for (发生时段, not "period").
        "field_labels": {f.get("name"): f.get("label") for f in ev.category.template or [] if isinstance(f, dict)},
        "svg": maps.build(list(neighbours) or [ev.area], [_pin(ev, detail)], highlight=ev.area.code),
        "satisfaction": [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
        "supervision_levels": _tr(SupervisionLevel), "roles": _tr(CoHandlerRole),
        "can_unmask": detail["reporter"]["can_unmask"],   # the policy's answer, as the service checks it
    }
    from .cases import mediation_form_context
    ctx["mediate"] = mediation_form_context(request.user, ev)
    if detail["merged_into_id"]:
        # The reporter of a merged repeat may not open the main order (someone else's report): its
        # number is shown without a link that would 404 (issue 17); staff in scope get the link.
        try:
            services.load(request.user, detail["merged_into_id"])
            ctx["main_link"] = True
        except NotFound:
            ctx["main_link"] = False
    if any(op.path == "merge" for op in ops):
        from gongzhi.events.duplicates import candidates
        ctx["duplicates"] = candidates(request.user, ev)
    if any(op.path in ("split", "reclassify") for op in ops):
        ctx["categories"] = Category.objects.filter(active=True, children__isnull=True).order_by("path")
    if any(op.path == "reclassify" for op in ops):
        from gongzhi.events.classify import suggest
        ctx["suggestion"] = suggest(ev.title, ev.description)
        ctx["kinds"], ctx["urgencies"] = _tr(EventKind), _tr(Urgency)
    if any(op.path in ("dispatch", "whistle") for op in ops):
        ctx["targets"] = selectors.dispatch_targets(request.user)
        ctx["all_departments"] = Department.objects.filter(active=True).order_by("code")
    return render(request, "web/event.html", ctx, status=status)


# The step an event waits for in each status: its form opens by itself, the others stay folded.
NEXT_STEP = {Status.REPORTED: "accept", Status.ACCEPTED: "dispatch", Status.DISPATCHED: "sign",
             Status.HANDLING: "resolve", Status.RESOLVED: "verify", Status.VERIFIED: "answer",
             Status.ANSWERED: "revisit", Status.REVISITED: "close"}


def _pin(ev: Event, detail: dict):
    """The event's map pin, coloured only when the viewer may see its SLA state (domain.privacy)."""
    return SimpleNamespace(lon=ev.lon, lat=ev.lat, id=ev.id, title=ev.title, number=ev.number,
                           sla_flag=detail["sla_flag"] or SlaFlag.GREEN)


def _main_op(ops, status: str, pending_extension: bool) -> str:
    paths = [op.path for op in ops]
    if pending_extension and "extensions/decide" in paths:
        return "extensions/decide"
    step = NEXT_STEP.get(Status(status))
    if step in paths:
        return step
    return "check-in" if "check-in" in paths else ""


# The operations whose form takes photos, and the timeline row each photo comes with.
PHOTO_ACTIONS = {"resolve": Action.RESOLVE, "notes": Action.NOTE}


@login_required
@require_POST
def event_do(request, event_id: int, path: str):
    op = operations.OPERATIONS.get(path)
    if op is None:
        raise Http404("没有这个操作")
    uploads = request.FILES.getlist("photos") if path in PHOTO_ACTIONS else []
    try:
        intake.check_received_uploads(request)     # counted as they arrived (events.uploads.CappedUploadHandler)
        checked = [intake.check_attachment(f, f.name) for f in uploads]
        payload = validate(op.schema, operation_payload(op, request.POST))
        ev = op.call(request.user, event_id, payload)
        for f, c in zip(uploads, checked, strict=True):
            # A 办结 photo ("after") is public like its row; a note's photo internal (domain.privacy).
            intake.attachment_add(actor=request.user, event=ev, content=c, filename=f.name,
                                  action=PHOTO_ACTIONS[path], counted=True)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        page = _event_page(request, _load(request.user, event_id), failed=path, errors={
            **exc.fields, "summary": exc.message}, posted=request.POST, status=exc.status)
        if getattr(exc, "retry_after", None):          # the upload rate limit: 429 says when
            page["Retry-After"] = str(exc.retry_after)
        return page
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(op.label)})
    return redirect("web:event", event_id=event_id)


@login_required
@require_POST
def event_unmask(request, event_id: int):
    try:
        # Validated with the API's model: the same limits and the same refusal of control characters.
        reason = validate(UnmaskIn, {"reason": request.POST.get("reason", "")}).reason
        data = services.event_unmask(actor=request.user, event_id=event_id, reason=reason)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        # Also shown at the top: a user with no operations has no 办理 card to show it in.
        messages.error(request, exc.message)
        return _event_page(request, _load(request.user, event_id), failed="unmask",
                           errors={**exc.fields, "summary": exc.message}, posted=request.POST, status=exc.status)
    return _event_page(request, _load(request.user, event_id), unmasked=data)


@login_required
def attachment(request, event_id: int, attachment_id: int):
    """Files are served only to users who may see the event (there is no public media URL)."""
    try:
        att = intake.attachment_for(actor=request.user, event_id=event_id, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return files.serve_attachment(att)


# The grid map (网格地图) and its JSON: web/mapdata.py.
