"""The base registry (人房物事情组织) over JSON: people, houses and units of the caller's area
(masked; a person's full record is a logged read, unmasking a logged step with a reason), the
resident's own household and claim, the 待核实 list with 核实/驳回, moving out, special-group
marks (only for the roles of the table), links from cases to registry objects, the sheet import
with its rejected-rows report, and the Excel export."""

from datetime import date

from django.http import HttpResponse
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from gongzhi.core.errors import Forbidden, Invalid, NotFound
from gongzhi.domain import privacy
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import HouseUse, ImportKind, UnitKind
from gongzhi.registry import exports, imports, scope, selectors as sel, services as svc
from gongzhi.registry.inputs import ClaimIn, HouseIn, LinkIn, MarkEndIn, MarkIn, MoveOutIn, PersonIn, ReasonIn, UnitIn
from gongzhi.registry.models import ImportRun

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}
registry = Router(tags=["基础信息登记（人房物事情组织）"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PersonOut(s.Out):
    id: int
    name: str
    id_number: str
    phone: str
    gender: str
    residency: str
    grid: str
    grid_code: str
    address: str
    household_id: int | None
    moved_out_on: date | None
    verified: bool


class MarkOut(s.Out):
    id: int
    group: str
    label: str
    since: date
    until: date | None


class ChangeOut(s.Out):
    at: str
    field: str
    old: str
    new: str
    source: str
    by: str
    note: str


class LinkOut(s.Out):
    id: int
    case_kind: str
    case_id: int
    note: str


class PersonDetailOut(PersonOut):
    birth_date: date | None
    relation: str
    moved_in_on: date | None
    marks: list[MarkOut]
    members: list[PersonOut]
    may_unmask: bool
    history: list[ChangeOut]
    links: list[LinkOut]


class HouseOut(s.Out):
    id: int
    address: str
    estate: str
    use: str
    grid: str
    owner_name: str
    owner_phone: str


class HouseDetailOut(HouseOut):
    residents: list[PersonOut]
    households: list[int]
    history: list[ChangeOut]
    links: list[LinkOut]


class UnitOut(s.Out):
    id: int
    name: str
    kind: str
    grid: str
    address: str
    credit_code: str
    contact_name: str
    contact_phone: str
    department: str | None = None


class ClaimOut(s.Out):
    id: int
    name: str
    id_number: str
    grid: str
    address: str
    state: str
    reason: str
    created_at: str


class UnmaskedOut(s.Out):
    id: int
    id_number: str
    phone: str


class ImportOut(s.Out):
    id: int
    kind: str
    filename: str
    encoding: str
    rows: int
    created: int
    updated: int
    unchanged: int
    blank: int
    unknown_headers: list[str]
    rejected: list[dict]


def _history(rows):
    return [{**h, "at": h["at"].isoformat()} for h in rows]


def _links(qs):
    return [{"id": lk.id, "case_kind": lk.case_kind, "case_id": lk.case_id, "note": lk.note} for lk in qs]


def _house(h, masked_phone):
    return {"id": h.id, "address": h.address, "estate": h.estate, "use": h.use, "grid": h.grid.name,
            "owner_name": h.owner_name, "owner_phone": masked_phone}


def _unit(u):
    return {"id": u.id, "name": u.name, "kind": u.kind, "grid": u.grid.name, "address": u.address,
            "credit_code": u.credit_code, "contact_name": u.contact_name,
            "contact_phone": privacy.mask_phone(u.contact_phone),
            "department": u.department.code if u.department_id else None}


def _claim(c):
    return {"id": c.id, "name": c.name, "id_number": privacy.mask_id_number(c.id_number), "grid": c.grid.code,
            "address": c.address, "state": c.state, "reason": c.reason, "created_at": c.created_at.isoformat()}


def _person_detail(request, person_id: int) -> dict:
    d = sel.person_detail(request.user, person_id)
    return {**{k: v for k, v in d.items() if k in PersonDetailOut.model_fields},
            "marks": [{"id": m.id, "group": m.group, "label": m.get_group_display(), "since": m.since,
                       "until": m.until} for m in d["marks"]],
            "history": _history(d["history"]), "links": _links(scope.links_of(person=d["person"]))}


# ---- literal paths first -------------------------------------------------------------------------

@registry.get("/people", response=list[PersonOut], summary="实有人口（本辖区，已脱敏；按姓名或地址检索）")
@paginate
def registry_people(request, q: str = "", grid: str = ""):
    return [sel.person_row(request.user, p) for p in sel.people(request.user, q=q[:50], grid=grid[:32])[:5000]]


@registry.post("/people", response={200: PersonOut, 201: PersonOut, **ERRORS}, summary="登记人员")
def registry_person_add(request, payload: PersonIn):
    p, created = svc.person_save(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.person_row(request.user, p))


@registry.get("/houses", response=list[HouseOut], summary="房屋（本辖区）")
@paginate
def registry_houses(request, q: str = "", use: HouseUse | None = None):
    rows = sel.houses(request.user, q=q[:50], use=use or "")[:5000]
    return [_house(h, privacy.mask_phone(h.owner_phone)) for h in rows]


@registry.post("/houses", response={200: HouseOut, 201: HouseOut, **ERRORS}, summary="登记房屋")
def registry_house_add(request, payload: HouseIn):
    h, created = svc.house_save(actor=request.user, data=payload)
    return Status(201 if created else 200, _house(h, privacy.mask_phone(h.owner_phone)))


@registry.get("/units", response=list[UnitOut], summary="场所与单位（本辖区）")
@paginate
def registry_units(request, q: str = "", kind: UnitKind | None = None):
    return [_unit(u) for u in sel.units(request.user, q=q[:50], kind=kind or "").select_related("department")[:5000]]


@registry.post("/units", response={200: UnitOut, 201: UnitOut, **ERRORS}, summary="登记场所或单位")
def registry_unit_add(request, payload: UnitIn):
    u, created = svc.unit_save(actor=request.user, data=payload)
    return Status(201 if created else 200, _unit(u))


@registry.get("/me", response={200: dict, **ERRORS}, summary="我的住户（居民）")
def registry_me(request):
    p = sel.person_of(request.user)
    claims = [_claim(c) for c in request.user.registry_claims.select_related("grid")[:5]] \
        if request.user.is_authenticated else []
    if p is None:
        return {"person": None, "claims": claims}
    return {"person": _person_detail(request, p.pk), "claims": claims}


@registry.post("/claims", response={200: ClaimOut, 201: ClaimOut, **ERRORS}, summary="居民认证：申报住址（幂等）")
def registry_claim(request, payload: ClaimIn):
    c, created = svc.claim_submit(actor=request.user, data=payload)
    return Status(201 if created else 200, _claim(c))


@registry.get("/claims", response={200: list[ClaimOut], **ERRORS}, summary="待核实的居民认证")
def registry_claims(request):
    if not scope.may_verify(request.user):
        raise Forbidden("您不能核实居民认证")
    return [_claim(c) for c in sel.pending_claims(request.user)[:500]]


@registry.post("/claims/{claim_id}/verify", response={200: PersonOut, **ERRORS}, summary="核实")
def registry_claim_verify(request, claim_id: int):
    return sel.person_row(request.user, svc.claim_verify(actor=request.user, claim_id=claim_id))


@registry.post("/claims/{claim_id}/reject", response={200: ClaimOut, **ERRORS}, summary="驳回（须填原因）")
def registry_claim_reject(request, claim_id: int, payload: ReasonIn):
    return _claim(svc.claim_reject(actor=request.user, claim_id=claim_id, reason=payload.reason))


@registry.post("/links", response={200: LinkOut, 201: LinkOut, **ERRORS}, summary="案件关联登记对象")
def registry_link(request, payload: LinkIn):
    case_visible(request.user, payload.case_kind, payload.case_id)
    link, created = svc.link_case(actor=request.user, data=payload)
    return Status(201 if created else 200, _links([link])[0])


@registry.post("/imports", response={201: ImportOut, **ERRORS}, summary="导入登记表（.xlsx / CSV，重复导入不重复登记）")
def registry_import(request, file: File[UploadedFile], kind: Form[ImportKind] = ImportKind.PEOPLE,
                    grid: Form[str] = ""):
    if file.size > imports.MAX_BYTES:
        raise Invalid("文件过大（不超过 20 MB）")
    run = imports.run_import(actor=request.user, kind=kind, filename=file.name or "", content=file.read(),
                             grid_code=grid)
    return Status(201, import_json(run))


@registry.get("/imports/{run_id}", response={200: ImportOut, **ERRORS}, summary="导入结果")
def registry_import_result(request, run_id: int):
    return import_json(import_run(request.user, run_id))


@registry.get("/imports/{run_id}/rejected.csv", response={200: None, **ERRORS}, summary="下载未导入行（行号与原因）")
def registry_import_rejected(request, run_id: int):
    run = import_run(request.user, run_id)
    resp = HttpResponse(imports.rejected_csv(run), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="rejected-{run.pk}.csv"'
    return resp


@registry.get("/export.xlsx", response={200: None, **ERRORS}, summary="导出本辖区登记信息（Excel；证件号码默认脱敏）")
def registry_export(request, unmask: bool = False, reason: str = ""):
    return export_response(request.user, unmask=unmask, reason=reason[:200])


@registry.get("/people/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="人员档案（查看留痕）")
def registry_person(request, person_id: int):
    return _person_detail(request, person_id)


@registry.put("/people/{person_id}", response={200: PersonOut, **ERRORS}, summary="更正人员信息（留修改记录）")
def registry_person_edit(request, person_id: int, payload: PersonIn):
    p, _ = svc.person_save(actor=request.user, data=payload, person_id=person_id)
    return sel.person_row(request.user, p)


@registry.post("/people/{person_id}/unmask", response={200: UnmaskedOut, **ERRORS},
               summary="查看完整证件号码和电话（须填事由，留痕）")
def registry_unmask(request, person_id: int, payload: ReasonIn):
    return svc.unmask(actor=request.user, person_id=person_id, reason=payload.reason)


@registry.post("/people/{person_id}/move-out", response={200: PersonOut, **ERRORS}, summary="迁出（保留历史）")
def registry_move_out(request, person_id: int, payload: MoveOutIn):
    p = svc.person_move_out(actor=request.user, person_id=person_id, on=payload.on, note=payload.note)
    return sel.person_row(request.user, p)


@registry.post("/people/{person_id}/marks", response={200: MarkOut, 201: MarkOut, **ERRORS}, summary="特殊人群标记")
def registry_mark(request, person_id: int, payload: MarkIn):
    m, created = svc.mark_add(actor=request.user, person_id=person_id, data=payload)
    return Status(201 if created else 200, {"id": m.id, "group": m.group, "label": m.get_group_display(),
                                            "since": m.since, "until": m.until})


@registry.post("/marks/{mark_id}/end", response={200: MarkOut, **ERRORS}, summary="终止特殊人群标记")
def registry_mark_end(request, mark_id: int, payload: MarkEndIn):
    m = svc.mark_end(actor=request.user, mark_id=mark_id, until=payload.until)
    return {"id": m.id, "group": m.group, "label": m.get_group_display(), "since": m.since, "until": m.until}


@registry.post("/households/{household_id}/move-out", response={200: dict, **ERRORS}, summary="住户迁出")
def registry_household_move_out(request, household_id: int, payload: MoveOutIn):
    hh = svc.household_move_out(actor=request.user, household_id=household_id, on=payload.on, note=payload.note)
    return {"id": hh.id, "moved_out_on": hh.moved_out_on}


@registry.get("/houses/{house_id}", response={200: HouseDetailOut, **ERRORS}, summary="房屋（住户、租户、场所）")
def registry_house(request, house_id: int):
    d = sel.house_detail(request.user, house_id)
    return {**_house(d["house"], d["owner_phone"]), "residents": d["residents"],
            "households": [hh.id for hh in d["households"]], "history": _history(d["history"]),
            "links": _links(scope.links_of(house=d["house"]))}


@registry.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="场所或单位")
def registry_unit(request, unit_id: int):
    return _unit(sel.unit_detail(request.user, unit_id)["unit"])


# ---- shared with the pages ----------------------------------------------------------------------

def case_visible(user, kind: CaseKind, case_id: int) -> None:
    """A case may be linked only by someone who sees it (registry knows no case table: asked here)."""
    from gongzhi.events.scope import visible_events
    from gongzhi.mediation.scope import visible_cases
    readers = {CaseKind.EVENT: visible_events, CaseKind.MEDIATION: visible_cases}
    if kind not in readers:
        raise Invalid("暂只支持关联事件和调解案件", fields={"case_kind": "不支持的案件类型"})
    if not readers[kind](user).filter(pk=case_id).exists():
        raise NotFound("案件不存在或您无权查看")


def import_run(user, run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(pk=run_id, by=user).first()
    if run is None:
        raise NotFound("导入记录不存在")
    return run


def import_json(run: ImportRun) -> dict:
    return {"id": run.pk, "kind": run.kind, "filename": run.filename, "encoding": run.encoding, "rows": run.rows,
            "created": run.created, "updated": run.updated, "unchanged": run.unchanged, "blank": run.blank,
            "unknown_headers": run.unknown_headers, "rejected": run.rejected}


def export_response(user, *, unmask: bool, reason: str) -> HttpResponse:
    if not scope.is_registry_staff(user):
        raise NotFound("页面不存在")
    data = exports.registry_xlsx(user, people=sel.people(user), houses=sel.houses(user), units=sel.units(user),
                                 unmask=unmask, reason=reason)
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="registry.xlsx"'
    return resp
