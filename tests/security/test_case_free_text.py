"""Free text on a mediation case or a legal-aid application names its parties: whoever sees the
parties masked (a centre, the receiving office, a supervisor, an administrator) reads it redacted
like the fields; the parties themselves and those who work the case read it as written (ADR 0012,
domain.privacy.redact_people)."""
from tests.conftest import Api

APPLICANT = {"role": "applicant", "name": "甄有德", "phone": "13812345678", "id_number": "350602199001011234"}
RESPONDENT = {"role": "respondent", "name": "贾守仁", "phone": "13900001111", "id_number": "35060219800101123X"}
FACTS = "楼上住户贾守仁（电话13900001111）长期深夜噪音扰民，甄有德多次协商无果"
TERMS = "一、贾守仁（身份证35060219800101123X）每晚22时后不再制造噪音；二、贾守仁向甄有德赔礼道歉。"
# what a masked reader gets: names as the party fields show them, numbers masked
FACTS_REDACTED = "楼上住户贾**（电话139****1111）长期深夜噪音扰民，甄**多次协商无果"
TERMS_REDACTED = "一、贾**（身份证350***********123X）每晚22时后不再制造噪音；二、贾**向甄**赔礼道歉。"


def test_mediation_text_is_redacted_for_those_who_see_the_parties_masked(world):
    u = world.users
    st, case = Api(u["resident1"]).post("/mediation", {
        "dispute_type": "neighbour", "area": world.grids[0].code, "facts": FACTS, "claim": "贾守仁赔礼道歉",
        "parties": [APPLICANT, RESPONDENT]})
    assert st == 201, case
    cid, med = case["id"], Api(u["med11"])
    assert med.post(f"/mediation/{cid}/accept", {})[0] == 200
    st, case = med.post(f"/mediation/{cid}/schedule", {"scheduled_at": "2026-11-04T09:30:00+08:00",
                                                       "mode": "online", "place": "甄有德家楼下",
                                                       "link": "https://meet.example/gz-42"})
    assert st == 200, case
    st, case = med.post(f"/mediation/{cid}/record", {"attendees": "甄有德、贾守仁",
                                                     "record": "贾守仁同意22时后保持安静"})
    assert st == 200, case
    st, case = med.post(f"/mediation/{cid}/succeed", {"agreement_terms": TERMS, "performance_terms": "贾守仁当日履行"})
    assert st == 200, case

    for username in ("med11", "resident1"):           # the committee, the applicant themself
        st, d = Api(u[username]).get(f"/mediation/{cid}")
        assert st == 200 and not d["parties_masked"], username
        assert (d["facts"], d["claim"], d["agreement_terms"], d["performance_terms"]) == (
            FACTS, "贾守仁赔礼道歉", TERMS, "贾守仁当日履行"), username
        booked = [x for x in d["sessions"] if x["link"]]       # Wednesday's session (the record is Monday's own)
        assert [(x["place"], x["link"]) for x in booked] == [("甄有德家楼下", "https://meet.example/gz-42")]
    for username in ("comm11", "admin"):              # a centre; an administrator (reads as a supervisor)
        api = Api(u[username])
        st, d = api.get(f"/mediation/{cid}")
        assert st == 200 and d["parties_masked"], username
        assert (d["facts"], d["claim"], d["agreement_terms"], d["performance_terms"]) == (
            FACTS_REDACTED, "贾**赔礼道歉", TERMS_REDACTED, "贾**当日履行"), username
        assert [x["place"] for x in d["sessions"] if x["place"]] == ["甄**家楼下"], username
        page = api.client.get(f"/mediation/{cid}/").content.decode()
        assert FACTS_REDACTED in page and TERMS_REDACTED in page, username
        for secret in ("甄有德", "贾守仁", "13900001111", "13812345678", "02198001011"):
            assert secret not in page and secret not in str(d), (username, secret)
    # a list row is no logged read: redacted for every reader, then cut to 80 characters — a name
    # across the cut (characters 79–81) is redacted before it is cut, so no "贾守" is left
    prefix = "双方因噪音发生争执。" * 7 + "多次协商无果后"          # 77 characters
    assert len(prefix) == 77
    st, long = Api(u["resident1"]).post("/mediation", {
        "dispute_type": "neighbour", "area": world.grids[0].code, "facts": prefix + "楼贾守仁拒不停止",
        "parties": [APPLICANT, RESPONDENT]})
    assert st == 201, long
    for username in ("med11", "resident1", "comm11", "admin"):
        st, rows = Api(u[username]).get("/mediation")
        facts = {r["id"]: r["facts"] for r in rows["items"]}
        assert (facts[cid], facts[long["id"]]) == (FACTS_REDACTED, prefix + "楼贾*"), username
        page = Api(u[username]).client.get("/mediation/?tab=agreement").content.decode()
        assert FACTS_REDACTED in page and "贾守仁" not in page, username


AID = {"applicant_name": "甄有德", "id_number": "350602199001011234", "phone": "13511112222",
       "address": "东铺头街道瑞京社区", "household_size": 3, "monthly_income": "1500", "pledge": True,
       "matter": "civil", "specialty": "labour", "opposing_party": "某建筑公司", "claim_amount": "32000",
       "summary": "甄有德（电话13511112222）在工地务工八个月，被某建筑公司拖欠工资三万二千元"}
# the opposing party is withheld from a masked reader, so its name in the text is masked too
AID_REDACTED = "甄**（电话135****2222）在工地务工八个月，被某****拖欠工资三万二千元"


def test_legal_aid_text_is_redacted_for_those_who_see_the_applicant_masked(world):
    u = world.users
    st, own = Api(u["resident1"]).post("/legalaid", {**AID, "area": world.grids[0].code})
    assert st == 201, own
    # received at the township workstation for township 2: the county centre ("aid") decides (异地受理)
    st, passed = Api(u["aid2"]).post("/legalaid", {**AID, "area": world.grids[-1].code,
                                                    "office": f"{world.townships[0].code}-fygzz"})
    assert st == 201, passed
    reason = "甄有德家庭月收入超过当地标准，已电话13511112222告知"
    st, denied = Api(u["aid"]).post(f"/legalaid/{passed['id']}/deny", {"reason": reason})
    assert st == 200, denied

    for username, app_id in (("resident1", own["id"]), ("aid2", own["id"]), ("aid", passed["id"])):
        st, d = Api(u[username]).get(f"/legalaid/{app_id}")
        assert st == 200 and not d["applicant_detail"]["masked"], username
        assert d["summary"] == AID["summary"], username
    st, d = Api(u["aid"]).get(f"/legalaid/{passed['id']}")
    assert d["decision_reason"] == reason
    for username, app_id in (("aid2", passed["id"]), ("admin", passed["id"]), ("admin", own["id"])):
        api = Api(u[username])
        st, d = api.get(f"/legalaid/{app_id}")
        assert st == 200 and d["applicant_detail"]["masked"], (username, app_id)
        assert d["summary"] == AID_REDACTED, (username, app_id)
        page = api.client.get(f"/legalaid/{app_id}/").content.decode()
        for secret in ("甄有德", "13511112222", "某建筑公司"):
            assert secret not in page and secret not in str(d), (username, app_id, secret)
    for username in ("aid2", "admin"):
        st, d = Api(u[username]).get(f"/legalaid/{passed['id']}")
        assert d["decision_reason"] == "甄**家庭月收入超过当地标准，已电话135****2222告知", username
