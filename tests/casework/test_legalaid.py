"""法律援助 through the API: application, decision, assignment rules (点援制, 无期/死刑, 未成年人),
progress, quality review, revisit, documents, privacy and statistics."""
import pytest

from gongzhi.casework.documents import text_of
from gongzhi.casework.models import Notice
from gongzhi.domain.legalaid import AidStatus
from gongzhi.legalaid.models import Application, Lawyer, LivingStandard
from tests.domain.test_tables_pinned import LEGAL_AID, parse


def apply(as_user, world, user="resident1", **over):
    body = {"applicant_name": "刘春花", "id_number": "350602199001011234", "phone": "13511112222",
            "address": "东铺头街道瑞京社区", "area": world.grids[0].code, "household_size": 3,
            "monthly_income": "1500", "pledge": True, "matter": "civil", "specialty": "labour",
            "summary": "在某建筑工地务工八个月，被拖欠工资三万二千元，多次讨要未果", "opposing_party": "某建筑公司",
            "claim_amount": "32000", **over}
    return as_user(user).post("/legalaid", body)


def docx(api, app_id, doc_id):
    r = api.client.get(f"/api/legalaid/{app_id}/documents/{doc_id}")
    assert r.status_code == 200
    return text_of(b"".join(r.streaming_content))


def test_application_to_closing(world, as_user):
    st, app = apply(as_user, world)
    assert st == 201 and app["status"] == "submitted" and app["channel"] == "online"
    # 2 working days from Monday 2026-11-02 → Wednesday 11-04 end of day
    assert app["decision_due_at"].startswith("2026-11-04")
    assert app["eligibility_basis"].startswith("初审符合") and "1800.00" in app["eligibility_basis"]
    staff = as_user("aid2")                       # the grid lies in township 1 → its workstation decides
    aid_id = app["id"]
    st, app = staff.post(f"/legalaid/{aid_id}/approve", {})
    assert st == 200 and app["status"] == "approved", app
    assert "给予法律援助决定书" in docx(staff, aid_id, app["documents"][0]["id"])
    st, app = staff.post(f"/legalaid/{aid_id}/assign", {})
    assert st == 200 and app["status"] == "assigned"
    assert app["lawyer"] == "林晓燕" and "专业对口" in app["lawyer_reason"]     # labour specialist, 8 years
    notice = docx(staff, aid_id, [d for d in app["documents"] if d["doc"] == "aid_assignment"][0]["id"])
    assert "林晓燕" in notice and "刘春花" in notice
    st, app = staff.post(f"/legalaid/{aid_id}/progress", {"note": "已与受援人签订委托协议，申请劳动仲裁"})
    assert st == 200 and app["status"] == "handling"
    st, app = staff.post(f"/legalaid/{aid_id}/conclude", {"result": "仲裁调解结案，公司支付工资三万二千元",
                                                          "recovered": "32000"})
    assert st == 200 and app["status"] == "concluded"
    st, err = staff.post(f"/legalaid/{aid_id}/review", {"scores": []})
    assert st == 422
    st, app = staff.post(f"/legalaid/{aid_id}/review", {"scores": [
        {"expert": "王教授", "score": 92}, {"expert": "李律师", "score": 85}, {"expert": "张法官", "score": 88}]})
    assert st == 200 and float(app["review_score"]) == 88.3
    assert app["review_grade"] == "良好" and len(app["reviews"]) == 3
    st, err = staff.post(f"/legalaid/{aid_id}/close", {})
    assert st == 422 and err["code"] == "revisit_first"
    st, app = staff.post(f"/legalaid/{aid_id}/revisit", {"satisfaction": 5, "note": "非常满意"})
    st, app = staff.post(f"/legalaid/{aid_id}/close", {})
    assert st == 200 and app["status"] == "closed"
    assert [t["label"] for t in app["timeline"]] == ["提交申请", "准予法律援助", "指派律师", "办案进展", "结案",
                                                     "质量评查", "回访", "归档"]
    assert Notice.objects.filter(kind="legalaid", case_id=aid_id).count() >= 3


