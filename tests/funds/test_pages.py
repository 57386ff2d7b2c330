"""The 三金 pages: amounts shown as ¥ and entered in yuan (exactly: ¥2,000.01 more on a case that
had ¥8,000 is over the ¥10,000 limit, which a float's 200000.99999 cut to 分 would not be); a deposit received and its
approval panel; a charity grant filed (refused above the limit with the input kept), approved
by a checker and paid; a donation recorded once; the reconciliation's upload with its mismatch
list; the monthly statement; a 404 for everyone else.

The demo's figures the expectations rest on (gongzhi.demo.funds): the charity fund took
¥500,000 + ¥200,000 + ¥5,000 in donations and paid one ¥8,000 grant, so its bank holds ¥697,000;
the pledge fund's bank received NA20261102001–004 (¥80,000, ¥120,000, ¥30,000, ¥60,000) and paid
the ¥60,000 of the released deposit out."""
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.casework.models import CaseKind, Document
from gongzhi.domain import ledger as dl
from gongzhi.funds import ledger
from gongzhi.funds.models import Deposit, Donation, Grant


def client(user):
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


def test_fund_staff_land_on_the_overview_with_its_balances_in_yuan(sanjin):
    c = client(sanjin["users"]["sanjin1"])
    assert c.get("/", follow=True).redirect_chain[-1][0].endswith("/funds/")
    page = text(c.get("/funds/"))
    charity = re.search(r'fund-SJ-JZ">.*?class="fund-bank">([^<]+)<', page, re.S)
    assert charity and charity.group(1) == "¥697,000.00"
    assert "¥697,000.00" in page and "69700000" not in page          # never 分 on a page
    period = timezone.localdate().strftime("%Y-%m")
    assert f'/statement.xlsx?period={period}"' in page
    # The maker of the charity fund is offered the grant and donation forms.
    assert 'href="/funds/grants/new"' in page and 'href="/funds/donations/new"' in page


def test_a_deposit_is_received_from_its_page_in_yuan_and_a_wrong_amount_is_refused(sanjin):
    dep = sanjin["deposits"]["pledged"]                       # ¥50,000 pledged
    c = client(sanjin["users"]["sanjin1"])
    page = text(c.get(f"/funds/deposits/{dep.pk}/"))
    assert "¥50,000.00" in page and 'value="50000.00"' in page   # the form prefilled in yuan
    wrong = c.post(f"/funds/deposits/{dep.pk}/do/receive", {"amount": "50,000.01", "bank_reference": "NA-W-0"})
    assert wrong.status_code == 422
    assert "到账金额 ¥50,000.01 与承诺金额 ¥50,000.00 不符" in text(wrong)
    assert 'value="50,000.01"' in text(wrong) and 'value="NA-W-0"' in text(wrong)      # as entered
    garbled = c.post(f"/funds/deposits/{dep.pk}/do/receive", {"amount": "5万", "bank_reference": "NA-W-0"})
    assert garbled.status_code == 422 and "金额格式不正确" in text(garbled)
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.PLEDGED and dep.account.balance == 0
    r = c.post(f"/funds/deposits/{dep.pk}/do/receive", {"amount": "¥50,000.00", "bank_reference": "NA-W-1",
                                                          "version": dep.version})
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.RECEIVED and dep.account.balance == 5_000_000
    page = text(c.get(f"/funds/deposits/{dep.pk}/"))
    assert re.search(r'class="deposit-held"><strong>¥50,000.00<', page) and "NA-W-1" in page


def test_a_pledge_is_registered_from_its_form_and_a_deposit_below_twice_the_loss_is_refused(sanjin):
    c = client(sanjin["users"]["sanjin1"])
    assert "2–3 倍" in text(c.get("/funds/deposits/new"))
    body = {"kind": dl.DepositKind.CRIMINAL.value, "secured_kind": dl.SecuredKind.CRIMINAL.value,
            "case_ref": "南公刑和〔2026〕99号", "depositor": "犯罪嫌疑人甲", "beneficiary": "被害人乙",
            "loss": "10,000.00", "amount": "19,999.99", "client_key": "pl-1"}
    low = c.post("/funds/deposits/new", body)
    assert low.status_code == 422
    assert "保证金 ¥19,999.99 低于损失 ¥10,000.00 的 2 倍" in text(low) and 'value="19,999.99"' in text(low)
    r = c.post("/funds/deposits/new", {**body, "amount": "20,000.00"})
    assert r.status_code == 302
    dep = Deposit.objects.get(case_ref="南公刑和〔2026〕99号")
    assert (dep.amount, dep.loss, dep.status) == (2_000_000, 1_000_000, dl.DepositStatus.PLEDGED)
    assert r.url == f"/funds/deposits/{dep.pk}/"
    unknown = c.post("/funds/deposits/new", {**body, "kind": dl.DepositKind.PLEDGE.value, "client_key": "pl-2",
                                             "secured_kind": dl.SecuredKind.MEDIATION.value, "case_ref": "TJ-NONE"})
    assert unknown.status_code == 422 and "没有这个编号的调解案件" in text(unknown)
    on_case = c.post("/funds/deposits/new", {**body, "kind": dl.DepositKind.PLEDGE.value, "client_key": "pl-3",
                                             "secured_kind": dl.SecuredKind.MEDIATION.value, "case_ref": "TJSJ0001"})
    assert on_case.status_code == 302
    assert Deposit.objects.get(client_key="pl-3").case_id == sanjin["deposits"]["pledged"].case_id


