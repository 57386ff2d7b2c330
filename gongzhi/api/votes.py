"""出卷票决 over JSON: proposals (publish, opinion period, voting, the count), opinions and their
moderation, documents, ballots (own, 代投, paper sign-in and double entry), receipts, the result
notice (.docx) and the recount from the ballot log."""
from django.http import HttpResponse
from ninja import File, Form, Router, Status, UploadedFile

from gongzhi.core import files
from gongzhi.core.errors import Invalid
from gongzhi.votes import ballots, selectors as sel, services as svc
from gongzhi.votes.documents import result_notice
from gongzhi.votes.inputs import (
    BallotIn,
    CommentIn,
    PaperIn,
    ProposalIn,
    ProxyIn,
    ReasonIn,
    ReceiptIn,
    ReplyIn,
    SignInIn,
    VersionIn,
)

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}
votes = Router(tags=["出卷票决"])


def _brief(p) -> dict:
    return {"id": p.id, "number": p.number, "title": p.title, "area": p.area.name, "status": p.status,
            "vote_opens_at": p.vote_opens_at, "vote_closes_at": p.vote_closes_at}


@votes.get("", response={200: list[dict]}, summary="议题列表")
def votes_list(request, status: str = ""):
    return [_brief(p) for p in sel.proposals(request.user, status)]


@votes.post("", response={200: dict, 201: dict, **ERRORS}, summary="拟定议题（幂等）")
def votes_propose(request, payload: ProposalIn):
    p, created = svc.propose(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.proposal_json(request.user, p.id))


@votes.get("/{proposal_id}", response={200: dict, **ERRORS}, summary="议题（选项、附件、意见、结果）")
def votes_detail(request, proposal_id: int):
    return sel.proposal_json(request.user, proposal_id)


@votes.post("/{proposal_id}/open-opinion", response={200: dict, **ERRORS}, summary="发布征求意见")
def votes_open_opinion(request, proposal_id: int, payload: VersionIn):
    svc.open_opinion(actor=request.user, proposal_id=proposal_id, version=payload.version)
    return sel.proposal_json(request.user, proposal_id)


@votes.post("/{proposal_id}/open-voting", response={200: dict, **ERRORS}, summary="开始投票（确定名册）")
def votes_open_voting(request, proposal_id: int, payload: VersionIn):
    svc.open_voting(actor=request.user, proposal_id=proposal_id, version=payload.version)
    return sel.proposal_json(request.user, proposal_id)


@votes.post("/{proposal_id}/withdraw", response={200: dict, **ERRORS}, summary="撤回议题")
def votes_withdraw(request, proposal_id: int, payload: ReasonIn):
    svc.withdraw(actor=request.user, proposal_id=proposal_id, reason=payload.reason, version=payload.version)
    return sel.proposal_json(request.user, proposal_id)


@votes.post("/{proposal_id}/close", response={200: dict, **ERRORS}, summary="计票并公布结果")
def votes_close(request, proposal_id: int):
    ballots.close(actor=request.user, proposal_id=proposal_id)
    return sel.proposal_json(request.user, proposal_id)


@votes.post("/{proposal_id}/comments", response={200: dict, 201: dict, **ERRORS}, summary="发表意见（幂等）")
def votes_comment(request, proposal_id: int, payload: CommentIn):
    c, created = svc.comment(actor=request.user, proposal_id=proposal_id, data=payload)
    return Status(201 if created else 200, {"id": c.id, "text": c.text, "at": c.at})


@votes.post("/{proposal_id}/comments/{comment_id}/reply", response={200: dict, **ERRORS}, summary="答复意见")
def votes_reply(request, proposal_id: int, comment_id: int, payload: ReplyIn):
    c = svc.reply(actor=request.user, proposal_id=proposal_id, comment_id=comment_id, text=payload.text)
    return {"id": c.id, "text": c.text, "reply_to": comment_id}


