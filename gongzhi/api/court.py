"""民事速裁 over JSON: register, 诉调对接 intake, lists per track with counts, one case (read logged),
one POST per operation (the same table the pages use), elements with their checks, series
(suggest, confirm, lead, follow), documents, the shares per track, and what a mediation
committee reads of a case it sent."""
from ninja import Router, Status

from gongzhi.core import files
from gongzhi.core.errors import NotFound
from gongzhi.court import operations as ops, selectors as sel, services as svc
from gongzhi.court.inputs import ElementsIn, IntakeIn, LeadIn, RegisterIn, SeriesIn
from gongzhi.domain import court as dc

from . import schemas as s

ERRORS = {403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut, 503: s.ErrorOut}
court = Router(tags=["民事速裁"])


@court.get("", response=list[dict], summary="民事案件列表（本院速裁团队）")
def court_list(request, track: dc.Track | None = None, open_only: bool = False, q: str = ""):
    return [sel.summary(c) for c in sel.case_list(request.user, track=track, open_only=open_only, q=q)[:500]]


@court.get("/counts", response=dict[str, int], summary="各程序的案件数")
def court_counts(request):
    return sel.track_counts(request.user)


@court.get("/shares", response=list[dict], summary="各程序案件占比与结案方式")
def court_shares(request):
    return sel.shares(request.user)


@court.post("", response={200: dict, 201: dict, **ERRORS}, summary="登记民事案件（幂等）")
def court_register(request, payload: RegisterIn):
    case, created = svc.register(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.detail(request.user, case.id))


@court.post("/intake", response={200: dict, 201: dict, **ERRORS}, summary="诉调对接：调解不成的案件转入法院（幂等）")
def court_intake(request, payload: IntakeIn):
    case, created = svc.intake_from_mediation(actor=request.user, data=payload)
    if not sel.scope.is_court_staff(request.user):
        return Status(201 if created else 200, sel.sent_outcome(request.user, payload.mediation_case) or {})
    return Status(201 if created else 200, sel.detail(request.user, case.id))


@court.get("/from-mediation/{mediation_id}", response={200: dict, **ERRORS}, summary="送案调解组织查看结果")
def court_sent_outcome(request, mediation_id: int):
    out = sel.sent_outcome(request.user, mediation_id)
    if out is None:
        raise NotFound("案件不存在")       # the error contract's body (code, message), as every 404
    return out


@court.get("/series/suggest", response=list[list[dict]], summary="串案建议（待书记员确认）")
def court_series_suggest(request):
    return [[sel.summary(c) for c in g] for g in svc.suggest_series(request.user)]


@court.post("/series", response={201: dict, **ERRORS}, summary="确认串案")
def court_series_confirm(request, payload: SeriesIn):
    series = svc.confirm_series(actor=request.user, case_ids=payload.cases)
    return Status(201, {"id": series.id, "cases": payload.cases})


@court.post("/series/{series_id}/lead", response={200: dict, **ERRORS}, summary="指定示范案件")
def court_series_lead(request, series_id: int, payload: LeadIn):
    series = svc.set_lead(actor=request.user, series_id=series_id, case_id=payload.case)
    return {"id": series.id, "lead": series.lead_id}


@court.post("/series/{series_id}/follow", response={200: list[dict], **ERRORS}, summary="其余案件参照示范案件起草")
def court_series_follow(request, series_id: int):
    return [sel.summary(c) for c in svc.follow_lead(actor=request.user, series_id=series_id)]


@court.get("/{case_id}", response={200: dict, **ERRORS}, summary="民事案件（查看留痕）")
def court_detail(request, case_id: int):
    return sel.detail(request.user, case_id)


@court.get("/{case_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载文书（.docx）")
def court_document(request, case_id: int, doc_id: int):
    return files.serve_document(sel.document(request.user, case_id, doc_id))


@court.post("/{case_id}/elements", response={200: dict, **ERRORS}, summary="录入要素并校验")
def court_elements(request, case_id: int, payload: ElementsIn):
    svc.record_elements(actor=request.user, case_id=case_id, data=payload)
    return sel.detail(request.user, case_id)


def _endpoint(op):
    def view(request, case_id: int, payload: op.schema):
        op.call(request.user, case_id, payload)
        return sel.detail(request.user, case_id)
    view.__name__ = f"court_{op.path.replace('-', '_')}"
    return view


for _op in ops.OPERATIONS.values():
    court.post(f"/{{case_id}}/{_op.path}", response={200: dict, **ERRORS}, summary=_op.label)(_endpoint(_op))
