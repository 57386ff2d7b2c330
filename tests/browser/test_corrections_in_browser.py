"""社区矫正 in Chromium, as the three desks work it: a 司法所 receives a subject, records the report
and the 入矫宣告; a report is missed and the ladder suggests a 训诫, which the county decides; the
prosecutor sees it, issues a 检察建议, the county answers and the prosecutor accepts; at the term's
end the county releases the subject and the 解除社区矫正证明书 is issued."""
from __future__ import annotations

import re
from datetime import date

import pytest

from gongzhi.casework.documents import text_of
from gongzhi.casework.models import Document
from gongzhi.corrections.models import Checkin, Oversight, Sanction, Subject
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import CaseKind
from gongzhi.ops.sweep import sweep_cases

from ..conftest import sh
from .test_loop_in_browser import act

pytestmark = pytest.mark.browser


def field(page, label: str):
    """The control of the field labelled exactly ``label`` (a required one's label ends in " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


@pytest.fixture
def agencies(live_district):
    from gongzhi.demo.corrections import build_corrections
    build_corrections(live_district, subjects=0)
    return live_district


def test_intake_to_release_with_a_missed_report_an_admonition_and_a_suggestion(open_as, agencies, shot):
    d = agencies
    sfs = open_as("sfs1")
    assert sfs.url.endswith("/corrections/")                 # the 司法所 lands on its list
    sfs.get_by_role("link", name="接收").first.click()
    field(sfs, "执行地司法所").select_option("sfs-350602001")
    field(sfs, "居住地网格").select_option(d.grids[0].code)
    for label, value in [("姓名", "黄某某"), ("身份证号码", "350602198805061234"), ("联系电话", "13905961234"),
                         ("居住地址", "瑞京社区18号"), ("决定机关", "漳州市芗城区人民法院"),
                         ("文书编号", "（2026）闽0602刑初321号"), ("罪名", "危险驾驶罪"),
                         ("判决、裁定、决定生效日期", "2026-10-30"), ("矫正期限起", "2026-10-30"),
                         ("矫正期限止", "2026-11-02")]:
        field(sfs, label).fill(value)
    field(sfs, "矫正类别").select_option(dc.CorrType.PROBATION.value)
    field(sfs, "决定机关类别").select_option(dc.Decider.COURT.value)
    shot(sfs, "receive")
    with sfs.expect_navigation(url=re.compile(r"/corrections/\d+/$")):
        sfs.get_by_role("button", name="接收", exact=True).click()
    subject = Subject.objects.get(name="黄某某")
    assert subject.status == dc.SubjStatus.NOTIFIED and subject.report_due_on == date(2026, 11, 9)
    file_url = sfs.url

    act(sfs, "法律文书送达")
    act(sfs, "报到")
    act(sfs, "组建矫正小组", 矫正小组成员="司法所工作人员 林所长 13900000001 东铺头街道司法所\n"
                                  "家庭成员或监护人 黄父 13900000002 父亲")
    act(sfs, "制定矫正方案", 矫正方案="每周到司法所当面报告一次，每月教育学习8小时、公益活动8小时，落实就业帮扶。")
    act(sfs, "入矫宣告")
    subject.refresh_from_db()
    assert subject.status == dc.SubjStatus.ACTIVE and subject.team.count() == 2
    assert "入矫宣告" in sfs.locator(".timeline").inner_text()
    shot(sfs, "announced")

    # A report due today is not made: the sweep marks it after the day ends, and the file says so.
    Checkin.objects.filter(subject=subject).delete()
    act(sfs, "安排报告", 报告日期="2026-11-02")
    sweep_cases(now=sh(2026, 11, 3, 0, 5))
    sfs.goto(file_url)
    assert "未按时报告" in sfs.locator(".checkins").inner_text()
    suggestion = sfs.locator("section", has=sfs.locator("h2", has_text="处罚建议"))
    assert "训诫" in suggestion.inner_text() and "未按规定报告 1 次" in suggestion.inner_text()
    shot(sfs, "suggested")
    panel = sfs.locator("details.op-create-sanction")
    panel.locator("summary").click()
    assert panel.get_by_label("奖惩").input_value() == dc.Step.ADMONISH.value      # preselected
    panel.get_by_label("事实").fill("11月2日未按规定时间到司法所报告")
    panel.get_by_label("证据").fill("报告登记簿")
    with sfs.expect_navigation():
        panel.get_by_role("button", name="提出奖惩").click()
    sanction = Sanction.objects.get(subject=subject)
    assert sanction.status == dc.SanctionStatus.PROPOSED

    county = open_as("sqjz")
    county.goto(file_url)
    act(county, "批准并作出决定")
    sanction.refresh_from_db()
    assert sanction.status == dc.SanctionStatus.DECIDED
    decision = Document.objects.get(kind=CaseKind.CORRECTION, case_id=subject.pk, title="训诫决定书")
    assert "未按规定时间到司法所报告" in text_of(decision.file.path)
    shot(county, "admonished")

    prosecutor = open_as("jcg1")
    prosecutor.goto(file_url)
    assert prosecutor.locator("details[class*='op-subject-']").count() == 0     # no write form on the file
    assert county.locator("details[class*='op-subject-']").count() > 0
    act(prosecutor, "制发检察建议/纠正违法通知书", 发现的问题="未按时报告后未及时开展教育谈话",
        检察意见="建议落实报告提醒和教育谈话制度")
    oversight = Oversight.objects.get(subject=subject)
    assert oversight.status == dc.OversightStatus.ISSUED and oversight.clock == dc.OversightClock.ANSWER
    shot(prosecutor, "issued")

    county.goto(file_url)
    act(county, "书面回复", 整改情况及回复="已对该对象开展教育谈话，并建立报告前一日电话提醒制度")
    prosecutor.goto(file_url)
    act(prosecutor, "认可回复·办结")
    oversight.refresh_from_db()
    assert oversight.status == dc.OversightStatus.CLOSED

    # The term ends today: the county releases and the certificate is issued.
    county.goto(file_url)
    act(county, "期满解矫")
    subject.refresh_from_db()
    assert subject.status == dc.SubjStatus.RELEASED
    assert Document.objects.filter(kind=CaseKind.CORRECTION, case_id=subject.pk, title="解除社区矫正证明书").exists()
    with county.expect_download() as dl:
        county.get_by_role("link", name="解除社区矫正证明书.docx").click()
    assert "解除社区矫正" in text_of(dl.value.path())
    shot(county, "released")
    board = open_as("jcg2")
    board.goto(f"{board.base}/corrections/oversight/")
    assert oversight.number in board.content()
