"""信用档案 services and API: maker-checker, the chain, objections and repairs with their deadlines,
scenes that see only the level, PIPL scope (who cannot read, every read logged), tamper evidence."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection

from gongzhi.core import chain
from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.core.models import AccessLog
from gongzhi.credit import selectors as sel, services as svc
from gongzhi.credit.inputs import ProposeIn, RequestIn
from gongzhi.credit.models import Behaviour, Dispute, Entry, Proposal, Repair
from gongzhi.domain import credit as dc
from gongzhi.domain.enums import CaseKind, SlaFlag
from tests.conftest import Api, sh

TODAY = date(2026, 11, 2)          # the suite's Monday


def _files(credit):
    a, b, c, old, aunt, zhao = credit["files"]
    return a, b, c, old, aunt, zhao


def _behaviour(file, code):
    return Behaviour.objects.get(clause__community_id=file.community_id, code=code)


def _propose(user, file, code, days_ago=1, key=None):
    return svc.propose(actor=user, file_id=file.pk, data=ProposeIn(
        behaviour_id=_behaviour(file, code).pk, occurred_on=TODAY - timedelta(days=days_ago),
        facts="巡查发现并拍照记录", client_key=key))


# ---- the demo's files, as written out ----------------------------------------------------------

def test_demo_files_scores_and_levels(credit):
    a, b, c, old, aunt, zhao = _files(credit)
    # resident1: volunteer +2, mediated +5, dumping −5 (disputed, still counts) → 102 B
    # resident2: illegal build −10 × 150 % = −15, repaired +15, volunteer +2 → 102 B
    # resident3: honour +15, meeting +1 × 50 % → 115.5 → shown 116, B
    # 王大爷: filial +10, honour +15 → 125 A;  刘阿姨: sorted +2 → 102 B (a proposal pending)
    # 赵某: illegal build −10, disturbance −8, both × 150 % → 73 D
    got = [(svc.score_of(f).hundredths, svc.score_of(f).level) for f in (a, b, c, old, aunt, zhao)]
    assert got == [(10200, "B"), (10200, "B"), (11550, "B"), (12500, "A"), (10200, "B"), (7300, "D")]
    assert svc.score_of(c).points == 116
    assert Dispute.objects.get(file=a).status == dc.DisputeStatus.FILED
    assert Repair.objects.get(file=b).status == dc.RepairStatus.GRANTED
    assert [x.broken_at for x in chain.verify_all() if x.kind == "credit"] == [None, None]


# ---- maker-checker -----------------------------------------------------------------------------

def test_proposer_cannot_approve_and_another_officer_can(credit):
    u = credit["users"]
    a = _files(credit)[0]
    p, created = _propose(u["xy1"], a, "sorted", key="k1")
    assert created
    with pytest.raises(Conflict, match="提出人不能审核自己提出的信用记录"):
        svc.approve(actor=u["xy1"], proposal_id=p.pk)
    e = svc.approve(actor=u["xy2"], proposal_id=p.pk, note="核实无误")
    assert (e.points, e.proposed_by, e.approved_by, e.valid_from, e.valid_until) == (
        2, u["xy1"], u["xy2"], date(2026, 11, 1), date(2027, 4, 29))      # 180 days from 11-01
    with pytest.raises(Conflict, match="该申请已被处理"):
        svc.approve(actor=u["xy2"], proposal_id=p.pk)                      # once
    assert Entry.objects.filter(proposal=p).count() == 1


def test_propose_is_idempotent_by_client_key(credit):
    u, a = credit["users"], _files(credit)[0]
    p1, c1 = _propose(u["xy1"], a, "sorted", key="same")
    p2, c2 = _propose(u["xy1"], a, "sorted", key="same")
    assert (p1.pk, c1, c2) == (p2.pk, True, False)
    assert Proposal.objects.filter(client_key="same").count() == 1


def test_behaviour_of_another_community_refused(credit):
    u = credit["users"]
    a, c = _files(credit)[0], _files(credit)[2]
    other = _behaviour(c, "sorted")
    with pytest.raises(Invalid, match="不属于本社区公约"):
        svc.propose(actor=u["xy1"], file_id=a.pk, data=ProposeIn(behaviour_id=other.pk, occurred_on=TODAY,
                                                                 facts="跨社区的行为"))


def test_future_date_refused(credit):
    u, a = credit["users"], _files(credit)[0]
    with pytest.raises(Invalid, match="发生日期不能晚于今天"):
        _propose(u["xy1"], a, "sorted", days_ago=-1)


def test_withdrawal_is_a_new_row_and_only_once(credit):
    u, a = credit["users"], _files(credit)[0]
    e = Entry.objects.filter(file=a, kind=dc.EntryKind.ENTRY, behaviour__code="volunteer").get()
    before = Entry.objects.count()
    w = svc.withdraw(actor=u["xy2"], file_id=a.pk, entry_id=e.pk, reason="重复登记")
    assert (w.kind, w.reverses_id, Entry.objects.count()) == (dc.EntryKind.WITHDRAWAL, e.pk, before + 1)
    assert Entry.objects.filter(pk=e.pk, points=2).exists()           # the entry itself untouched
    assert svc.score_of(a).hundredths == 10000
    with pytest.raises(Conflict):
        svc.withdraw(actor=u["xy1"], file_id=a.pk, entry_id=e.pk, reason="再撤一次")
    assert Entry.objects.count() == before + 1


# ---- objections and repairs --------------------------------------------------------------------

def test_objection_deadline_in_working_days_and_upheld(credit):
    u, a = credit["users"], _files(credit)[0]
    d = Dispute.objects.get(file=a)
    # Filed Monday 2026-11-02 09:00: 10 working days → due Monday 11-16 end of day (the suite's rule).
    assert d.clock == dc.DisputeClock.DECIDE
    due = d.due_at.astimezone(sh(2026, 1, 1).tzinfo)
    assert due.date() == date(2026, 11, 16)
    with pytest.raises(NotFound):
        svc.dispute_uphold(actor=u["xy3"], dispute_id=d.pk, reason="其他社区")      # not their community
    svc.dispute_uphold(actor=u["xy2"], dispute_id=d.pk, reason="监控显示杂物为邻居所放")
    d.refresh_from_db()
    assert (d.status, d.clock, d.decided_by) == (dc.DisputeStatus.UPHELD, "", u["xy2"])
    w = Entry.objects.get(kind=dc.EntryKind.WITHDRAWAL, reverses=d.entry)
    assert w.dispute_id == d.pk
    assert svc.score_of(a).hundredths == 10700                 # the −5 no longer counts


def test_objection_only_by_the_person_and_one_open_per_entry(credit):
    u, a = credit["users"], _files(credit)[0]
    entry = Dispute.objects.get(file=a).entry
    with pytest.raises(NotFound):
        svc.dispute_file(actor=u["xy1"], data=RequestIn(entry_id=entry.pk, reason="专员替人异议"))
    with pytest.raises(Conflict, match="已有待处理的申请"):
        svc.dispute_file(actor=a.person.user, data=RequestIn(entry_id=entry.pk, reason="再提一次异议"))


def test_dismissed_objection_keeps_the_entry(credit):
    u, a = credit["users"], _files(credit)[0]
    d = Dispute.objects.get(file=a)
    with pytest.raises(Invalid):                                        # a reason is required
        svc.dispute_dismiss(actor=u["xy1"], dispute_id=d.pk, reason="")
    svc.dispute_dismiss(actor=u["xy1"], dispute_id=d.pk, reason="现场照片可证")
    assert svc.score_of(a).hundredths == 10200


def test_repair_waits_and_compensates(credit):
    u, a = credit["users"], _files(credit)[0]
    # A fresh negative entry (occurred today): repair possible only 30 days on.
    p, _ = _propose(u["xy1"], a, "disturbance", days_ago=29)
    e = svc.approve(actor=u["xy2"], proposal_id=p.pk)
    assert svc.score_of(a).hundredths == 10200 - 1200              # −8 × 150 %
    with pytest.raises(Invalid, match="该记录自 2026-11-03 起方可申请修复"):
        svc.repair_apply(actor=a.person.user, data=RequestIn(entry_id=e.pk, reason="已认识错误"))
    positive = Entry.objects.get(file=a, behaviour__code="mediated")
    with pytest.raises(Invalid, match="只有扣分的信用记录可以申请修复"):
        svc.repair_apply(actor=a.person.user, data=RequestIn(entry_id=positive.pk, reason="加分也想修复"))
    import time_machine
    with time_machine.travel(sh(2026, 11, 3, 9), tick=False):
        r, created = svc.repair_apply(actor=a.person.user, data=RequestIn(entry_id=e.pk, reason="已认识错误并道歉",
                                                                            client_key="r1"))
        again, created2 = svc.repair_apply(actor=a.person.user, data=RequestIn(entry_id=e.pk, reason="已认识错误并道歉",
                                                                                client_key="r1"))
        assert (created, created2, again.pk) == (True, False, r.pk)
        assert r.due_at.astimezone(sh(2026, 1, 1).tzinfo).date() == date(2026, 11, 24)   # 15 working days
        with pytest.raises(Forbidden):
            svc.repair_grant(actor=a.person.user, repair_id=r.pk)
        svc.repair_grant(actor=u["xy1"], repair_id=r.pk, note="已道歉")
        comp = Entry.objects.get(kind=dc.EntryKind.REPAIR, reverses=e)
        assert (comp.points, comp.valid_until, comp.repair_id) == (8, e.valid_until, r.pk)
        assert svc.score_of(a).hundredths == 10200
        with pytest.raises(Invalid, match="该记录已经修复"):
            svc.repair_apply(actor=a.person.user, data=RequestIn(entry_id=e.pk, reason="再修一次可以吗"))


# ---- scenes: the level, never the entries --------------------------------------------------------

def test_scene_check_sees_the_level_only(credit):
    u, a = credit["users"], _files(credit)[0]
    from gongzhi.credit.models import Scene
    shop = Scene.objects.get(provider="便民超市")
    bank = Scene.objects.get(provider="农商银行")
    code = svc.my_code(actor=a.person.user)
    out = svc.scene_check(actor=u["shanghu1"], scene_id=shop.pk, code=code)
    assert out == {"scene": shop.name, "level": "B", "level_label": dc.Level.B.label, "allowed": True}
    with pytest.raises(NotFound):                        # not an operator of the bank's scene
        svc.scene_check(actor=u["shanghu1"], scene_id=bank.pk, code=code)
    with pytest.raises(Invalid, match="信用码无效"):
        svc.scene_check(actor=u["shanghu1"], scene_id=shop.pk, code=code[:-2] + "xx")
    assert AccessLog.objects.filter(user=u["shanghu1"], kind=CaseKind.CREDIT_FILE, case_id=a.pk).count() == 1
    import time_machine
    with time_machine.travel(sh(2026, 11, 2, 9, 11), tick=False):
        with pytest.raises(Invalid, match="信用码已过期"):
            svc.scene_check(actor=u["shanghu1"], scene_id=shop.pk, code=code)
    names = {s["name"] for s in sel.file_json(a.person.user, a.pk)["scenes"]}
    assert "便民超市 九五折" in names and "农商银行 信用贷款利率优惠" not in names   # B, not A


# ---- PIPL: who reads, every read logged --------------------------------------------------------

@pytest.mark.parametrize("who", ["admin", "comm11", "grid111", "resident2", "xy3", "county", "supervisor"])
def test_outsiders_cannot_read_a_file(credit, district, who):
    a = _files(credit)[0]
    user = district.users.get(who) or credit["users"].get(who)
    assert user is not None, who
    status, _ = Api(user).get(f"/credit/files/{a.pk}")
    assert status == 404
    assert not AccessLog.objects.filter(user=user, kind=CaseKind.CREDIT_FILE).exists()
    listed = {f["id"] for f in Api(user).get("/credit/files")[1]}
    assert a.pk not in listed


def test_reads_are_logged_for_officers_and_the_person(credit):
    u, a = credit["users"], _files(credit)[0]
    status, body = Api(u["xy1"]).get(f"/credit/files/{a.pk}")
    assert status == 200 and body["person"]["phone"] == "138****0001"
    assert body["person"]["id_number"] == "350***********1234"
    assert body["score"] == 102 and body["level"] == "B"
    assert [p["status"] for p in body["proposals"]] == ["approved"] * 3
    status, mine = Api(a.person.user).get("/credit/me")
    assert status == 200 and mine["proposals"] == [] and mine["timeline"] == []
    logs = list(AccessLog.objects.filter(kind=CaseKind.CREDIT_FILE, case_id=a.pk).order_by("id")
                .values_list("user", "what"))
    assert logs == [(u["xy1"].pk, "查阅信用档案"), (a.person.user.pk, "查阅信用档案")]


def test_api_objection_and_repair_flow(credit):
    u, a = credit["users"], _files(credit)[0]
    api = Api(a.person.user)
    me = api.get("/credit/me")[1]
    volunteer = next(e for e in me["entries"] if e["behaviour"] == "参加志愿服务（每次）")
    status, d = api.post("/credit/disputes", {"entry_id": volunteer["id"], "reason": "我没有参加这次活动"})
    assert status == 201 and d["status"] == "filed" and d["actions"] == ["retract"]
    status, d2 = Api(u["xy2"]).post(f"/credit/disputes/{d['id']}/dismiss",
                                    {"reason": "签到表可证", "version": d["version"]})
    assert status == 200 and d2["status"] == "dismissed"
    status, body = api.post(f"/credit/disputes/{d['id']}/retract", {})
    assert status == 409
    status, body = api.post("/credit/repairs", {"entry_id": volunteer["id"], "reason": "加分记录不用修复吧"})
    assert status == 422 and "只有扣分" in body["message"]
    status, body = api.post("/credit/disputes", {"entry_id": volunteer["id"], "reason": "x\u0000坏字符坏字符"})
    assert status == 400                                     # NUL: refused before any view
    status, body = api.post("/credit/disputes", {"entry_id": volunteer["id"], "reason": "x\u000b坏字符坏字符"})
    assert status == 422 and "reason" in body["fields"]


def _png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_evidence_checked_by_content_and_served_in_scope(credit, district):
    u, a = credit["users"], _files(credit)[0]
    p, _ = _propose(u["xy1"], a, "dumping")
    status, body = Api(u["xy1"]).upload(f"/credit/proposals/{p.pk}/evidence", "photo.png", _png())
    assert status == 201, body
    ev = body["id"]
    status, body = Api(u["xy1"]).upload(f"/credit/proposals/{p.pk}/evidence", "photo.png", b"MZ not an image")
    assert status == 422
    status, _ = Api(u["xy2"]).upload(f"/credit/proposals/{p.pk}/evidence", "photo.png", _png())
    assert status == 403                                     # only the proposer adds evidence
    assert Api(u["xy2"]).client.get(f"/api/credit/evidence/{ev}").status_code == 200
    for outsider in (district.users["admin"], district.users["comm11"], u["xy3"], a.person.user):
        assert Api(outsider).client.get(f"/api/credit/evidence/{ev}").status_code == 404
    e = svc.approve(actor=u["xy2"], proposal_id=p.pk)
    assert len(e.evidence) == 1
    assert Api(a.person.user).client.get(f"/api/credit/evidence/{ev}").status_code == 200   # now on their file
    assert AccessLog.objects.filter(kind=CaseKind.CREDIT_FILE, case_id=a.pk,
                                    what__startswith="查看信用记录证据").count() == 2


def test_open_file_once_and_only_in_scope(credit, district):
    from gongzhi.registry.models import Person
    u = credit["users"]
    grid = _files(credit)[0].person.grid
    p = Person.objects.create(name="新居民", grid=grid)
    with pytest.raises(NotFound):
        svc.open_file(actor=u["xy3"], person_id=p.pk)
    f1, c1 = svc.open_file(actor=u["xy1"], person_id=p.pk)
    f2, c2 = svc.open_file(actor=u["xy2"], person_id=p.pk)
    assert (f1.pk, c1, c2) == (f2.pk, True, False)
    assert svc.score_of(f1).hundredths == 10000


# ---- tamper evidence ---------------------------------------------------------------------------

def test_tampered_entry_row_is_found(credit):
    a = _files(credit)[0]
    e = Entry.objects.filter(file=a, kind=dc.EntryKind.ENTRY, points__lt=0).get()
    name = svc.chain_name(a.community_id)
    assert chain.verify(name, Entry.objects.filter(community_id=a.community_id).order_by("seq"))[1] is None
    with connection.cursor() as cur:           # behind the application's back: AppendOnly refuses update()
        cur.execute(f"UPDATE {Entry._meta.db_table} SET points = 5 WHERE id = %s", [e.pk])
    count, broken = chain.verify(name, Entry.objects.filter(community_id=a.community_id).order_by("seq"))
    assert broken == e.seq
    found = {x.chain: x.broken_at for x in chain.verify_all()}
    assert found[name] == e.seq


def test_deleted_last_entry_is_found(credit):
    a = _files(credit)[0]
    name = svc.chain_name(a.community_id)
    last = Entry.objects.filter(community_id=a.community_id).order_by("-seq").first()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Entry._meta.db_table} WHERE id = %s", [last.pk])
    assert chain.verify(name, Entry.objects.filter(community_id=a.community_id).order_by("seq"))[1] == last.seq


def test_entries_refuse_edits_in_the_application(credit):
    from gongzhi.accounts.appendonly import AppendOnlyError
    e = Entry.objects.first()
    e.points = 99
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=e.pk).update(points=99)


def test_sweep_flags_an_objection_past_its_deadline(credit):
    import time_machine

    from gongzhi.casework.models import CaseLog
    from gongzhi.ops.sweep import sweep_cases
    d = Dispute.objects.get(file=_files(credit)[0])
    with time_machine.travel(sh(2026, 11, 17, 9), tick=False):         # past Monday 11-16
        out = sweep_cases(full=True)
    assert out["credit_dispute"] == (1, 1)
    d.refresh_from_db()
    assert d.sla_flag == SlaFlag.RED
    assert list(CaseLog.objects.filter(kind=CaseKind.CREDIT_DISPUTE, case_id=d.pk).order_by("id")
                .values_list("action", flat=True)) == [dc.DisputeAction.FILE, dc.DisputeAction.SLA_YELLOW,
                                                       dc.DisputeAction.SLA_RED]
