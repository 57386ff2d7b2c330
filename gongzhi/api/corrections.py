"""社区矫正 over JSON: receive, list, read (every read logged), one POST per operation of each
of the five kinds (from the same tables the pages use), the creations, documents, the
prosecutors' oversight figures, the grid's 帮教 tasks and the positioning device adapter."""

from typing import Literal

from ninja import Router, Status
from ninja.pagination import paginate

from gongzhi.core import files
from gongzhi.core.errors import NotFound
from gongzhi.corrections import operations as ops, scope, selectors as sel, services as svc
from gongzhi.corrections.inputs import LeaveIn, MonitorIn, OversightIn, PositionIn, ReceiveIn, SanctionIn, TaskDoneIn
from gongzhi.domain.enums import SlaFlag

from . import schemas as s

ERRORS = {403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut, 503: s.ErrorOut}
corrections = Router(tags=["社区矫正"])


def _register(router: Router, table: dict, prefix: str, subject_of) -> None:
    """POST /<prefix>/{id}/<path> for every operation: run the service, answer with the file
    the row belongs to (a sanction, leave, positioning or oversight is read as part of it)."""
    for op in table.values():
        router.post(f"{prefix}/{{row_id}}/{op.path}", response={200: dict, **ERRORS}, summary=op.label)(
            _endpoint(op, prefix, subject_of))


def _endpoint(op, prefix: str, subject_of):
    def view(request, row_id: int, payload: op.schema):
        row = op.call(request.user, row_id, payload)
        return sel.detail(request.user, subject_of(row))
    view.__name__ = f"corr{prefix.replace('/', '_')}_{op.path.replace('-', '_')}"
    return view


def _created(request, row, created: bool):
    return Status(201 if created else 200, sel.detail(request.user, row.subject_id))


# ---- literal paths first: ninja matches in the order routes are added ---------------------------

@corrections.get("", response=list[dict], summary="社区矫正对象列表（按管辖范围）")
@paginate
def corr_list(request, tab: Literal[(*sel.TABS, sel.PENDING)] | None = None, flag: SlaFlag | None = None,
              q: str | None = None):
    # An unknown tab is a 422: ignored, it would have answered with every file.
    return [sel.summary(x) for x in sel.subject_list(request.user, tab=tab, flag=flag, q=q or "")[:2000]]


@corrections.get("/counts", response={200: dict[str, int]}, summary="各分页签的对象数")
def corr_counts(request):
    return sel.tab_counts(request.user)


@corrections.post("", response={200: dict, 201: dict, **ERRORS}, summary="接收社区矫正对象（幂等）")
def corr_receive(request, payload: ReceiveIn):
    subject, created = svc.receive(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.detail(request.user, subject.id))


@corrections.get("/oversight", response={200: dict, **ERRORS}, summary="检察监督与执行情况统计")
def corr_oversight_board(request):
    if not scope.may_use(request.user):      # ADR 0016: outside the agency and the prosecutors, a 404
        raise NotFound("页面不存在")
    return sel.oversight_board(request.user)


@corrections.get("/tasks", response=list[dict], summary="网格帮教任务（不含档案内容）")
def corr_tasks(request):
    return sel.grid_tasks(request.user)


@corrections.post("/tasks/{task_id}/done", response={200: dict, **ERRORS}, summary="完成帮教走访")
def corr_task_done(request, task_id: int, payload: TaskDoneIn):
    t = svc.task_done(actor=request.user, task_id=task_id, data=payload)
    return {"id": t.id, "done_at": t.done_at, "note": t.note}


@corrections.post("/positions", response={201: dict, **ERRORS},
                  summary="电子定位数据接入（仅批准期限内，本县社区矫正机构的设备接口）")
def corr_position(request, payload: PositionIn):
    p = svc.position_in(actor=request.user, data=payload)
    return Status(201, {"id": p.id, "monitor": p.monitor_id, "at": p.at, "lon": p.lon, "lat": p.lat})


_register(corrections, ops.SANCTION_OPERATIONS, "/sanctions", lambda r: r.subject_id)
_register(corrections, ops.LEAVE_OPERATIONS, "/leaves", lambda r: r.subject_id)
_register(corrections, ops.MONITOR_OPERATIONS, "/monitors", lambda r: r.subject_id)
_register(corrections, ops.OVERSIGHT_OPERATIONS, "/oversights", lambda r: r.subject_id)


# ---- one file -----------------------------------------------------------------------------------

@corrections.get("/{subject_id}", response={200: dict, **ERRORS}, summary="社区矫正档案（查看留痕）")
def corr_detail(request, subject_id: int):
    return sel.detail(request.user, subject_id)


@corrections.get("/{case_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载文书（.docx）")
def corr_document(request, case_id: int, doc_id: int):
    # named case_id as core.files.document_url reverses it for every kind's documents
    return files.serve_document(sel.document(request.user, case_id, doc_id))   # after its check and log


@corrections.post("/{subject_id}/sanctions", response={200: dict, 201: dict, **ERRORS}, summary="提出奖惩")
def corr_sanction(request, subject_id: int, payload: SanctionIn):
    return _created(request, *svc.sanction_propose(actor=request.user, subject_id=subject_id, data=payload))


@corrections.post("/{subject_id}/leaves", response={200: dict, 201: dict, **ERRORS}, summary="登记请假外出")
def corr_leave(request, subject_id: int, payload: LeaveIn):
    return _created(request, *svc.leave_apply(actor=request.user, subject_id=subject_id, data=payload))


@corrections.post("/{subject_id}/monitors", response={200: dict, 201: dict, **ERRORS}, summary="提请电子定位")
def corr_monitor(request, subject_id: int, payload: MonitorIn):
    return _created(request, *svc.monitor_propose(actor=request.user, subject_id=subject_id, data=payload))


@corrections.post("/{subject_id}/oversights", response={200: dict, 201: dict, **ERRORS},
                  summary="制发检察建议/纠正违法通知书")
def corr_oversight(request, subject_id: int, payload: OversightIn):
    return _created(request, *svc.oversight_issue(actor=request.user, subject_id=subject_id, data=payload))


_register(corrections, ops.SUBJECT_OPERATIONS, "", lambda r: r.id)
