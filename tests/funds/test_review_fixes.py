"""The 三金 review's findings, each as the behaviour that was wrong: the per-case grant limit and
the fund's money under simultaneous approvals, a deposit's approvals under simultaneous checkers,
the maker-checker rule on a receipt, the monthly workbook's cells, the page upload's size, the
verifier's reach (cached balances, account kinds, a posting's links), strict money inputs and the
donation key."""
import io
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from gongzhi.core.errors import Conflict, Invalid
from gongzhi.domain import ledger as dl
from gongzhi.funds import inputs as i, ledger, services as s
from gongzhi.funds.models import Account, Deposit, Grant, Posting
from tests.conftest import Api

FACTS = dict(agreement=True, payer_cannot_pay=True, assets_checked=True, applicant_hardship=True)


def _pg():
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")


def _together(n, work):
    """Run work(k) for k in range(n) on n threads released at once; each result or exception name."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(k):
        try:
            barrier.wait()
            try:
                work(k)
                results[k] = "ok"
            except Exception as exc:           # each loser's refusal is counted by the caller
                results[k] = type(exc).__name__
        finally:
            connections.close_all()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# ---- 1. grants: the per-case limit and the fund's money -----------------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_approvals_on_one_case_pass_the_limit_once(district):
    _pg()
    from gongzhi.demo.funds import build_funds
    sj = build_funds(district)
    maker, checker = sj["users"]["sanjin1"], sj["users"]["sanjin2"]
    grants = [s.grant_apply(actor=maker, data=i.GrantIn(case_ref="南调〔2026〕777号", applicant=f"丙{k}", payer="丁",
                                                        amount=1_000_000, facts="确无赔偿能力，生活困难",
                                                        **FACTS))[0] for k in range(10)]
    users = get_user_model()
    results = _together(10, lambda k: s.grant_approve(actor=users.objects.get(pk=checker.pk), grant_id=grants[k].pk))
    assert results.count("ok") == 1 and set(results) <= {"ok", "Invalid"}, results
    approved = Grant.objects.filter(case_ref="南调〔2026〕777号", status=dl.GrantStatus.APPROVED)
    assert [g.amount for g in approved] == [1_000_000]


def _drain_capital_to(fund, left):
    """Move the charity capital down to ``left`` 分 (a paid-out grant's posting, made directly)."""
    capital = ledger.fund_account(fund, dl.AccountKind.CAPITAL)
    out = capital.balance - left
    ledger.post(fund, "test-drain", dl.PostingKind.GRANT, [(capital, out), (ledger.bank_account(fund), -out)],
                timezone.now(), memo="测试：支出")
    assert ledger.fund_account(fund, dl.AccountKind.CAPITAL).balance == left


def test_a_grant_cannot_be_approved_beyond_the_money_not_yet_promised(sanjin):
    u = sanjin["users"]
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    waiting = sanjin["grants"]["applied"]             # ¥5,000, applied
    _drain_capital_to(fund, 1_200_000)               # ¥12,000 left
    other = s.grant_apply(actor=u["sanjin1"], data=i.GrantIn(case_ref="南调〔2026〕778号", applicant="戊", payer="己",
                                                             amount=1_000_000, facts="确无赔偿能力，生活困难",
                                                             **FACTS))[0]
    s.grant_approve(actor=u["sanjin2"], grant_id=other.pk)      # ¥10,000 promised, not yet paid
    with pytest.raises(Conflict) as exc:
        s.grant_approve(actor=u["sanjin2"], grant_id=waiting.pk)  # ¥5,000 > the ¥2,000 left unpromised
    assert exc.value.code == "insufficient_balance"
    assert Grant.objects.get(pk=waiting.pk).status == dl.GrantStatus.APPLIED


# ---- 2. deposits: simultaneous approvals, the 文号, the maker, the receipt --------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_first_approvals_release_once_and_strand_nothing(district):
    _pg()
    from gongzhi.demo.funds import build_funds
    sj = build_funds(district)
    fund = sj["funds"][dl.FundKind.PLEDGE]
    dep = sj["deposits"]["held"]                       # no approvals yet
    s.condition_met(actor=sj["users"]["sjtj1"], deposit_id=dep.pk, data=i.ConditionIn())
    s.propose(actor=sj["users"]["sanjin1"], deposit_id=dep.pk,
              data=i.ProposeIn(to_victim=dep.amount, decision_ref="南调协履〔2026〕3号", reason="已履行"))
    users = get_user_model()
    checkers = [users.objects.create(username=f"first{n}") for n in range(10)]
    fund.checkers.add(*checkers)
    results = _together(10, lambda k: s.approve(actor=users.objects.get(pk=checkers[k].pk), deposit_id=dep.pk))
    dep = Deposit.objects.get(pk=dep.pk)
    # Two approvals are needed: the first and the second given are the two, the second releases.
    assert dep.status == dl.DepositStatus.RELEASED, results
    assert results.count("ok") == 2 and set(results) <= {"ok", "Conflict"}, results
    assert dep.approvals.filter(round=dep.round).count() == 2
    assert Posting.objects.filter(deposit=dep, disposes=True).count() == 1 and dep.account.balance == 0


def _performed(sanjin):
    dep = Deposit.objects.get(pk=sanjin["deposits"]["held"].pk)
    s.condition_met(actor=sanjin["users"]["sjtj1"], deposit_id=dep.pk, data=i.ConditionIn())
    return dep


def test_a_blank_decision_reference_is_refused_at_the_proposal(sanjin):
    dep = _performed(sanjin)
    with pytest.raises(Invalid):
        s.propose(actor=sanjin["users"]["sanjin1"], deposit_id=dep.pk,
                  data=i.ProposeIn(to_victim=dep.amount, decision_ref="  ", reason="已履行"))
    assert Deposit.objects.get(pk=dep.pk).status == dl.DepositStatus.HELD


def test_the_maker_of_a_proposal_cannot_be_deleted_away(sanjin):
    from django.db.models import ProtectedError
    dep = _performed(sanjin)
    maker = get_user_model().objects.create(username="maker2")
    sanjin["funds"][dl.FundKind.PLEDGE].makers.add(maker)
    s.propose(actor=maker, deposit_id=dep.pk, data=i.ProposeIn(to_victim=dep.amount, decision_ref="X9", reason="履行"))
    with pytest.raises(ProtectedError):
        maker.delete()
    assert Deposit.objects.get(pk=dep.pk).proposed_by_id == maker.pk


def test_the_maker_who_registered_a_receipt_cannot_confirm_it(sanjin):
    u = sanjin["users"]
    dep = sanjin["deposits"]["received"]               # received by sanjin1
    sanjin["funds"][dl.FundKind.PLEDGE].checkers.add(u["sanjin1"])
    maker = get_user_model().objects.get(pk=u["sanjin1"].pk)
    st, body = Api(maker).post(f"/funds/deposits/{dep.pk}/confirm")
    assert st == 409 and body["code"] == "maker_checker", body
    assert Deposit.objects.get(pk=dep.pk).status == dl.DepositStatus.RECEIVED
    assert s.confirm(actor=u["sanjin2"], deposit_id=dep.pk).status == dl.DepositStatus.HELD


# ---- 3. the monthly workbook ---------------------------------------------------------------------

def test_a_name_that_looks_like_a_formula_is_written_as_text_in_the_monthly_xlsx(sanjin):
    from django.test import Client
    from openpyxl import load_workbook
    u = sanjin["users"]
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    today = timezone.localdate()
    donors = ['=HYPERLINK("http://evil.example","点此")', "+1+2", "-3", "@SUM(A1)"]
    for n, donor in enumerate(donors):
        s.donate(actor=u["sanjin1"], data=i.DonationIn(donor=donor, amount=100 + n, received_on=today, key=f"f{n}"))
    c = Client()
    c.force_login(u["sanjin2"])
    r = c.get(f"/api/funds/{fund.pk}/statement.xlsx", {"year": today.year, "month": today.month})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb[ledger.bank_account(fund).code[-31:]]
    memos = {row[2].value: row[2].data_type for row in ws.iter_rows(min_row=2)}
    for donor in donors:
        assert memos[f"{donor} 捐赠"] == "s"
    assert not [cell for sheet in wb for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


# ---- 4. the page's statement upload -----------------------------------------------------------

def test_a_statement_over_five_megabytes_is_refused_on_the_page_not_cut(sanjin):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from gongzhi.funds.models import StatementImport
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    head = "交易日期,收入金额,支出金额,交易流水号,摘要\n"
    line = "2026-11-02,1.00,,R{:07d},捐赠\n"
    n = (5 * 1024 * 1024) // len(line.format(0).encode()) + 10
    big = (head + "".join(line.format(k) for k in range(n))).encode()
    assert len(big) > 5 * 1024 * 1024
    c = Client()
    c.force_login(sanjin["users"]["sanjin1"])
    r = c.post(reverse("web:funds_reconcile", args=[fund.pk]), {"file": SimpleUploadedFile("big.csv", big)})
    assert r.status_code == 413 and "超过 5 MB" in r.content.decode()
    assert not StatementImport.objects.filter(fund=fund).exists()


# ---- 5. the verifier's reach ----------------------------------------------------------------------

def _verify(sanjin):
    fund = sanjin["funds"][dl.FundKind.PLEDGE]
    return fund, Api(sanjin["users"]["sanjin1"]).get(f"/funds/{fund.pk}/verify")[1]


def test_a_cached_balance_edited_behind_the_products_back_is_reported(sanjin):
    fund, body = _verify(sanjin)
    assert body == {"ok": True, "first_broken": None}
    from django.db.models import F
    Account.objects.filter(pk=ledger.bank_account(fund).pk).update(raw=F("raw") + 1)
    assert _verify(sanjin)[1]["ok"] is False


def test_an_account_kind_edited_behind_the_products_back_is_reported(sanjin):
    fund, _ = _verify(sanjin)
    dep = sanjin["deposits"]["held"]
    # held → forfeited: both owed, so every balance still reads the same; only the chain sees it.
    Account.objects.filter(pk=dep.account_id).update(kind=dl.AccountKind.FORFEITED)
    receipt = Posting.objects.get(key=f"deposit-{dep.pk}-receipt")
    assert _verify(sanjin)[1] == {"ok": False, "first_broken": receipt.seq}


def test_a_release_moved_onto_another_deposit_is_reported(sanjin):
    fund, _ = _verify(sanjin)
    release = Posting.objects.get(deposit=sanjin["deposits"]["released"], disposes=True)
    with connection.cursor() as cur:          # the product never does this: the table is append-only
        cur.execute(f"UPDATE {Posting._meta.db_table} SET deposit_id = %s WHERE id = %s",
                    [sanjin["deposits"]["held"].pk, release.pk])
    assert _verify(sanjin)[1] == {"ok": False, "first_broken": release.seq}


# ---- 6. money inputs are integers of 分, strictly ------------------------------------------------

@pytest.mark.parametrize("amount", [True, 100.0, "100", 1.5])
def test_a_money_field_takes_only_an_integer(sanjin, amount):
    maker = Api(sanjin["users"]["sanjin1"])
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    before = ledger.bank_account(fund).balance
    st, _ = maker.post("/funds/donations", {"donor": "某人", "amount": amount, "received_on": "2026-11-02",
                                            "key": "s1"})
    assert st in (400, 422)
    assert ledger.bank_account(fund).balance == before
    for schema, field in [(i.PledgeIn, "amount"), (i.PledgeIn, "loss"), (i.ReceiveIn, "amount"),
                          (i.ProposeIn, "to_victim"), (i.ProposeIn, "refund"), (i.ProposeIn, "forfeit"),
                          (i.GrantIn, "amount"), (i.DonationIn, "amount")]:
        assert (field,) in _bad_fields(schema, {field: amount}), (schema, field)
        assert (field,) not in _bad_fields(schema, {field: 100}), (schema, field)


def _bad_fields(schema, data):
    from pydantic import ValidationError
    try:
        schema.model_validate(data)
    except ValidationError as exc:
        return {tuple(e["loc"]) for e in exc.errors()}
    return set()


# ---- 7. donations --------------------------------------------------------------------------------

DONATION = {"donor": "某企业", "amount": 12_345, "received_on": "2026-11-02", "reference": "NA-D-9", "note": "",
            "key": "d9"}


@pytest.mark.parametrize("change", [{"received_on": "2026-11-01"}, {"reference": "NA-D-10"}, {"note": "另一笔"}])
def test_a_replayed_donation_key_must_say_the_same_in_every_field(sanjin, change):
    maker = Api(sanjin["users"]["sanjin1"])
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    st, first = maker.post("/funds/donations", DONATION)
    assert st == 201, first
    before = ledger.bank_account(fund).balance
    st, body = maker.post("/funds/donations", {**DONATION, **change})
    assert st == 409 and body["code"] == "key_reused", body
    assert maker.post("/funds/donations", DONATION)[0] == 200
    assert ledger.bank_account(fund).balance == before


def test_a_donation_received_after_today_is_refused(sanjin):
    maker = Api(sanjin["users"]["sanjin1"])
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    before = ledger.bank_account(fund).balance
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    st, _ = maker.post("/funds/donations", {**DONATION, "received_on": tomorrow})
    assert st == 422
    assert ledger.bank_account(fund).balance == before


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_submissions_of_one_donation_key_make_one_donation(district):
    _pg()
    from gongzhi.demo.funds import build_funds
    from gongzhi.funds.models import Donation
    sj = build_funds(district)
    fund = sj["funds"][dl.FundKind.CHARITY]
    before = ledger.bank_account(fund).balance
    users = get_user_model()
    maker = sj["users"]["sanjin1"]
    data = i.DonationIn(donor="某企业", amount=12_345, received_on=timezone.localdate(), key="race")
    got = []
    results = _together(10, lambda k: got.append(s.donate(actor=users.objects.get(pk=maker.pk), data=data)[0].pk))
    assert results == ["ok"] * 10, results
    assert len(set(got)) == 1 and Donation.objects.filter(key__endswith="-race").count() == 1
    assert ledger.bank_account(fund).balance == before + 12_345


# ---- 11. the per-case limit reads the case number in one spelling ---------------------------------

def test_the_per_case_limit_cannot_be_passed_by_typing_the_case_number_another_way(sanjin):
    u = sanjin["users"]
    first = s.grant_apply(actor=u["sanjin1"], data=i.GrantIn(case_ref="南调〔2026〕88号", applicant="丙", payer="丁",
                                                             amount=1_000_000, facts="确无赔偿能力，生活困难",
                                                             **FACTS))[0]
    s.grant_approve(actor=u["sanjin2"], grant_id=first.pk)
    for typed in ["南调[2026]88号", "南调（２０２６）88号", "南调 〔2026〕 88号"]:
        with pytest.raises(Invalid) as exc:
            s.grant_apply(actor=u["sanjin1"], data=i.GrantIn(case_ref=typed, applicant="丙", payer="丁", amount=100,
                                                            facts="确无赔偿能力，生活困难", **FACTS))
        assert "累计" in exc.value.message


# ---- 12 (part). an account opened on first use, by two at once ----------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_first_uses_of_a_fund_account_open_it_once(district):
    _pg()
    from gongzhi.demo.funds import build_funds
    sj = build_funds(district)
    fund = sj["funds"][dl.FundKind.PLEDGE]
    assert not fund.accounts.filter(kind=dl.AccountKind.SUSPENSE).exists()
    got = []
    results = _together(10, lambda k: got.append(ledger.fund_account(fund, dl.AccountKind.SUSPENSE).pk))
    assert results == ["ok"] * 10, results
    assert len(set(got)) == 1 and fund.accounts.filter(kind=dl.AccountKind.SUSPENSE).count() == 1


def test_the_one_chain_verifier_reads_every_fund_with_its_own_rules(sanjin):
    """core.chain.verify_all (the chain-verify command, /chains/) lists each fund's ledger and names
    the posting its own verifier finds broken."""
    from gongzhi.core import chain
    fund, _ = _verify(sanjin)
    mine = {f.chain: f for f in chain.verify_all() if f.kind == "funds"}
    assert mine[fund.code].broken_at is None
    assert mine[fund.code].rows == Posting.objects.filter(fund=fund).count() > 0
    dep = sanjin["deposits"]["held"]
    Account.objects.filter(pk=dep.account_id).update(kind=dl.AccountKind.FORFEITED)
    receipt = Posting.objects.get(key=f"deposit-{dep.pk}-receipt")
    assert {f.chain: f for f in chain.verify_all() if f.kind == "funds"}[fund.code].broken_at == receipt.seq
