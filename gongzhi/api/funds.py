"""三金 over JSON: the funds' balances, deposits (pledge, every operation, the file with its
postings and approvals), grants, donations, the bank-statement import, the reconciliation, the
chain's verification, the monthly statement (.xlsx) and the decision documents."""


from django.http import HttpResponse
from ninja import File, Router, Status, UploadedFile

from gongzhi.casework.acts import document_for
from gongzhi.core import files
from gongzhi.core.errors import Invalid, NotFound
from gongzhi.domain import ledger as dl
from gongzhi.funds import operations as ops, scope, selectors as sel, services as svc
from gongzhi.funds.inputs import DonationIn, GrantIn, PledgeIn

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}
funds = Router(tags=["三金"])
MAX_STATEMENT = 5 * 1024 * 1024


def _fund_json(row: dict) -> dict:
    return {"id": row["fund"].id, "code": row["fund"].code, "name": row["fund"].name, "kind": row["kind"],
            "bank": row["bank"], "held": row["held"], "maker": row["maker"], "checker": row["checker"],
            "accounts": [{**a, "kind": str(a["kind"])} for a in row["accounts"]],
            "deposits": {str(k): v for k, v in row["statuses"]}}


@funds.get("", response={200: list[dict]}, summary="资金及余额")
def funds_overview(request):
    return [_fund_json(r) for r in sel.overview(request.user)]


@funds.get("/deposits", response={200: list[dict]}, summary="个案资金列表")
def funds_deposits(request, status: dl.DepositStatus | None = None):
    return [{"id": d.id, "number": d.number, "kind": d.kind, "status": d.status, "amount": d.amount,
             "depositor": d.depositor, "beneficiary": d.beneficiary, "held": d.account.balance}
            for d in sel.deposits(request.user, status or "")]


@funds.post("/deposits", response={200: dict, 201: dict, **ERRORS}, summary="登记缴存承诺（幂等）")
def funds_pledge(request, payload: PledgeIn):
    dep, created = svc.pledge(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.deposit_json(request.user, dep.id))


@funds.get("/deposits/{deposit_id}", response={200: dict, **ERRORS}, summary="个案资金（状态、记账、复核）")
def funds_deposit(request, deposit_id: int):
    return sel.deposit_json(request.user, deposit_id)


@funds.get("/deposits/{case_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载资金处置决定书")
def fund_deposit_document(request, case_id: int, doc_id: int):
    return files.serve_document(document_for(svc.DEPOSIT, request.user, case_id, doc_id))


def _op_view(op, json_of, name):
    def view(request, row_id: int, payload: op.schema):
        row = op.call(request.user, row_id, payload)
        return json_of(request.user, row.id)
    view.__name__ = name
    return view


for _op in ops.DEPOSIT_OPERATIONS.values():
    funds.post(f"/deposits/{{row_id}}/{_op.path}", response={200: dict, **ERRORS}, summary=_op.label)(
        _op_view(_op, sel.deposit_json, f"fund_deposit_{_op.path}"))


@funds.post("/grants", response={200: dict, 201: dict, **ERRORS}, summary="提出救助申请（幂等）")
def funds_grant_apply(request, payload: GrantIn):
    g, created = svc.grant_apply(actor=request.user, data=payload)
    return Status(201 if created else 200, sel.grant_json(request.user, g.id))


@funds.get("/grants/{grant_id}", response={200: dict, **ERRORS}, summary="救助申请")
def funds_grant(request, grant_id: int):
    return sel.grant_json(request.user, grant_id)


@funds.get("/grants/{case_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载救助金发放决定书")
def fund_grant_document(request, case_id: int, doc_id: int):
    return files.serve_document(document_for(svc.GRANT, request.user, case_id, doc_id))


for _op in ops.GRANT_OPERATIONS.values():
    funds.post(f"/grants/{{row_id}}/{_op.path}", response={200: dict, **ERRORS}, summary=_op.label)(
        _op_view(_op, sel.grant_json, f"fund_grant_{_op.path}"))


@funds.post("/donations", response={200: dict, 201: dict, **ERRORS}, summary="捐赠入账（幂等）")
def funds_donate(request, payload: DonationIn):
    d, created = svc.donate(actor=request.user, data=payload)
    return Status(201 if created else 200, {"id": d.id, "donor": d.donor, "amount": d.amount,
                                            "posting": d.posting.seq, "hash": d.posting.hash})


def _fund(request, fund_id: int):
    fund = scope.visible_funds(request.user).filter(pk=fund_id).first()
    if fund is None:
        raise NotFound("资金不存在")
    return fund


@funds.post("/{fund_id}/statements", response={200: dict, 201: dict, **ERRORS}, summary="导入银行流水（CSV，幂等）")
def funds_import(request, fund_id: int, file: File[UploadedFile]):
    if file.size > MAX_STATEMENT:
        raise Invalid("文件过大")
    imp, created = svc.import_statement(actor=request.user, fund_id=fund_id, filename=file.name or "",
                                        content=file.read())
    return Status(201 if created else 200, {"id": imp.id, "rows": imp.rows, "added": imp.added,
                                            "encoding": imp.encoding})


@funds.get("/{fund_id}/reconciliation", response={200: dict, **ERRORS}, summary="银行对账")
def funds_reconcile(request, fund_id: int):
    _, r = svc.reconcile(actor=request.user, fund_id=fund_id)

    def item(i):
        return i and {"id": i.id, "on": i.on, "amount": i.amount, "reference": i.reference}
    return {"matched": len(r.matched),
            "mismatches": [{"kind": f.kind, "label": f.kind.label, "bank": item(f.bank), "ledger": item(f.ledger),
                            "difference": f.difference} for f in r.findings]}


@funds.get("/{fund_id}/verify", response={200: dict, **ERRORS}, summary="校验记账哈希链")
def funds_verify(request, fund_id: int):
    broken = svc.verify(actor=request.user, fund_id=fund_id)
    return {"ok": broken is None, "first_broken": broken}


@funds.get("/{fund_id}/statement.xlsx", response={200: None, **ERRORS}, summary="月度对账单（.xlsx）")
def funds_statement(request, fund_id: int, year: int, month: int):
    fund = _fund(request, fund_id)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Invalid("年月不正确")
    resp = HttpResponse(sel.statement_xlsx(fund, year, month),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{fund.code}-{year}{month:02d}.xlsx"'
    return resp



