"""民事速裁 in Chromium: a mediation fails and its committee's case waits on the court desk; a clerk
takes it in (诉调对接), triages it 速裁, enters the 民间借贷 elements (a rate above 4 × LPR is flagged
on the page), the judge books, hears and judges it, and the 要素式 judgment draft is downloaded and
read."""
from __future__ import annotations

import re

import pytest

from gongzhi.casework.documents import text_of
from gongzhi.court.models import CivilCase
from gongzhi.domain import court as dc

pytestmark = pytest.mark.browser


@pytest.fixture
def court_desk(live_district):
    from gongzhi.demo.court import build_court, failed_mediation
    build_court(live_district, small=True)
    return failed_mediation(live_district)


def test_failed_mediation_to_a_fast_track_judgment_draft(open_as, court_desk, shot, tmp_path):
    mcase = court_desk
    clerk = open_as("clerk1")
    assert clerk.url.endswith("/court/")                      # court staff land on the desk
    clerk.get_by_label("调解不成的案件").select_option(str(mcase.pk))
    with clerk.expect_navigation(url=re.compile(r"/court/\d+/$")):
        clerk.get_by_role("button", name="转入法院").click()
    case = CivilCase.objects.get(mediation=mcase)
    assert case.status == dc.CivilStatus.REGISTERED
    clerk.get_by_role("button", name="繁简分流").click()
    clerk.wait_for_load_state()
    assert "速裁（简易程序）" in clerk.content() and "超过小额诉讼标准" in clerk.locator("#triage-reason").inner_text()
    for key, value in [("lender", "王建国"), ("borrower", "李明华"), ("principal", "80000"), ("lent_on", "2026-03-01"),
                       ("due_on", "2026-09-01"), ("rate", "18")]:
        clerk.locator(f"#el-{key}").fill(value)
    clerk.locator("#el-repayments").fill("2026-06-01 5000")
    clerk.get_by_role("button", name="保存并校验要素").click()
    clerk.wait_for_load_state()
    assert "超过合同成立时（2026-03-01）一年期LPR" in clerk.locator("#findings").inner_text()
    shot(clerk, "elements")
    clerk.locator("#book-start").fill("2026-11-05T14:00")
    clerk.get_by_role("button", name="排期开庭").click()
    clerk.wait_for_load_state()
    judge = open_as("judge1")
    judge.goto(clerk.url)
    judge.locator("#judge-terms").fill("被告于本判决生效之日起十日内归还原告借款本金八万元")
    judge.locator("#judge-awarded").fill("80000")
    judge.locator("form.op-judge button").click()
    judge.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == dc.CivilStatus.CLOSED and case.on_spot
    with judge.expect_download() as dl:
        judge.get_by_role("link", name=re.compile("要素式民事判决书")).click()
    path = tmp_path / "judgment.docx"
    dl.value.save_as(path)
    text = text_of(str(path))
    for words in ("王建国", "80,000.00 元", "18%", "合同成立时（2026-03-01）一年期LPR",
                  "十日内归还原告借款本金八万元"):
        assert words in text
