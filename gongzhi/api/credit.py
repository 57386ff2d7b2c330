"""信用档案 over JSON: a community's 公约, officers' files and queue, a file (every read logged), the
maker-checker proposals with their evidence, withdrawals, the person's own file and credit code,
objections (异议) and repairs (信用修复) with their operations, and a scene's check of a code (the
level only)."""
from ninja import File, Router, Status, UploadedFile

from gongzhi.core import files
from gongzhi.core.operations import NoteIn, ReasonIn
from gongzhi.credit import operations as ops, selectors as sel, services as svc
from gongzhi.credit.inputs import OpenIn, ProposeIn, RequestIn, SceneCheckIn
from gongzhi.domain.enums import CaseKind
from gongzhi.events import intake

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}
credit = Router(tags=["信用档案"])


@credit.get("/covenant/{community_id}", response={200: list[dict]}, summary="社区公约条款与信用行为")
def credit_covenant(request, community_id: int):
    return sel.covenant(community_id)


@credit.get("/files", response={200: list[dict]}, summary="信用档案列表（信用专员）")
def credit_files(request, q: str = ""):
    return sel.files_of(request.user, q[:64])


@credit.post("/files", response={200: dict, 201: dict, **ERRORS}, summary="建立信用档案（每人一份）")
def credit_open(request, payload: OpenIn):
    f, created = svc.open_file(actor=request.user, person_id=payload.person_id)
    return Status(201 if created else 200, sel.file_json(request.user, f.pk))


@credit.get("/queue", response={200: dict}, summary="待办：待审核记录、异议、修复申请")
def credit_queue(request):
    q = sel.queue(request.user)
    return {"proposals": [{"id": p.pk, "file": p.file_id, "behaviour": p.behaviour.name} for p in q["proposals"]],
            "disputes": [{"id": d.pk, "number": d.number, "file": d.file_id, "due_at": d.due_at}
                         for d in q["disputes"]],
            "repairs": [{"id": r.pk, "number": r.number, "file": r.file_id, "due_at": r.due_at} for r in q["repairs"]]}


@credit.get("/files/{file_id}", response={200: dict, **ERRORS}, summary="信用档案（查阅留痕）")
def credit_file(request, file_id: int):
    return sel.file_json(request.user, file_id)


@credit.post("/files/{file_id}/proposals", response={200: dict, 201: dict, **ERRORS},
             summary="提出信用记录（待另一名信用专员审核；幂等）")
def credit_propose(request, file_id: int, payload: ProposeIn):
    p, created = svc.propose(actor=request.user, file_id=file_id, data=payload)
    return Status(201 if created else 200, {"id": p.pk, "status": p.status, "file": p.file_id})


@credit.post("/proposals/{proposal_id}/evidence", response={201: dict, **ERRORS, 429: s.ErrorOut},
             summary="上传证据（按内容检测类型；图片去除拍摄信息）")
def credit_evidence_add(request, proposal_id: int, file: File[UploadedFile]):
    intake.check_received_uploads(request)          # counted against the quota as it arrived
    ev = svc.add_evidence(actor=request.user, proposal_id=proposal_id,
                          checked=intake.check_attachment(file, file.name or ""))
    return Status(201, {"id": ev.pk, "mime": ev.mime, "size": ev.size, "sha256": ev.sha256})


@credit.get("/evidence/{evidence_id}", response={200: None, 404: s.ErrorOut},
            summary="查看证据（按档案范围检查，留痕）")
def credit_evidence(request, evidence_id: int):
    return files.serve_attachment(svc.evidence_for(actor=request.user, evidence_id=evidence_id))


@credit.post("/proposals/{proposal_id}/approve", response={200: dict, **ERRORS},
             summary="审核通过（不得审核本人提出的）")
def credit_approve(request, proposal_id: int, payload: NoteIn):
    e = svc.approve(actor=request.user, proposal_id=proposal_id, note=payload.note)
    return {"entry": e.pk, "seq": e.seq, "hash": e.hash, "file": e.file_id}


@credit.post("/proposals/{proposal_id}/reject", response={200: dict, **ERRORS}, summary="不予认定")
def credit_reject(request, proposal_id: int, payload: ReasonIn):
    p = svc.reject(actor=request.user, proposal_id=proposal_id, reason=payload.reason)
    return {"id": p.pk, "status": p.status}


@credit.post("/files/{file_id}/entries/{entry_id}/withdraw", response={200: dict, **ERRORS},
             summary="撤销信用记录（追加撤销记录，原记录保留）")
def credit_withdraw(request, file_id: int, entry_id: int, payload: ReasonIn):
    w = svc.withdraw(actor=request.user, file_id=file_id, entry_id=entry_id, reason=payload.reason)
    return {"entry": w.pk, "seq": w.seq, "reverses": w.reverses_id}


@credit.get("/me", response={200: dict, **ERRORS}, summary="我的信用档案（查阅留痕）")
def credit_me(request):
    return sel.file_json(request.user, svc.own_file(request.user).pk)


@credit.get("/me/code", response={200: dict, **ERRORS}, summary="我的信用码（10 分钟内有效）")
def credit_my_code(request):
    return {"code": svc.my_code(actor=request.user), "valid_seconds": svc.CODE_MAX_AGE}


@credit.post("/scenes/{scene_id}/check", response={200: dict, **ERRORS}, summary="激励场景核验信用码（只见等级）")
def credit_scene_check(request, scene_id: int, payload: SceneCheckIn):
    return svc.scene_check(actor=request.user, scene_id=scene_id, code=payload.code)


@credit.post("/disputes", response={200: dict, 201: dict, **ERRORS}, summary="对本人信用记录提出异议（幂等）")
def credit_dispute_file(request, payload: RequestIn):
    d, created = svc.dispute_file(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.request_json(request.user, CaseKind.CREDIT_DISPUTE, d.pk))


@credit.get("/disputes/{dispute_id}", response={200: dict, **ERRORS}, summary="信用异议")
def credit_dispute(request, dispute_id: int):
    return sel.request_json(request.user, CaseKind.CREDIT_DISPUTE, dispute_id)


@credit.post("/repairs", response={200: dict, 201: dict, **ERRORS}, summary="申请信用修复（幂等）")
def credit_repair_apply(request, payload: RequestIn):
    r, created = svc.repair_apply(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.request_json(request.user, CaseKind.CREDIT_REPAIR, r.pk))


@credit.get("/repairs/{repair_id}", response={200: dict, **ERRORS}, summary="信用修复申请")
def credit_repair(request, repair_id: int):
    return sel.request_json(request.user, CaseKind.CREDIT_REPAIR, repair_id)


def _op_view(op, kind, name):
    def view(request, row_id: int, payload: op.schema):
        row = op.call(request.user, row_id, payload)
        return sel.request_json(request.user, kind, row.id)
    view.__name__ = name
    return view


for _op in ops.DISPUTE_OPERATIONS.values():
    credit.post(f"/disputes/{{row_id}}/{_op.path}", response={200: dict, **ERRORS}, summary=_op.label)(
        _op_view(_op, CaseKind.CREDIT_DISPUTE, f"credit_dispute_{_op.path}"))
for _op in ops.REPAIR_OPERATIONS.values():
    credit.post(f"/repairs/{{row_id}}/{_op.path}", response={200: dict, **ERRORS}, summary=_op.label)(
        _op_view(_op, CaseKind.CREDIT_REPAIR, f"credit_repair_{_op.path}"))
