"""三金 in Chromium, as the fund's desks work a 民事赔偿调解承诺金: the maker (sanjin1) records the
money received, entered in yuan; a checker (sanjin2) confirms it onto the case's account; the
committee (sjtj1) reports the agreement performed; the maker proposes paying the victim; two
checkers (sanjin2, sanjin3) approve — the second approval executes the release — and the
资金处置决定书 is downloaded and read.  The deposit's account and the fund's bank balance drop
on the pages by what was paid.

The demo's pledge fund (gongzhi.demo.funds) holds ¥230,000 in its bank when the walk starts:
NA20261102001–004 received (¥80,000 + ¥120,000 + ¥30,000 + ¥60,000), the last one paid out."""
from __future__ import annotations

import re

import pytest

from gongzhi.casework.documents import text_of
from gongzhi.casework.models import CaseKind, Document
from gongzhi.domain import ledger as dl
from gongzhi.funds.models import Deposit

from .test_loop_in_browser import act

pytestmark = pytest.mark.browser


@pytest.fixture
def sanjin_desk(live_district):
    from gongzhi.demo.funds import build_funds
    return build_funds(live_district)


def bank_of(page, code: str) -> str:
    page.goto(f"{page.base}/funds/")
    return page.locator(f"section.fund-{code} .fund-bank").inner_text()


def test_a_pledge_received_performed_and_released_with_two_approvals(open_as, sanjin_desk, shot):
    dep = sanjin_desk["deposits"]["pledged"]               # ¥50,000 pledged on the committee's case
    maker = open_as("sanjin1")
    assert maker.url.endswith("/funds/")                   # fund staff land on the overview
    assert bank_of(maker, "SJ-CN") == "¥230,000.00"
    shot(maker, "overview")
    maker.get_by_role("link", name=dep.number).click()
    maker.wait_for_load_state()
    file_url = maker.url
    assert maker.locator(".deposit-held").inner_text() == "¥0.00"
    # The money arrives: the form is prefilled with the pledged sum in yuan.
    panel = maker.locator("details.op-receive")
    panel.locator("summary").click()
    assert panel.get_by_label("到账金额（元）").input_value() == "50000.00"
    act(maker, "登记到账", 到账金额="50,000.00", 银行流水号="NA20261103001")
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.RECEIVED and dep.account.balance == 5_000_000
    assert maker.locator(".deposit-held").inner_text() == "¥50,000.00"
    assert bank_of(maker, "SJ-CN") == "¥280,000.00"

    checker1 = open_as("sanjin2")
    checker1.goto(file_url)
    act(checker1, "复核到账·转入代管")
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.HELD

    committee = open_as("sjtj1")                           # the mediation committee whose case it secures
    committee.goto(file_url)
    assert committee.locator("details.op").count() == 1    # it may only report the agreement performed
    act(committee, "确认调解协议已履行", 说明="双方确认：赔偿款已按协议付清前的承诺履行完毕")
    dep.refresh_from_db()
    assert dep.condition_met_at is not None
    shot(committee, "performed")

    maker.goto(file_url)
    panel = maker.locator("details.op-propose")
    panel.locator("summary").click()
    assert panel.get_by_label("支付被害方（元）").input_value() == "50000.00"   # the whole held sum
    act(maker, "提出处置方案", 决定文书文号="南调协履〔2026〕21号", 处置理由="调解协议已履行，承诺金支付受害方")
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.PROPOSED and dep.to_victim == 5_000_000
    assert maker.locator("details.op-approve").count() == 0      # the maker does not check their own proposal

    checker1.goto(file_url)
    act(checker1, "复核同意")
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.PROPOSED            # one approval is not enough
    assert checker1.locator(".approvals-count").inner_text() == "1 / 2"
    assert checker1.locator("details.op-approve").count() == 0   # nor may the same checker approve twice
    assert checker1.locator(".deposit-held").inner_text() == "¥50,000.00"
    shot(checker1, "first-approval")

    checker2 = open_as("sanjin3")
    checker2.goto(file_url)
    act(checker2, "复核同意")
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.RELEASED and dep.account.balance == 0
    assert checker2.locator(".deposit-status").inner_text() == "已支付被害方（权利人）"
    assert checker2.locator(".deposit-held").inner_text() == "¥0.00"
    assert Document.objects.filter(kind=CaseKind.DEPOSIT, case_id=dep.pk, title="资金处置决定书").count() == 1
    with checker2.expect_download() as download:
        checker2.get_by_role("link", name="资金处置决定书.docx").click()
    words = text_of(download.value.path())
    assert "南调协履〔2026〕21号" in words and "支付被害方（权利人）：¥50,000.00" in words
    assert re.search(r"复核人：(林复核、黄复核|黄复核、林复核)", words)
    shot(checker2, "released")
    assert bank_of(checker2, "SJ-CN") == "¥230,000.00"        # paid out of the bank account
    assert Deposit.objects.get(pk=dep.pk).postings.count() == 2
