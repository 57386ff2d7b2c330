"""The JSON API of 出卷票决: the whole path as residents and staff use it, refusals as 4xx."""
import uuid
from datetime import timedelta

import time_machine
from django.utils import timezone

from ..conftest import Api


def test_publish_comment_moderate_vote_count_over_the_api(votes_demo, district):
    v = votes_demo
    staff, resident, other = Api(v["staff"]), Api(v["voters"][0]), Api(v["voters"][1])
    area = v["decided"].area
    now = timezone.now()
    body = {"area_id": area.pk, "title": "楼道照明改造", "summary": "更换为声控节能灯",
            "options": [{"label": "同意"}, {"label": "不同意", "role": "against"}],
            "opinion_until": (now + timedelta(days=1)).isoformat(),
            "vote_opens_at": (now + timedelta(days=1)).isoformat(),
            "vote_closes_at": (now + timedelta(days=3)).isoformat(), "client_key": uuid.uuid4().hex}
    code, p = staff.post("/votes", body)
    assert code == 201 and p["status"] == "draft"
    assert staff.post("/votes", body)[0] == 200                 # the same client key: the same proposal
    assert resident.get(f"/votes/{p['id']}")[0] == 404           # a draft is the organisers' only
    assert resident.post("/votes", {**body, "client_key": uuid.uuid4().hex})[0] == 403
    assert staff.post(f"/votes/{p['id']}/open-opinion", {})[0] == 200
    code, c = resident.post(f"/votes/{p['id']}/comments", {"text": "建议\x07加装", "client_key": uuid.uuid4().hex})
    assert code == 422                                           # control characters refused at the input
    code, c = resident.post(f"/votes/{p['id']}/comments", {"text": "建议加装人体感应", "client_key": uuid.uuid4().hex})
    assert code == 201
    assert staff.post(f"/votes/{p['id']}/comments/{c['id']}/reply", {"text": "已采纳"})[0] == 200
    assert resident.post(f"/votes/{p['id']}/comments/{c['id']}/hide", {"reason": "无关"})[0] == 403
    assert staff.post(f"/votes/{p['id']}/comments/{c['id']}/hide", {"reason": "重复意见"})[0] == 200
    seen = other.get(f"/votes/{p['id']}")[1]["comments"]
    assert seen[0]["hidden"] and seen[0]["text"] == "" and seen[0]["hidden_reason"] == "重复意见"
    mine = resident.get(f"/votes/{p['id']}")[1]["comments"][0]
    assert mine["text"] == "建议加装人体感应"          # the author still reads it
    traveller = time_machine.travel(now + timedelta(days=1, minutes=1), tick=True)
    traveller.start()
    staff, resident = Api(v["staff"]), Api(v["voters"][0])       # a day later: signed in again
    code, opened = staff.post(f"/votes/{p['id']}/open-voting", {})
    assert code == 200 and opened["status"] == "voting" and opened["roll"]["size"] == 18
    k = uuid.uuid4().hex
    code, r = resident.post(f"/votes/{p['id']}/ballot", {"option": "1", "client_key": k})
    assert code == 201 and len(r["receipt"]) == 14
    assert resident.post(f"/votes/{p['id']}/ballot", {"option": "1", "client_key": k}) == (200, r)
    assert resident.post(f"/votes/{p['id']}/ballot", {"option": "1", "client_key": uuid.uuid4().hex})[0] == 409
    mine = resident.get(f"/votes/{p['id']}")[1]["me"]
    assert mine == {"on_roll": True, "voted": True, "via": "本人网上投票"}
    assert resident.post(f"/votes/{p['id']}/receipts/check", {"receipt": r["receipt"]})[1]["counted"]
    assert resident.get(f"/votes/{p['id']}/receipts") == (200, [])          # choices only after the count
    assert staff.post(f"/votes/{p['id']}/close", {})[0] == 409               # the window still open
    assert resident.post(f"/votes/{p['id']}/close", {})[0] == 403            # organisers count, nobody else
    traveller.stop()


def test_decided_proposal_result_receipts_notice_verify(votes_demo):
    v = votes_demo
    resident = Api(v["voters"][0])
    pid = v["decided"].pk
    code, p = resident.get(f"/votes/{pid}")
    assert code == 200 and p["result"]["turnout"] == "83.33%" and p["result"]["participants"] == 15
    assert "batches" not in p and p["roll"]["voted"] is None          # staff figures only for staff
    assert len(resident.get(f"/votes/{pid}/receipts")[1]) == 15
    assert resident.get(f"/votes/{pid}/verify")[1]["ok"] is True
    r = resident.client.get(f"/api/votes/{pid}/notice.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # outsiders see nothing
    assert Api(None).get(f"/votes/{pid}")[0] in (401, 404)


def test_documents_checked_by_content_and_served_in_scope(votes_demo, district):
    v = votes_demo
    staff = Api(v["staff"])
    pid = v["opinion"].pk
    code, _ = staff.upload(f"/votes/{pid}/documents", "plan.pdf", b"<html>not a pdf</html>")
    assert code == 422
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    code, doc = staff.upload(f"/votes/{pid}/documents", "方案.pdf", pdf)
    assert code == 201
    r = Api(v["voters"][0]).client.get(f"/api/votes/{pid}/documents/{doc['id']}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == pdf
    outsider = Api(district.users["comm12"])
    assert outsider.client.get(f"/api/votes/{pid}/documents/{doc['id']}").status_code == 404


def test_proxy_and_paper_double_entry_over_the_api(votes_demo, district):
    v = votes_demo
    pid = v["voting"].pk
    helper, other = Api(v["helper"]), Api(district.users["grid112"])
    person = v["heads"][12].pk
    code, r = helper.post(f"/votes/{pid}/proxy", {"person_id": person, "option": "1", "consent": "本人当面同意",
                                                  "client_key": uuid.uuid4().hex})
    assert code == 201 and len(r["receipt"]) == 14
    assert Api(v["voters"][0]).post(f"/votes/{pid}/proxy", {"person_id": person, "option": "1", "consent": "x" * 3,
                                                            "client_key": uuid.uuid4().hex})[0] == 403
    for h in v["heads"][13:15]:
        assert helper.post(f"/votes/{pid}/paper/sign-in", {"person_id": h.pk}) == (200, {"voted": True, "via": "paper"})
    code, b = helper.post(f"/votes/{pid}/paper", {"batch": "A", "counts": {"1": 1, "2": 1}})
    assert code == 200 and b["status"] == "pending"
    code, b = other.post(f"/votes/{pid}/paper", {"batch": "A", "counts": {"1": 2}})
    assert b["status"] == "mismatch" and b["mismatches"] == [["1", 1, 2], ["2", 1, 0]]
    code, b = other.post(f"/votes/{pid}/paper", {"batch": "A", "counts": {"1": 1, "2": 1}})
    assert b["status"] == "counted" and b["ballots"] == 2
    code, check = helper.get(f"/votes/{pid}/verify")
    assert check["ok"] and check["ballots"] == 7        # the demo's 4, the proxy, two paper