@pytest.mark.parametrize("status", list(AidStatus))
def test_forbidden_transitions_are_refused(world, as_user, status):
    from gongzhi.legalaid.operations import OPERATIONS
    st, app = apply(as_user, world)
    Application.objects.filter(pk=app["id"]).update(status=status)
    for op in OPERATIONS.values():
        if status in parse(LEGAL_AID)[op.actions[0]][0]:    # the table written out, not the one under test
            continue
        st, err = as_user("aid2").post(f"/legalaid/{app['id']}/{op.path}", {
            "reason": "x", "office": "x", "result": "xxxxxx", "scores": [{"expert": "x", "score": 1}],
            "satisfaction": 3, "note": "x"})
        assert st == 409 and err["code"] == "transition_not_allowed", (status, op.path, st, err)


def test_means_test_exemptions_and_pledge(world, as_user):
    st, err = apply(as_user, world, pledge=False)
    assert st == 422 and err["fields"]["pledge"]
    st, rich = apply(as_user, world, monthly_income="2500", client_key="r")
    assert rich["eligibility_basis"].startswith("初审不符合")
    st, err = as_user("aid2").post(f"/legalaid/{rich['id']}/approve", {})
    assert st == 409 and err["code"] == "not_eligible" and "2500.00" in err["message"]
    st, app = as_user("aid2").post(f"/legalaid/{rich['id']}/deny", {"reason": "经济状况不符合法律援助条件"})
    assert st == 200 and app["status"] == "denied"
    assert "芗城区司法局" in docx(as_user("aid2"), rich["id"], app["documents"][0]["id"])
    # a migrant worker claiming wages is exempt from the means test
    st, exempt = apply(as_user, world, monthly_income="6000", exempt="migrant_wages", client_key="m")
    st, app = as_user("aid2").post(f"/legalaid/{exempt['id']}/approve", {})
    assert st == 200 and "免予经济困难审查" in app["eligibility_basis"]
    # without a local minimum standard the office cannot decide (503), and says why
    LivingStandard.objects.all().delete()
    st, plain = apply(as_user, world, client_key="n")
    st, err = as_user("aid2").post(f"/legalaid/{plain['id']}/approve", {})
    assert st == 503 and "最低生活保障标准" in err["message"]


def test_assignment_rules(world, as_user):
    # a capital case needs ≥ 3 years of criminal defence: the applicant's choice of 吴海涛 (2 years) is refused
    junior = Lawyer.objects.get(name="吴海涛")
    st, app = apply(as_user, world, matter="criminal", specialty="criminal", penalty="death",
                    summary="其子涉嫌故意杀人罪被羁押，家庭无力聘请律师", lawyer=junior.id, client_key="c")
    staff = as_user("aid2")
    staff.post(f"/legalaid/{app['id']}/approve", {})
    st, err = staff.post(f"/legalaid/{app['id']}/assign", {})
    assert st == 409 and "3 年以上刑事辩护" in err["message"] and "吴海涛" in err["message"]
    st, app = staff.post(f"/legalaid/{app['id']}/assign", {"lawyer": Lawyer.objects.get(name="陈志明").id})
    assert st == 200 and app["lawyer"] == "陈志明"
    # a minor needs juvenile experience; by rules the senior criminal lawyer without it is skipped
    st, minor = apply(as_user, world, matter="criminal", specialty="criminal", penalty="fixed", minor=True,
                      summary="未成年人涉嫌盗窃被公安机关刑事拘留", client_key="j")
    staff.post(f"/legalaid/{minor['id']}/approve", {})
    st, minor = staff.post(f"/legalaid/{minor['id']}/assign", {})
    assert st == 200 and minor["lawyer"] == "黄建国"        # criminal + juvenile experience
    st, err = staff.post(f"/legalaid/{minor['id']}/reassign", {"reason": "利益冲突",
                                                              "lawyer": Lawyer.objects.get(name="陈志明").id})
    assert st == 409 and "未成年人" in err["message"]
    # the applicant's own choice (点援制) is honoured when the rules allow it
    chosen = Lawyer.objects.get(name="蔡雅琴")
    st, app = apply(as_user, world, specialty="medical", lawyer=chosen.id, client_key="p",
                    summary="在医院手术后出现严重并发症，要求医院赔偿")
    staff.post(f"/legalaid/{app['id']}/approve", {})
    st, app = staff.post(f"/legalaid/{app['id']}/assign", {})
    assert app["lawyer"] == "蔡雅琴" and app["lawyer_reason"] == "申请人点援"