def test_the_approval_is_not_offered_to_the_maker_nor_twice_to_a_checker(sanjin):
    dep = sanjin["deposits"]["proposed"]                      # proposed by sanjin1, approved by sanjin2
    u = sanjin["users"]
    assert "op-approve" not in text(client(u["sanjin1"]).get(f"/funds/deposits/{dep.pk}/"))
    assert "op-approve" not in text(client(u["sanjin2"]).get(f"/funds/deposits/{dep.pk}/"))
    page = text(client(u["sanjin3"]).get(f"/funds/deposits/{dep.pk}/"))
    assert "op-approve" in page and "1 / 2" in page and "¥30,000.00" in page


GRANT = {"case_ref": "TJSJ0011", "applicant": "受害方11", "payer": "肇事方11",
         "facts": "肇事方无业，名下无财产，受害人住院",
         "agreement": "on", "payer_cannot_pay": "on", "assets_checked": "on", "applicant_hardship": "on"}


def test_a_grant_above_the_limit_is_refused_with_the_input_kept_then_filed_approved_and_paid(sanjin):
    u = sanjin["users"]
    maker = client(u["sanjin1"])
    assert maker.get("/funds/grants/new").status_code == 200
    # Case TJSJ0011 already had ¥8,000: ¥2,000.01 more is a 分 over the ¥10,000 a case may get.
    over = maker.post("/funds/grants/new", {**GRANT, "amount": "2,000.01", "client_key": "g-over"})
    assert over.status_code == 422
    page = text(over)
    assert "同一案件救助金累计不得超过 ¥10,000.00（已发 ¥8,000.00，本次 ¥2,000.01）" in page
    assert 'value="2,000.01"' in page and 'value="受害方11"' in page and "肇事方无业，名下无财产，受害人住院" in page
    assert page.count(" checked") == 4                        # the four eligibility facts still ticked
    assert not Grant.objects.filter(client_key="g-over").exists()
    # Exactly up to the limit is eligible.
    r = maker.post("/funds/grants/new", {**GRANT, "amount": "2,000.00", "client_key": "g-ok"})
    assert r.status_code == 302
    g = Grant.objects.get(client_key="g-ok")
    assert g.amount == 200_000 and g.case_id == sanjin["grants"]["paid"].case_id and r.url == f"/funds/grants/{g.pk}/"
    again = maker.post("/funds/grants/new", {**GRANT, "amount": "2,000.00", "client_key": "g-ok"})
    assert again.status_code == 302 and Grant.objects.filter(applicant="受害方11").count() == 2     # not a third
    # The maker does not decide their own application; a checker does.
    assert "op-approve" not in text(maker.get(r.url))
    checker = client(u["sanjin2"])
    assert checker.post(f"/funds/grants/{g.pk}/do/approve", {"version": g.version}).status_code == 302
    g.refresh_from_db()
    assert g.status == dl.GrantStatus.APPROVED
    assert Document.objects.filter(kind=CaseKind.GRANT, case_id=g.pk, title="人民调解救助金发放决定书").exists()
    bank = ledger.bank_account(g.fund)
    before = bank.balance
    assert maker.post(f"/funds/grants/{g.pk}/do/pay", {"reference": "NA-G-1", "version": g.version}).status_code == 302
    bank.refresh_from_db()
    assert before - bank.balance == 200_000
    page = text(maker.get(f"/funds/grants/{g.pk}/"))
    assert "¥2,000.00" in page and "人民调解救助金发放决定书.docx" in page


