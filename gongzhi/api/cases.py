"""多元调处 and 法律援助 over JSON: create, list, read, one POST per operation (from the same
tables the pages use), documents, reference data and statistics."""

from datetime import date
from typing import Literal

from ninja import Router, Status
from ninja.pagination import paginate

from gongzhi.core import files
from gongzhi.core.replica import statistics_view
from gongzhi.domain.enums import SlaFlag
from gongzhi.domain.legalaid import AidStatus
from gongzhi.domain.mediation import CaseStatus, success_rate
from gongzhi.legalaid import operations as aid_ops, selectors as aid_sel, services as aid
from gongzhi.legalaid.inputs import AidApplyIn, ConsultationIn
from gongzhi.legalaid.models import ExemptCategory, Lawyer, Office
from gongzhi.mediation import operations as med_ops, selectors as med_sel, services as med
from gongzhi.mediation.inputs import ApplyIn, FromEventIn
from gongzhi.mediation.models import DisputeType, Organisation

from . import schemas as s

ERRORS = {403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut, 503: s.ErrorOut}
mediation = Router(tags=["多元调处"])
legalaid = Router(tags=["法律援助"])


def _register(router: Router, table: dict, prefix: str, detail) -> None:
    """POST /<prefix>/{id}/<path> for every operation: run the service, answer with the detail."""
    for op in table.values():
        router.post(f"/{{case_id}}/{op.path}", response={200: dict, **ERRORS}, summary=op.label)(
            _endpoint(op, prefix, detail))


def _endpoint(op, prefix: str, detail):
    def view(request, case_id: int, payload: op.schema):
        case = op.call(request.user, case_id, payload)
        return detail(request.user, case.id)
    view.__name__ = f"{prefix}_{op.path.replace('-', '_')}"
    return view


def _docx(doc):
    return files.serve_document(doc)      # after document_for's check (and its access log)


# ---- mediation ----------------------------------------------------------------------------------

@mediation.get("/types", summary="纠纷类型（可配置）")
def dispute_types(request):
    return [{"code": t.code, "name": t.name, "limit_workdays": t.limit_workdays}
            for t in DisputeType.objects.filter(active=True)]


@mediation.get("/organisations", summary="调解组织与调解员库")
def organisations(request):
    out = []
    for o in Organisation.objects.filter(active=True).select_related("area").prefetch_related("types"):
        # load and success record as the assignment rules see them
        mediators = [{"id": m.id, "name": m.name, "level": m.level, "types": sorted(m.types),
                      "dialects": sorted(m.dialects), "open_cases": m.open_cases, "max_cases": m.max_cases,
                      "succeeded": m.succeeded, "concluded": m.concluded,
                      "success_rate": success_rate(m.succeeded, m.concluded)}
                     for m in med.mediator_facts(o.id) if m.active]
        out.append({"code": o.code, "name": o.name, "kind": o.kind, "area": o.area.code,
                    "types": [t.code for t in o.types.all()], "mediators": mediators})
    return out


@mediation.post("", response={200: dict, 201: dict, **ERRORS}, summary="申请调解（网上/窗口，幂等）")
def mediation_apply(request, payload: ApplyIn):
    case, created = med.case_apply(actor=request.user, data=payload)
    return Status(201 if created else 200, med_sel.detail(request.user, case.id))


@mediation.post("/from-event/{event_id}", response={200: dict, 201: dict, **ERRORS},
                summary="网格事件/110 警情转人民调解")
def mediation_from_event(request, event_id: int, payload: FromEventIn):
    case, created = med.case_from_event(actor=request.user, event_id=event_id, data=payload)
    return Status(201 if created else 200, med_sel.detail(request.user, case.id))


@mediation.get("", response=list[dict], summary="调解案件列表（按管辖范围）")
@paginate
def mediation_list(request, tab: Literal[tuple(med_sel.TABS)] | None = None, status: CaseStatus | None = None,
                   dispute_type: str | None = None, flag: SlaFlag | None = None):
    # An unknown tab or status is a 422: ignored, it would have answered with every case.
    return [med_sel.summary(c) for c in med_sel.case_list(request.user, tab=tab, status=status,
                                                            dispute_type=dispute_type, flag=flag)[:2000]]


@mediation.get("/stats", summary="调解统计（受理、成功率、金额、平均用时）")
@statistics_view
def mediation_stats(request, start: date, end: date, by: str | None = None):
    from gongzhi.stats.casework import for_user
    return for_user(request.user, start, end, by)[0]


@mediation.get("/{case_id}", response={200: dict, **ERRORS}, summary="调解案件详情与时间线")
def mediation_detail(request, case_id: int):
    return med_sel.detail(request.user, case_id)


@mediation.get("/{case_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载文书（.docx）")
def mediation_document(request, case_id: int, doc_id: int):
    return _docx(med_sel.document(request.user, case_id, doc_id))


_register(mediation, med_ops.OPERATIONS, "mediation", med_sel.detail)


# ---- legal aid ----------------------------------------------------------------------------------

@legalaid.get("/reference", summary="免审情形、机构与援助律师库")
def aid_reference(request):
    return {"exempt": [{"code": e.code, "name": e.name} for e in ExemptCategory.objects.filter(active=True)],
            "offices": [{"code": o.code, "name": o.name, "area": o.area.code}
                        for o in Office.objects.filter(active=True).select_related("area")],
            "lawyers": [{"id": lw.id, "name": lw.name, "firm": lw.firm, "practice_years": lw.practice_years,
                         "criminal_years": lw.criminal_years, "juvenile": lw.juvenile,
                         "specialties": sorted(lw.specialty_set)} for lw in Lawyer.objects.filter(active=True)]}


@legalaid.post("", response={200: dict, 201: dict, **ERRORS}, summary="申请法律援助（网上/任一窗口，幂等）")
def aid_apply(request, payload: AidApplyIn):
    app, created = aid.aid_apply(actor=request.user, data=payload)
    return Status(201 if created else 200, aid_sel.detail(request.user, app.id))


@legalaid.post("/consultations", response={201: dict, **ERRORS}, summary="登记法律咨询")
def aid_consultation(request, payload: ConsultationIn):
    c = aid.consultation_add(actor=request.user, data=payload)
    return Status(201, {"id": c.id, "office": c.office.code, "at": c.at})


@legalaid.get("", response=list[dict], summary="法律援助申请列表")
@paginate
def aid_list(request, tab: Literal[tuple(aid_sel.TABS)] | None = None, status: AidStatus | None = None,
             flag: SlaFlag | None = None):
    return [aid_sel.summary(a) for a in aid_sel.app_list(request.user, tab=tab, status=status, flag=flag)[:2000]]


@legalaid.get("/stats", summary="法律援助统计（案件、咨询、挽回损失）")
@statistics_view
def aid_stats(request, start: date, end: date):
    from gongzhi.stats.casework import for_user
    return for_user(request.user, start, end)[1]


@legalaid.get("/{case_id}", response={200: dict, **ERRORS}, summary="法律援助申请详情与时间线")
def aid_detail(request, case_id: int):
    return aid_sel.detail(request.user, case_id)


@legalaid.get("/{case_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载文书（.docx）")
def aid_document(request, case_id: int, doc_id: int):
    return _docx(aid_sel.document(request.user, case_id, doc_id))


_register(legalaid, aid_ops.OPERATIONS, "legalaid", aid_sel.detail)