@votes.post("/{proposal_id}/comments/{comment_id}/hide", response={200: dict, **ERRORS}, summary="屏蔽意见")
def votes_hide(request, proposal_id: int, comment_id: int, payload: ReasonIn):
    c = svc.hide_comment(actor=request.user, proposal_id=proposal_id, comment_id=comment_id, reason=payload.reason)
    return {"id": c.id, "hidden": c.hidden, "reason": c.hidden_reason}


@votes.post("/{proposal_id}/documents", response={201: dict, **ERRORS}, summary="上传附件（PDF 或图片）")
def votes_upload(request, proposal_id: int, file: File[UploadedFile], title: Form[str] = ""):
    if file.size > 20 * 1024 * 1024:
        raise Invalid("文件过大，上限 20 MB")
    doc = svc.add_document(actor=request.user, proposal_id=proposal_id, title=title, content=file,
                           filename=file.name or "")
    return Status(201, {"id": doc.id, "title": doc.title, "size": doc.size, "sha256": doc.sha256})


@votes.get("/{proposal_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载附件")
def votes_document(request, proposal_id: int, doc_id: int):
    doc = svc.document_for(actor=request.user, proposal_id=proposal_id, doc_id=doc_id)
    return files.serve(doc.file, content_type=doc.mime, filename=f"{doc.title}.{doc.ext}", as_attachment=True)


@votes.post("/{proposal_id}/ballot", response={200: dict, 201: dict, **ERRORS}, summary="投票（幂等）")
def votes_cast(request, proposal_id: int, payload: BallotIn):
    receipt, created = ballots.cast(actor=request.user, proposal_id=proposal_id, data=payload)
    return Status(201 if created else 200, {"receipt": receipt})


@votes.post("/{proposal_id}/proxy", response={200: dict, 201: dict, **ERRORS}, summary="代投（记录代投人及本人同意）")
def votes_proxy(request, proposal_id: int, payload: ProxyIn):
    receipt, created = ballots.cast_proxy(actor=request.user, proposal_id=proposal_id, data=payload)
    return Status(201 if created else 200, {"receipt": receipt})


@votes.post("/{proposal_id}/paper/sign-in", response={200: dict, **ERRORS}, summary="纸质票签到领票")
def votes_sign_in(request, proposal_id: int, payload: SignInIn):
    v = ballots.paper_sign_in(actor=request.user, proposal_id=proposal_id, person_id=payload.person_id)
    return {"voted": v.voted, "via": v.via}


@votes.post("/{proposal_id}/paper", response={200: dict, **ERRORS}, summary="录入纸质票（两人分别录入）")
def votes_paper(request, proposal_id: int, payload: PaperIn):
    b = ballots.paper_enter(actor=request.user, proposal_id=proposal_id, data=payload)
    row = next(x for x in ballots.batches(b.proposal) if x["id"] == b.id)
    return {**row, "status": str(row["status"])}


@votes.get("/{proposal_id}/receipts", response={200: list[dict], **ERRORS}, summary="选票公示（回执码与选项，计票后）")
def votes_receipts(request, proposal_id: int):
    return ballots.receipts(svc.load(request.user, proposal_id))


@votes.post("/{proposal_id}/receipts/check", response={200: dict, **ERRORS}, summary="凭回执码核对选票")
def votes_receipt_check(request, proposal_id: int, payload: ReceiptIn):
    return ballots.lookup(svc.load(request.user, proposal_id), payload.receipt)


@votes.get("/{proposal_id}/verify", response={200: dict, **ERRORS}, summary="由选票记录重新计票并校验哈希链")
def votes_verify(request, proposal_id: int):
    return ballots.verify_tally(svc.load(request.user, proposal_id))


@votes.get("/{proposal_id}/notice.docx", response={200: None, **ERRORS}, summary="表决结果公告（.docx）")
def votes_notice(request, proposal_id: int):
    p = svc.load(request.user, proposal_id)
    if p.decided_at is None:
        raise Invalid("尚未计票")
    resp = HttpResponse(result_notice(p), content_type=files.DOCX)
    resp["Content-Disposition"] = f'attachment; filename="{p.number}.docx"'
    return resp