def test_a_donation_is_recorded_in_yuan_once(sanjin):
    c = client(sanjin["users"]["sanjin1"])
    page = text(c.get("/funds/donations/new"))
    key = re.search(r'name="key" value="(\w+)"', page).group(1)
    today = timezone.localdate().isoformat()
    body = {"donor": "某商会", "amount": "1,234.56", "received_on": today, "reference": "NA-D-1", "key": key}
    capital = ledger.fund_account(sanjin["funds"][dl.FundKind.CHARITY], dl.AccountKind.CAPITAL)
    before = capital.balance
    assert c.post("/funds/donations/new", body).status_code == 302
    assert c.post("/funds/donations/new", body).status_code == 302         # a resubmission
    capital.refresh_from_db()
    assert capital.balance - before == 123_456 and Donation.objects.filter(donor="某商会").count() == 1
    assert "某商会 · ¥1,234.56" in text(c.get("/funds/"))
    bad = c.post("/funds/donations/new", {**body, "amount": "12.345", "key": "other"})
    assert bad.status_code == 422 and "金额格式不正确" in text(bad) and 'value="某商会"' in text(bad)


def test_the_reconciliation_page_imports_a_statement_and_lists_every_mismatch(sanjin):
    fund = sanjin["funds"][dl.FundKind.PLEDGE]
    c = client(sanjin["users"]["sanjin2"])
    page = text(c.get(f"/funds/{fund.pk}/reconciliation"))
    assert 'type="file"' in page and "记账哈希链校验通过" in page
    day = timezone.localdate().isoformat()
    csv = (f"交易日期,金额,交易流水号,摘要\n{day},\"80,000.00\",NA20261102001,缴存\n"
           f"{day},119999.99,NA20261102002,缴存\n{day},10.00,NA-X-9,利息\n").encode("gb18030")
    r = c.post(f"/funds/{fund.pk}/reconciliation", {"file": SimpleUploadedFile("流水.csv", csv)})
    assert r.status_code == 302
    page = text(c.get(r.url))
    assert re.search(r'class="matched">1<', page) and re.search(r'class="mismatch-count">5<', page)
    differs = re.search(r'class="mismatch-amount_differs">(.*?)</tr>', page, re.S).group(1)
    assert "¥119,999.99" in differs and "¥120,000.00" in differs and "-¥0.01" in differs
    extra = re.search(r'class="mismatch-missing_in_ledger">(.*?)</tr>', page, re.S).group(1)
    assert "NA-X-9" in extra and "¥10.00" in extra
    assert page.count('class="mismatch-missing_in_bank"') == 3   # NA…003, NA…004 and the release's payment out
    again = c.post(f"/funds/{fund.pk}/reconciliation", {"file": SimpleUploadedFile("流水.csv", csv)}, follow=True)
    assert "该文件已导入过" in text(again)
    bad = c.post(f"/funds/{fund.pk}/reconciliation", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 422 and "缺少「交易日期」和「金额」" in text(bad)


def test_the_monthly_statement_downloads_for_the_chosen_month(sanjin):
    fund = sanjin["funds"][dl.FundKind.CHARITY]
    c = client(sanjin["users"]["sanjin2"])
    today = timezone.localdate()
    r = c.get(f"/funds/{fund.pk}/statement.xlsx", {"period": today.strftime("%Y-%m")})
    assert r.status_code == 200 and f"{fund.code}-{today:%Y%m}.xlsx" in r["Content-Disposition"]
    import io
    summary = load_workbook(io.BytesIO(r.content)).worksheets[0]
    bank = next(row for row in summary.iter_rows(values_only=True) if row[0] == f"{fund.code}-bank")
    assert bank[6] == 697_000
    assert c.get(f"/funds/{fund.pk}/statement.xlsx", {"period": "2026-13"}).status_code == 404


def test_outsiders_get_404(sanjin, district):
    dep = sanjin["deposits"]["held"]
    grant = sanjin["grants"]["paid"]
    c = client(district.users["admin"])
    for url in ("/funds/", f"/funds/deposits/{dep.pk}/", f"/funds/{dep.fund_id}/reconciliation",
                f"/funds/grants/{grant.pk}/", "/funds/grants/new", "/funds/donations/new"):
        assert c.get(url).status_code == 404, url
    # A checker files no application (the charity fund's makers do).
    assert client(sanjin["users"]["sanjin2"]).get("/funds/grants/new").status_code == 404


def test_the_pages_read_in_english(sanjin):
    """A reader who chose English gets the forms' labels and the ledger's words in English (the
    parties' names and the amounts stay as they are)."""
    c = client(sanjin["users"]["sanjin1"])
    c.cookies["django_language"] = "en"
    dep = sanjin["deposits"]["pledged"]
    page = text(c.get(f"/funds/deposits/{dep.pk}/"))
    assert "Amount received (yuan)" in page and "Held balance" in page and "¥50,000.00" in page
    form = text(c.get("/funds/grants/new"))
    assert "The paying side truly cannot pay" in form and "Amount applied for (yuan)" in form
    assert "The paying side truly cannot pay" not in text(client(sanjin["users"]["sanjin1"]).get("/funds/grants/new"))
