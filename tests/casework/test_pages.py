"""The 多元调处 and 法律援助 pages: forms keep what was typed and say what is wrong, operations
fail with the service's message, nobody opens what is not theirs, the admin's wording is used."""
from django.test import Client

from gongzhi.casework.documents import text_of
from gongzhi.casework.models import Document, DocumentTemplate
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case


def login(world, name):
    c = Client()
    c.force_login(world.users[name])
    return c


def test_application_forms_keep_input_and_explain(world):
    c = login(world, "resident1")
    r = c.post("/mediation/apply/", {"dispute_type": "neighbour", "area": world.grids[0].code, "facts": "太短",
                                     "applicant_name": "王五", "respondent_name": "赵六", "client_key": "x1"})
    page = r.content.decode()
    assert r.status_code == 422 and "至少 10 个字" in page and 'value="王五"' in page and Case.objects.count() == 0
    r = c.post("/mediation/apply/", {"dispute_type": "neighbour", "area": world.grids[0].code,
                                     "facts": "邻居装修噪音持续一个月，协商无果", "applicant_name": "王五",
                                     "applicant_id": "12345", "respondent_name": "赵六", "client_key": "x1"})
    assert r.status_code == 422 and "身份证号码应为 18 位" in r.content.decode()
    ok = {"dispute_type": "neighbour", "area": world.grids[0].code, "facts": "邻居装修噪音持续一个月，协商无果",
          "applicant_name": "王五", "respondent_name": "赵六", "client_key": "x2"}
    r1, r2 = c.post("/mediation/apply/", ok), c.post("/mediation/apply/", ok)
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == r2["Location"] and Case.objects.count() == 1

    r = c.post("/legalaid/apply/", {"applicant_name": "刘春花", "phone": "13511112222", "area": world.grids[0].code,
                                    "matter": "civil", "summary": "被拖欠工资三万元多次讨要未果",
                                    "monthly_income": "abc", "client_key": "y1"})
    page = r.content.decode()
    assert r.status_code == 422 and "必须是数字" in page
    assert 'value="刘春花"' in page and Application.objects.count() == 0


def test_operations_fail_with_the_services_words(world):
    c = login(world, "resident1")
    c.post("/mediation/apply/", {"dispute_type": "neighbour", "area": world.grids[0].code,
                                 "facts": "邻居装修噪音持续一个月，协商无果", "applicant_name": "王五",
                                 "respondent_name": "赵六", "client_key": "z"})
    case = Case.objects.get()
    med = login(world, "med11")
    r = med.post(f"/mediation/{case.id}/do/refuse", {"reason": " ", "version": case.version})
    assert r.status_code == 422 and "必须填写原因" in r.content.decode()
    r = med.post(f"/mediation/{case.id}/do/accept", {"version": case.version})
    assert r.status_code == 302
    r = med.post(f"/mediation/{case.id}/do/schedule", {"scheduled_at": "2026-11-01T09:00", "mode": "in_person",
                                                      "place": "调解室"})
    assert r.status_code == 422 and "请选择将来的时间" in r.content.decode()
    r = med.post(f"/mediation/{case.id}/do/schedule", {"scheduled_at": "2026-11-05T09:00", "mode": "in_person",
                                                      "place": "调解室"})
    assert r.status_code == 302 and case.sessions.get().scheduled_at.hour == 1     # 09:00 Shanghai = 01:00 UTC
    assert med.post(f"/mediation/{case.id}/do/nope", {}).status_code == 404
    assert login(world, "med12").get(f"/mediation/{case.id}/").status_code == 404
    assert login(world, "resident2").get(f"/mediation/{case.id}/").status_code == 404
    doc = Document.objects.get(case_id=case.id)
    assert login(world, "town1").get(f"/mediation/{case.id}/documents/{doc.id}").status_code == 404
    assert med.get(f"/mediation/{case.id}/documents/{doc.id}").status_code == 200


def test_the_admins_wording_is_used(world, as_user, dispute_event):
    DocumentTemplate.objects.create(doc="acceptance", title="受理告知书（本市格式）",
                                    body="{{ applicant.name }}：你的申请已由{{ org.name }}受理。\n| | 特此告知")
    st, case = as_user("med11").post(f"/mediation/from-event/{dispute_event['id']}", {
        "dispute_type": "neighbour", "parties": [{"role": "respondent", "name": "李四"}]})
    as_user("med11").post(f"/mediation/{case['id']}/accept", {})
    doc = Document.objects.get(case_id=case["id"])
    text = text_of(open(doc.file.path, "rb").read())
    assert doc.title == "受理告知书（本市格式）" and "张三：你的申请已由" in text and "特此告知" in text


def test_dispute_events_offer_the_transfer_and_others_do_not(world, as_user, dispute_event):
    page = login(world, "med11").get(f"/e/{dispute_event['id']}/").content.decode()
    assert "转人民调解" in page and '<option value="neighbour" selected>' in page   # from the category 邻里纠纷
    assert "转人民调解" not in login(world, "resident1").get(f"/e/{dispute_event['id']}/").content.decode()
    r = login(world, "med11").post(f"/e/{dispute_event['id']}/mediate", {"dispute_type": "neighbour"})
    assert r.status_code == 302 and Case.objects.count() == 0     # no respondent: back with the message
    assert login(world, "resident2").post(f"/e/{dispute_event['id']}/mediate", {}).status_code == 404


def test_offices_register_consultations_on_the_list_page(world):
    from gongzhi.legalaid.models import Consultation
    staff = login(world, "aid2")
    page = staff.get("/legalaid/").content.decode()
    assert "登记法律咨询" in page and "东铺头街道法律援助工作站" in page
    r = staff.post("/legalaid/consultations", {"office": f"{world.townships[0].code}-fygzz", "channel": "phone",
                                               "specialty": "labour", "topic": "工伤认定需要哪些材料"})
    assert r.status_code == 302 and Consultation.objects.get().topic == "工伤认定需要哪些材料"
    r = staff.post("/legalaid/consultations", {"office": f"{world.county.code}-fyzx", "channel": "desk",
                                               "topic": "别的机构"}, follow=True)
    assert "只能登记本机构的法律咨询" in r.content.decode() and Consultation.objects.count() == 1
    assert "登记法律咨询" not in login(world, "resident1").get("/legalaid/").content.decode()


def test_residents_find_their_own_applications(world):
    c = login(world, "resident1")
    c.post("/mediation/apply/", {"dispute_type": "neighbour", "area": world.grids[0].code,
                                 "facts": "邻居装修噪音持续一个月，协商无果", "applicant_name": "王五",
                                 "respondent_name": "赵六", "client_key": "own"})
    page = c.get("/mediation/").content.decode()
    case = Case.objects.get()
    assert 'href="/mediation/"' in page and 'href="/legalaid/"' in page            # in the menu
    assert case.number in page and "申请调解" in page
    assert case.number not in login(world, "resident2").get("/mediation/").content.decode()


def test_every_control_on_the_case_pages_has_a_label(world, as_user, dispute_event):
    from tests.web.test_accessibility import Controls
    st, case = as_user("med11").post(f"/mediation/from-event/{dispute_event['id']}", {
        "dispute_type": "neighbour", "parties": [{"role": "respondent", "name": "李四"}]})
    for user, path in [("med11", f"/mediation/{case['id']}/"), ("med11", f"/e/{dispute_event['id']}/"),
                       ("resident1", "/mediation/apply/"), ("resident1", "/legalaid/apply/"), ("aid2", "/legalaid/")]:
        parser = Controls()
        parser.feed(login(world, user).get(path).content.decode())
        assert parser.controls and parser.unlabelled() == [], path
