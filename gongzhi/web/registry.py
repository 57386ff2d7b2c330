"""Pages of the base registry: the list of the area's people, houses and units (masked, searched by
name or address), a person's page (a logged read; unmasking with a reason; moving out; the marks
the viewer's role may read; linked cases the viewer may see), a house's and a unit's page, the
待核实 list with 核实/驳回, the resident's own household with the claim form, the sheet import
with its rejected-rows report, and the Excel export.  Everything through the registry's services
and selectors; staff outside the area, and residents beyond their household, get a 404."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.api.registry import case_visible, export_response, import_json, import_run
from gongzhi.areas.models import Area
from gongzhi.core.errors import Invalid, NotFound, ServiceError
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import HouseUse, ImportKind, UnitKind
from gongzhi.events.scope import visible_events
from gongzhi.mediation.scope import visible_cases
from gongzhi.registry import imports, scope, selectors as sel, services as svc
from gongzhi.registry.inputs import ClaimIn, LinkIn, MarkIn, MoveOutIn, ReasonIn
from gongzhi.registry.models import ImportRun
from gongzhi.registry.services import GRID_LEVELS

from .forms import InputForm

LIST_LIMIT = 200
TABS = ("people", "houses", "units")


def _staff(request) -> None:
    if not scope.is_registry_staff(request.user):
        raise Http404("页面不存在")


def _not_found(exc: NotFound):
    raise Http404(exc.message)


@login_required
def registry_home(request):
    _staff(request)
    tab = request.GET.get("tab", "people")
    tab = tab if tab in TABS else "people"
    q = request.GET.get("q", "").strip()[:50]
    if tab == "people":
        qs = sel.people(request.user, q=q)
        rows = [sel.person_row(request.user, p) for p in qs[:LIST_LIMIT]]
    elif tab == "houses":
        qs = sel.houses(request.user, q=q, use=request.GET.get("use", "") if request.GET.get("use") in
                        {u.value for u in HouseUse} else "")
        rows = list(qs[:LIST_LIMIT])
    else:
        qs = sel.units(request.user, q=q, kind=request.GET.get("kind", "") if request.GET.get("kind") in
                       {k.value for k in UnitKind} else "")
        rows = list(qs[:LIST_LIMIT])
    return render(request, "web/registry/home.html", {
        "tab": tab, "q": q, "rows": rows, "total": qs.count(), "limit": LIST_LIMIT, "uses": list(HouseUse),
        "kinds": list(UnitKind), "may_write": scope.may_write(request.user),
        "may_verify": scope.may_verify(request.user)})


def _cases(user, links) -> list[dict]:
    """The linked cases this user may see (each pillar's own scope decides), newest first."""
    readers = {CaseKind.EVENT: (visible_events, lambda pk: reverse("web:event", args=[pk])),
               CaseKind.MEDIATION: (visible_cases, lambda pk: reverse("web:case", kwargs={
                   "kind": CaseKind.MEDIATION.value, "case_id": pk}))}
    out = []
    by_kind: dict[str, list] = {}
    for link in links:
        by_kind.setdefault(link.case_kind, []).append(link)
    for kind, rows in by_kind.items():
        if kind not in readers:
            continue
        visible, url = readers[CaseKind(kind)]
        seen = {c.pk: c for c in visible(user).filter(pk__in=[r.case_id for r in rows])}
        for r in rows:
            c = seen.get(r.case_id)
            if c is not None:
                out.append({"kind": CaseKind(kind).label, "number": getattr(c, "number", "") or c.pk,
                            "url": url(c.pk), "note": r.note, "at": r.at})
    return sorted(out, key=lambda x: x["at"], reverse=True)


LINKABLE = (CaseKind.EVENT, CaseKind.MEDIATION)      # the kinds api.registry.case_visible can check


def _link_form() -> InputForm:
    return InputForm(LinkIn, skip={"target", "target_id"},
                     choices={"case_kind": [(k.value, k.label) for k in LINKABLE]})


def _person_context(request, person_id: int, **extra) -> dict:
    try:
        d = sel.person_detail(request.user, person_id)
    except NotFound as exc:
        _not_found(exc)
    p = d["person"]
    return {"d": d, "p": p, "cases": _cases(request.user, scope.links_of(person=p)),
            "may_write": scope.may_write_row(request.user, p.grid.path),
            "unmask_form": InputForm(ReasonIn), "move_form": InputForm(MoveOutIn),
            "mark_form": InputForm(MarkIn, choices={"group": [(g.value, g.label) for g in d["groups"]]}),
            "link_form": _link_form(), **extra}


@login_required
def person_page(request, person_id: int):
    ctx = _person_context(request, person_id)
    if ctx["p"].user_id != request.user.pk:
        _staff(request)
    return render(request, "web/registry/person.html", ctx)


@login_required
@require_POST
def person_unmask(request, person_id: int):
    _staff(request)
    form = InputForm(ReasonIn, post=request.POST)
    try:
        full = svc.unmask(actor=request.user, person_id=person_id, reason=form.validate().reason)
    except NotFound as exc:
        _not_found(exc)
    except ServiceError as exc:
        form.show(exc)
        return render(request, "web/registry/person.html", _person_context(request, person_id, unmask_form=form),
                      status=exc.status)
    return render(request, "web/registry/person.html", _person_context(request, person_id, full=full))


_POSTS = {
    "move-out": (MoveOutIn, "move_form", "迁出登记",
                 lambda u, pk, d: svc.person_move_out(actor=u, person_id=pk, on=d.on, note=d.note)),
    "mark": (MarkIn, "mark_form", "特殊人群标记", lambda u, pk, d: svc.mark_add(actor=u, person_id=pk, data=d)),
}


@login_required
@require_POST
def person_do(request, person_id: int, path: str):
    _staff(request)
    if path not in _POSTS:
        raise Http404("没有这个操作")
    schema, key, label, call = _POSTS[path]
    form = InputForm(schema, post=request.POST)
    try:
        call(request.user, person_id, form.validate())
    except NotFound as exc:
        _not_found(exc)
    except ServiceError as exc:
        form.show(exc)
        return render(request, "web/registry/person.html", _person_context(request, person_id, **{key: form}),
                      status=exc.status)
    messages.success(request, gettext("%(op)s：已完成") % {"op": gettext(label)})
    return redirect("web:registry_person", person_id=person_id)


@login_required
@require_POST
def link_do(request, target: str, target_id: int):
    """关联案件 from a person's, house's or unit's page."""
    _staff(request)
    back = {"person": "web:registry_person", "house": "web:registry_house", "unit": "web:registry_unit"}
    if target not in back:
        raise Http404("没有这个对象")
    form = InputForm(LinkIn, post=request.POST, skip={"target", "target_id"},
                     choices={"case_kind": [(k.value, k.label) for k in LINKABLE]})
    try:
        data = form.validate(target=target, target_id=target_id)
        case_visible(request.user, data.case_kind, data.case_id)
        svc.link_case(actor=request.user, data=data)
        messages.success(request, gettext("已关联案件"))
    except NotFound as exc:
        messages.error(request, gettext(exc.message))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(back[target], target_id)


@login_required
def house_page(request, house_id: int):
    try:
        d = sel.house_detail(request.user, house_id)
    except NotFound as exc:
        _not_found(exc)
    return render(request, "web/registry/house.html", {
        "d": d, "h": d["house"], "rented": d["house"].use == HouseUse.RENTED,
        "cases": _cases(request.user, scope.links_of(house=d["house"])),
        "staff": scope.is_registry_staff(request.user), "link_form": _link_form()})


@login_required
def unit_page(request, unit_id: int):
    _staff(request)
    try:
        d = sel.unit_detail(request.user, unit_id)
    except NotFound as exc:
        _not_found(exc)
    return render(request, "web/registry/unit.html", {
        "d": d, "u": d["unit"], "cases": _cases(request.user, scope.links_of(unit=d["unit"])),
        "link_form": _link_form()})


# ---- residents' claims ------------------------------------------------------------------------------

def _grid_rows():
    return Area.objects.filter(level__in=GRID_LEVELS).order_by("path").values_list("code", "name", "path")


def _grids():
    return [(code, name) for code, name, _path in _grid_rows()]


@login_required
def me(request):
    """我的住户: the resident's own household (after 核实), their claims, and the claim form."""
    form = InputForm(ClaimIn, choices={"grid": _grids()}, skip={"client_key"})
    if request.method == "POST":
        form = InputForm(ClaimIn, post=request.POST, choices={"grid": _grids()}, skip={"client_key"})
        try:
            svc.claim_submit(actor=request.user, data=form.validate(
                client_key=request.POST.get("client_key", "")[:64]))
            messages.success(request, gettext("已提交，请等待社区核实"))
            return redirect("web:registry_me")
        except ServiceError as exc:
            form.show(exc)
            if exc.message not in form.errors:
                form.errors.insert(0, exc.message)
    person = sel.person_of(request.user)
    members = []
    if person is not None and person.household_id:
        members = [sel.person_row(request.user, m) for m in
                   scope.visible_people(request.user).filter(household_id=person.household_id).select_related(
                       "grid", "house").order_by("name")]
    return render(request, "web/registry/me.html", {
        "person": person, "members": members, "form": form, "client_key": uuid.uuid4().hex,
        "claims": request.user.registry_claims.select_related("grid")[:5]},
        status=422 if form.has_errors else 200)


@login_required
def pending(request):
    if not scope.may_verify(request.user):
        raise Http404("页面不存在")
    return render(request, "web/registry/pending.html", {"claims": sel.pending_claims(request.user)[:200],
                                                         "reject_form": InputForm(ReasonIn)})


@login_required
@require_POST
def claim_do(request, claim_id: int, path: str):
    if not scope.may_verify(request.user) or path not in ("verify", "reject"):
        raise Http404("页面不存在")
    try:
        if path == "verify":
            svc.claim_verify(actor=request.user, claim_id=claim_id)
            messages.success(request, gettext("已核实"))
        else:
            svc.claim_reject(actor=request.user, claim_id=claim_id, reason=request.POST.get("reason", "")[:200])
            messages.success(request, gettext("已驳回"))
    except NotFound as exc:
        _not_found(exc)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("web:registry_pending")


# ---- import and export --------------------------------------------------------------------------------

@login_required
def import_page(request):
    if not scope.may_write(request.user):
        raise Http404("页面不存在")
    grids = [(code, name) for code, name, path in _grid_rows() if scope.may_write_row(request.user, path)]
    ctx = {"grids": grids, "kinds": list(ImportKind), "error": "", "runs": _runs(request.user)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise Invalid("请选择要导入的文件", fields={"file": "必选"})
            mapping = _mapping(request.POST.get("mapping", ""))
            kind = request.POST.get("kind", ImportKind.PEOPLE)
            if kind not in {k.value for k in ImportKind}:
                raise Invalid("导入类别不正确", fields={"kind": "无效"})
            run = imports.run_import(actor=request.user, kind=ImportKind(kind), filename=upload.name or "",
                                     content=upload.read(), grid_code=request.POST.get("grid", ""), mapping=mapping)
            return redirect("web:registry_import_result", run_id=run.pk)
        except ServiceError as exc:
            ctx["error"] = exc.with_fields()
            return render(request, "web/registry/import.html", ctx, status=exc.status)
    return render(request, "web/registry/import.html", ctx)


def _runs(user):
    return ImportRun.objects.filter(by=user)[:10]


def _mapping(text: str) -> dict[str, str]:
    """「户主姓名=name」 one a line: a district's own header for a field."""
    out = {}
    for line in text.splitlines()[:50]:
        if "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()[:30]] = v.strip()[:30]
    return out


@login_required
def import_result(request, run_id: int):
    try:
        run = import_run(request.user, run_id)
    except NotFound as exc:
        _not_found(exc)
    return render(request, "web/registry/import_result.html", {"run": run, "r": import_json(run)})


@login_required
def import_rejected(request, run_id: int):
    try:
        run = import_run(request.user, run_id)
    except NotFound as exc:
        _not_found(exc)
    resp = HttpResponse(imports.rejected_csv(run), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="rejected-{run.pk}.csv"'
    return resp


@login_required
def export(request):
    """GET: the masked workbook; POST with 事由: ID numbers in full where the viewer may unmask (logged)."""
    _staff(request)
    try:
        if request.method == "POST":
            return export_response(request.user, unmask=True, reason=request.POST.get("reason", "")[:200])
        return export_response(request.user, unmask=False, reason="")
    except NotFound as exc:
        _not_found(exc)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("web:registry_home")
