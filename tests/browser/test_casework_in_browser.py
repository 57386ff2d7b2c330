"""多元调处 and 法律援助 in Chromium: a dispute from a resident's report to a signed agreement (the
.docx downloaded and read), and a legal-aid application from the form to an assigned lawyer."""
from __future__ import annotations

import re

import pytest

from gongzhi.casework.documents import text_of
from gongzhi.domain.legalaid import AidStatus
from gongzhi.domain.mediation import CaseStatus
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case

from .test_loop_in_browser import act, pick_on_map

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_district):
    from gongzhi.demo.casework import build_casework
    build_casework(live_district)
    return live_district


def test_dispute_from_grid_report_to_signed_agreement(open_as, world, shot):
    resident = open_as("resident1", phone=True)
    resident.get_by_role("link", name="上报", exact=True).first.click()
    resident.get_by_label("事件类型").select_option("dispute")
    resident.get_by_label("事件分类").select_option("dispute-neighbour")
    resident.get_by_label("问题描述").fill("楼上住户长期深夜噪音扰民，多次协商无果")
    pick_on_map(resident, world.grids[0])
    with resident.expect_navigation(url=re.compile(r"/e/\d+/\?new=1")):
        resident.get_by_role("button", name="提交").click()
    event_url = resident.url.split("?")[0]

    mediator = open_as("med11")
    mediator.goto(event_url)
    panel = mediator.locator("section", has=mediator.locator("h2", has_text="多元调处"))
    panel.get_by_label("被申请人姓名/名称").fill("李四")
    panel.get_by_label("申请人请求").fill("停止深夜噪音")
    shot(mediator, "transfer")
    with mediator.expect_navigation(url=re.compile(r"/mediation/\d+/$")):
        panel.get_by_role("button", name="转人民调解").click()
    case = Case.objects.get()
    assert case.status == CaseStatus.APPLIED and case.event_id is not None
    assert case.dispute_type.code == "neighbour"          # suggested from the event's category
    assert [p.name for p in case.parties.all()][1] == "李四"

    act(mediator, "受理")
    act(mediator, "安排调解", 调解时间="2026-11-04T09:30", 地点="瑞京社区调解室")
    act(mediator, "调解记录", 参加人员="申请人、被申请人、调解员",
        调解记录="双方陈述意见，调解员释法明理，双方同意各让一步")
    act(mediator, "调解成功（生成协议书）", 协议内容="李四保证每晚22时后不再制造噪音")
    act(mediator, "协议已签订")
    shot(mediator, "signed")
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNED and case.signed_at is not None
    assert "协议已签·履行中" in mediator.locator(".case-status").inner_text()
    link = mediator.get_by_role("link", name="人民调解协议书.docx").last
    with mediator.expect_download() as dl:
        link.click()
    text = text_of(open(dl.value.path(), "rb").read())
    assert "人民调解协议书" in text and "李四" in text and "22时后不再制造噪音" in text

    # the township centre sees the case, parties masked, no documents
    town = open_as("town1")
    town.goto(f"{town.base}/mediation/{case.id}/")
    assert "李*" in town.content() and "人民调解协议书.docx" not in town.content()


def test_legal_aid_from_application_to_assigned_lawyer(open_as, world, shot):
    applicant = open_as("resident2", phone=True)
    applicant.goto(f"{applicant.base}/legalaid/apply/")
    applicant.get_by_label("申请人姓名").fill("刘春花")
    applicant.get_by_label("联系电话").fill("13511112222")
    applicant.get_by_label("案件所在地").select_option(world.grids[0].code)
    applicant.get_by_label("援助事项").select_option("civil")
    applicant.get_by_label("案件类别").select_option("labour")
    applicant.get_by_label("案情及申请理由").fill("在工地务工八个月被拖欠工资三万二千元，多次讨要未果")
    applicant.get_by_label("家庭人均月收入（元）").fill("1200")
    applicant.get_by_label(re.compile("诚信承诺")).check()
    shot(applicant, "apply")
    with applicant.expect_navigation(url=re.compile(r"/legalaid/\d+/$")):
        applicant.get_by_role("button", name="提交申请").click()
    app = Application.objects.get()
    assert app.status == AidStatus.SUBMITTED and app.matter == "civil" and "待审查" in applicant.content()

    staff = open_as("aid2")
    staff.goto(f"{staff.base}/legalaid/")
    with staff.expect_navigation(url=re.compile(r"/legalaid/\d+/$")):
        staff.get_by_role("link", name=app.number).click()
    assert "初审符合" in staff.content()
    act(staff, "准予法律援助")
    act(staff, "指派律师")
    shot(staff, "assigned")
    app.refresh_from_db()
    assert app.status == AidStatus.ASSIGNED and app.lawyer.name == "林晓燕"
    assert "林晓燕" in staff.locator(".lawyer").inner_text()
    applicant.reload()
    assert "已指派律师" in applicant.content()