def test_any_office_receives_and_privacy(world, as_user):
    # received at the township workstation for a case in township 2: the county centre decides (异地受理)
    st, app = apply(as_user, world, user="aid2", area=world.grids[-1].code, office=f"{world.townships[0].code}-fygzz")
    assert st == 201 and app["channel"] == "desk" and app["office"] == "芗城区法律援助中心"
    st, err = as_user("aid2").post(f"/legalaid/{app['id']}/approve", {})
    assert st == 403
    st, seen = as_user("aid2").get(f"/legalaid/{app['id']}")
    assert seen["applicant_detail"]["masked"] and seen["applicant_detail"]["phone"] == "135****2222"
    assert seen["documents"] == [] and seen["eligibility_basis"] == ""
    st, full = as_user("aid").get(f"/legalaid/{app['id']}")
    assert full["applicant_detail"]["phone"] == "13511112222"
    st, err = as_user("resident2").get(f"/legalaid/{app['id']}")
    assert st == 404
    st, app = as_user("aid").post(f"/legalaid/{app['id']}/approve", {})
    st, app = as_user("aid").post(f"/legalaid/{app['id']}/assign", {})
    st, lawyer_view = as_user("lawyer1").get(f"/legalaid/{app['id']}")
    assert app["lawyer"] == "林晓燕" and st == 404        # lawyer1 (陈志明) is not on this case


def test_lawyer_reports_progress_and_stats(world, as_user):
    st, app = apply(as_user, world, matter="criminal", specialty="criminal", penalty="life",
                    summary="涉嫌抢劫罪可能判处无期徒刑，申请指派辩护律师", client_key="l")
    staff = as_user("aid2")
    staff.post(f"/legalaid/{app['id']}/approve", {})
    st, app = staff.post(f"/legalaid/{app['id']}/assign", {})
    assert app["lawyer"] == "陈志明"                     # 12 years of criminal defence, the only senior one free
    lawyer = as_user("lawyer1")
    st, app = lawyer.post(f"/legalaid/{app['id']}/progress", {"note": "已会见被告人并阅卷"})
    assert st == 200 and app["status"] == "handling"
    st, err = lawyer.post(f"/legalaid/{app['id']}/review", {"scores": [{"expert": "x", "score": 90}]})
    assert st == 409                                     # reviews come after the case concludes
    st, app = lawyer.post(f"/legalaid/{app['id']}/conclude", {"result": "法院采纳部分辩护意见，判处有期徒刑十五年",
                                                             "recovered": "0"})
    assert st == 200
    st, c = staff.post("/legalaid/consultations", {"office": f"{world.townships[0].code}-fygzz", "channel": "phone",
                                                   "specialty": "labour", "topic": "工伤认定流程"})
    assert st == 201
    st, err = staff.post("/legalaid/consultations", {"office": f"{world.county.code}-fyzx", "topic": "别的机构"})
    assert st == 403
    st, fig = as_user("aid2").get("/legalaid/stats", start="2026-11-01", end="2026-11-30")
    assert (fig["applications"], fig["approved"], fig["assigned"], fig["concluded"], fig["consultations"]) == \
        (1, 1, 1, 1, 1)
    assert fig["decision_on_time_rate"] == 100.0


def test_figures_join_the_dashboard(world, as_user):
    apply(as_user, world, client_key="a")
    apply(as_user, world, client_key="b", area=world.grids[-1].code)
    county = as_user("county").client
    page = county.get("/stats/", {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    assert 'id="kpi-aid-applications">2<' in page
    town = county.get("/stats/", {"start": "2026-11-01", "end": "2026-11-30", "area": world.townships[0].code})
    assert 'id="kpi-aid-applications">1<' in town.content.decode()
