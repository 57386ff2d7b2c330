"""社区矫正 over the API: a file from 接收 to 解矫 with a missed report, a 训诫 and a 检察建议;
who sees a file (every login of the district); a prosecutor's writes refused and reads logged;
leave authority; electronic positioning; idempotence, bad text and stale versions; and, on
PostgreSQL, two concurrent writes on one file."""
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from gongzhi.casework.documents import text_of
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AccessLog
from gongzhi.corrections import operations as ops
from gongzhi.corrections.models import Checkin, Position, Subject
from tests.conftest import sh

PLAN = "一、每周到司法所报告一次；二、每月教育学习和公益活动各不少于八小时；三、协助落实就业岗位。"
MEMBERS = [{"role": "township", "name": "司法所林干事", "org": "东铺头司法所"},
           {"role": "committee", "name": "社区王主任", "org": "瑞京社区居委会"},
           {"role": "family", "name": "张妻", "org": "配偶"}]

# A positioning proposal on the ground of leaving the county (the facts the head approves on).
LEFT = {"ground": "left_area", "facts": "未经批准离开本县"}


@pytest.fixture(autouse=True)
def _year_2027(db):
    """The files run into 2027 (a 检察建议's 60 days, a term's end): the installation has entered
    that year's notice (New Year's Day only, enough for these dates)."""
    from gongzhi.core import admindata
    from gongzhi.core.models import CalendarYear
    CalendarYear.objects.get_or_create(year=2027, defaults={"holidays": ["2027-01-01"], "workdays": []})
    admindata.invalidate()
    yield
    admindata.invalidate()


def receive_body(corr, district, **over):
    twp = corr["townships"][0]
    grid = next(g for g in district.grids if g.path.startswith(twp.area.path))
    body = {"township": twp.code, "grid": grid.code, "name": "张建国", "gender": "男",
            "id_number": "350602198503071234", "phone": "13800001111", "address": "瑞京路18号",
            "kind": "probation", "decider": "court", "decision_body": "漳州市芗城区人民法院",
            "decision_no": "（2026）闽0602刑初321号", "crime": "危险驾驶罪",
            "decided_on": "2026-10-30", "term_start": "2026-10-30", "term_end": "2027-04-29", **over}
    return body


def receive(as_user, corr, district, user="sfs1", **over):
    return as_user(user).post("/corrections", receive_body(corr, district, **over))


def ok(result, status=200):
    st, body = result
    assert st == status, body
    return body


def announced(as_user, corr, district, user="sfs1", **over):
    """A file through intake to 在矫, over the API."""
    api = as_user(user)
    sid = ok(receive(as_user, corr, district, user, **over), 201)["id"]
    ok(api.post(f"/corrections/{sid}/documents", {}))
    ok(api.post(f"/corrections/{sid}/report-in", {}))
    ok(api.post(f"/corrections/{sid}/team", {"members": MEMBERS}))
    ok(api.post(f"/corrections/{sid}/plan", {"plan": PLAN}))
    file = ok(api.post(f"/corrections/{sid}/announce", {}))
    assert file["status"] == "active"
    return file


def docx(api, sid, doc_id):
    r = api.client.get(f"/api/corrections/{sid}/documents/{doc_id}")
    assert r.status_code == 200
    return text_of(b"".join(r.streaming_content))


def doc_of(file, kind):
    found = [d for d in file["documents"] if d["doc"] == kind]
    assert len(found) == 1, file["documents"]
    return found[0]


# ---- the whole flow ------------------------------------------------------------------------------

def test_receive_to_release(corr, district, as_user):
    from gongzhi.ops.sweep import sweep_cases
    sfs1, sqjz, jcg1 = as_user("sfs1"), as_user("sqjz"), as_user("jcg1")
    file = ok(receive(as_user, corr, district), 201)
    sid = file["id"]
    assert file["status"] == "notified" and file["township"] == corr["townships"][0].name
    # 10 days from the decision taking effect (2026-10-30)
    assert file["report_due_on"] == "2026-11-09"
    file = ok(sfs1.post(f"/corrections/{sid}/documents", {}))
    assert file["documents_at"] is not None
    file = ok(sfs1.post(f"/corrections/{sid}/report-in", {}))
    assert file["status"] == "reported"
    st, err = sfs1.post(f"/corrections/{sid}/announce", {})
    assert st == 409 and "矫正小组" in err["message"] and "矫正方案" in err["message"]
    file = ok(sfs1.post(f"/corrections/{sid}/team", {"members": MEMBERS}))
    assert [m["name"] for m in file["team"]] == ["司法所林干事", "社区王主任", "张妻"]
    file = ok(sfs1.post(f"/corrections/{sid}/plan", {"plan": PLAN}))
    assert doc_of(file, "corr_plan")["title"] == "社区矫正方案"
    file = ok(sfs1.post(f"/corrections/{sid}/announce", {}))
    assert file["status"] == "active" and file["level"] == "strict"
    assert "张建国" in docx(sfs1, sid, doc_of(file, "corr_notice")["id"])
    file = ok(sfs1.post(f"/corrections/{sid}/checkin", {"result": "按时到司法所报告，思想稳定"}))
    assert [c["done_at"] is not None for c in file["checkins"]].count(True) == 1
    assert file["suggestion"]["step"] is None

    # a report due yesterday and not made: the sweep marks it missed and says so on the timeline
    now = timezone.now()
    subject = Subject.objects.get(pk=sid)
    Checkin.objects.create(subject=subject, due_on=now.date() - timedelta(days=1), due_at=now - timedelta(hours=20),
                           way="in_person")
    sweep_cases(now=now)
    file = ok(sfs1.get(f"/corrections/{sid}"))
    assert [c["missed"] for c in file["checkins"]].count(True) == 1
    assert "未按时报告" in [t["label"] for t in file["timeline"]]
    assert file["suggestion"]["step"] == "admonish" and file["suggestion"]["step_label"] == "训诫"
    assert any("报告" in r for r in file["suggestion"]["reasons"])

    st, file = sfs1.post(f"/corrections/{sid}/sanctions", {"step": "admonish", "facts": "未按规定时间到司法所报告",
                                                           "evidence": "报告登记表"})
    assert st == 201, file
    sanction = file["sanctions"][0]
    assert sanction["status"] == "proposed" and "训诫" in sanction["suggested"]
    st, _ = sfs1.post(f"/corrections/sanctions/{sanction['id']}/decide", {})
    assert st == 403                                       # the county decides, not the 司法所
    file = ok(sqjz.post(f"/corrections/sanctions/{sanction['id']}/decide", {}))
    assert file["sanctions"][0]["status"] == "decided"
    assert "张建国" in docx(sqjz, sid, doc_of(file, "corr_admonish")["id"])
    assert doc_of(file, "corr_admonish")["title"] == "训诫决定书"

    st, file = jcg1.post(f"/corrections/{sid}/oversights", {
        "kind": "suggestion", "omission": "other", "facts": "未按时报告后未及时跟进教育",
        "demand": "建议加强报告管理并开展谈话教育"})
    assert st == 201, file
    over = file["oversights"][0]
    assert over["status"] == "issued" and file["reads_only"] is True and file["may_issue_oversight"] is True
    board = ok(jcg1.get("/corrections/oversight"))
    assert over["id"] in [o["id"] for o in board["oversights"]] and board["oversight_pending"] >= 1
    file = ok(sqjz.post(f"/corrections/oversights/{over['id']}/answer",
                        {"answer": "已约谈该对象并建立报告提醒机制，今后按周核对报告情况"}))
    assert file["oversights"][0]["status"] == "answered"
    assert doc_of(file, "corr_answer")["title"] == "检察建议回复函"
    file = ok(jcg1.post(f"/corrections/oversights/{over['id']}/accept", {}))
    assert file["oversights"][0]["status"] == "closed"

    st, err = sqjz.post(f"/corrections/{sid}/release", {})
    assert st == 409 and "2027-04-29" in err["message"]     # not before the term ends
    with time_machine.travel(sh(2027, 4, 29, 10), tick=False):
        sqjz = as_user("sqjz")                      # six months on, the earlier session has expired
        file = ok(sqjz.post(f"/corrections/{sid}/release", {}))
    assert file["status"] == "released" and file["ended_at"] is not None
    assert "张建国" in docx(sqjz, sid, doc_of(file, "corr_release")["id"])
    assert doc_of(file, "corr_release")["title"] == "解除社区矫正证明书"
    assert ok(sfs1.get("/corrections", tab="ended", q="张建国"))["count"] == 1


# ---- who sees a file -------------------------------------------------------------------------------

SEE_SFS1_FILES = {"sfs1", "sqjz", "jcg1", "jcg2"}       # the 司法所, the county agency, the prosecutors


def test_every_login_of_the_district(corr, district, as_user):
    file = ok(receive(as_user, corr, district), 201)
    expected_users = {"admin", "county", "supervisor", "resident1", "sfs1", "sfs2", "sqjz", "jcg1", "jcg2"}
    assert expected_users <= set(district.users)             # the matrix covers every kind of login
    assert len(district.users) > 20
    for username in district.users:
        api = as_user(username)
        st, _ = api.get(f"/corrections/{file['id']}")
        page = ok(api.get("/corrections", q=file["number"]))
        if username in SEE_SFS1_FILES:
            assert st == 200 and page["count"] == 1, username
        else:
            assert st == 404 and page["count"] == 0, (username, st, page)
    # sfs2 works its own township's files, not sfs1's
    assert sum(ok(as_user("sfs2").get("/corrections/counts")).values()) > 0
    assert sum(ok(as_user("admin").get("/corrections/counts")).values()) == 0
    st, _ = as_user(None).get(f"/corrections/{file['id']}")
    assert st == 401


def test_grid_team_sees_the_task_not_the_file(corr, district, as_user):
    file = announced(as_user, corr, district)
    grid = next(g for g in district.grids if g.name == file["grid"])
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.domain.enums import Role
    worker = RoleAssignment.objects.filter(role=Role.GRID_WORKER, area=grid).first().user
    api = as_user(worker.username)
    tasks = [t for t in ok(api.get("/corrections/tasks")) if t["address"] == "瑞京路18号"]
    assert len(tasks) == 1 and tasks[0]["name"] != "张建国" and tasks[0]["phone"] != "13800001111"
    assert api.get(f"/corrections/{file['id']}")[0] == 404
    ok(api.post(f"/corrections/tasks/{tasks[0]['id']}/done", {"note": "入户走访，本人在家，情绪稳定"}))
    file = ok(as_user("sfs1").get(f"/corrections/{file['id']}"))
    assert "入户走访，本人在家，情绪稳定" in [v["result"] for v in file["visits"]]


# ---- prosecutors read, and only read -----------------------------------------------------------------

# A value for every field the operations take; each operation is posted with the fields its schema has.
ANY = {"note": "工作记录", "reason": "情况属实，依法处理", "members": MEMBERS, "plan": PLAN, "result": "按时报告",
       "due_on": "2026-11-20", "place": "家中", "met": True, "kind": "service", "on": "2026-11-02", "hours": "2",
       "content": "社区公益服务", "month": "2026-11-01", "score": 90, "level": "normal", "to": "sqjz-350603",
       "township": "x", "address": "新华路8号", "end_reason": "other", "outcome": "", "months": 1,
       "answer": "已整改完毕，今后严格执行"}


def plausible(op) -> dict:
    return {k: v for k, v in ANY.items() if k in op.schema.model_fields}


def test_a_prosecutor_writes_nothing_and_every_read_is_logged(corr, district, as_user):
    file = announced(as_user, corr, district)
    sid, sfs1, jcg1 = file["id"], as_user("sfs1"), as_user("jcg1")
    sanction = ok(sfs1.post(f"/corrections/{sid}/sanctions", {"step": "praise", "facts": "积极参加公益活动表现突出"}),
                  201)["sanctions"][0]
    trip = {"start": "2026-11-05", "end": "2026-11-07", "destination": "厦门市", "reason": "探望亲属"}
    leave = ok(sfs1.post(f"/corrections/{sid}/leaves", trip), 201)["leaves"][0]
    monitor = ok(sfs1.post(f"/corrections/{sid}/monitors", dict(LEFT, months=1)), 201)["monitors"][0]
    before = Subject.objects.get(pk=sid).version
    tables = [("", sid, ops.SUBJECT_OPERATIONS), ("sanctions/", sanction["id"], ops.SANCTION_OPERATIONS),
              ("leaves/", leave["id"], ops.LEAVE_OPERATIONS), ("monitors/", monitor["id"], ops.MONITOR_OPERATIONS)]
    posted = 0
    for prefix, pk, table in tables:
        for op in table.values():
            st, err = jcg1.post(f"/corrections/{prefix}{pk}/{op.path}", plausible(op))
            assert st == 403 and "只读" in err["message"], (prefix, op.path, st, err)
            posted += 1
    assert posted >= 20 + 6 + 4 + 4
    for path, body in [("sanctions", {"step": "admonish", "facts": "检察官擅自提出的处罚"}),
                       ("leaves", {"start": "2026-11-05", "end": "2026-11-06", "destination": "厦门市",
                                   "reason": "探望亲属"}),
                       ("monitors", dict(LEFT, months=1))]:
        st, err = jcg1.post(f"/corrections/{sid}/{path}", body)
        assert st == 403, (path, err)
    st, _ = jcg1.post("/corrections", receive_body(corr, district, client_key="by-prosecutor"))
    assert st == 403
    assert Subject.objects.get(pk=sid).version == before            # nothing was written

    def logged():
        return AccessLog.objects.filter(kind="correction", case_id=sid, user=district.users["jcg1"]).count()
    start = logged()
    for n in range(1, 4):
        ok(jcg1.get(f"/corrections/{sid}"))
        assert logged() == start + n
    assert "张建国" in docx(jcg1, sid, doc_of(file, "corr_notice")["id"])
    assert logged() == start + 4
    assert AccessLog.objects.filter(kind="correction", case_id=sid, user=district.users["jcg1"],
                                    what__startswith="下载").count() == 1


# ---- leave authority -------------------------------------------------------------------------------

def test_leave_authority_follows_its_length(corr, district, as_user):
    file = announced(as_user, corr, district)
    sid, sfs1, sqjz = file["id"], as_user("sfs1"), as_user("sqjz")
    # 2026-11-10 to 11-17: eight days, over the 司法所's seven
    leave = ok(sfs1.post(f"/corrections/{sid}/leaves", {"start": "2026-11-10", "end": "2026-11-17",
                                                        "destination": "福州市", "reason": "陪同家人就医"}),
               201)["leaves"][0]
    assert leave["authority"] == "county"
    st, err = sfs1.post(f"/corrections/leaves/{leave['id']}/approve", {})
    assert st == 403 and "8 日" in err["message"]
    file = ok(sqjz.post(f"/corrections/leaves/{leave['id']}/approve", {}))
    assert file["leaves"][0]["status"] == "approved"
    st, err = sfs1.post(f"/corrections/{sid}/leaves", {"start": "2026-12-01", "end": "2026-12-31",
                                                       "destination": "广州市", "reason": "外出务工"})
    assert st == 422 and "不得超过30日" in err["message"] and err["fields"]["end"]
    # seven days: the 司法所's own
    leave = ok(sfs1.post(f"/corrections/{sid}/leaves", {"start": "2026-12-01", "end": "2026-12-07",
                                                        "destination": "泉州市", "reason": "探亲"}), 201)["leaves"]
    short = next(x for x in leave if x["start"] == "2026-12-01")
    assert ok(sfs1.post(f"/corrections/leaves/{short['id']}/approve", {}))


# ---- electronic positioning --------------------------------------------------------------------------

def test_positioning_by_the_head_and_only_inside_its_period(corr, district, as_user):
    file = announced(as_user, corr, district)
    sid, sfs1, sqjz = file["id"], as_user("sfs1"), as_user("sqjz")
    st, err = sfs1.post(f"/corrections/{sid}/monitors", dict(LEFT, months=4, device="T-1"))
    assert st == 422 and "months" in err["fields"]
    monitor = ok(sfs1.post(f"/corrections/{sid}/monitors", dict(LEFT, months=2, device="T-1")),
                 201)["monitors"][0]
    st, _ = sfs1.post(f"/corrections/monitors/{monitor['id']}/approve", {})
    assert st == 403                                        # 负责人 approves (社区矫正法 第29条)
    monitor = ok(sqjz.post(f"/corrections/monitors/{monitor['id']}/approve", {}))["monitors"][0]
    assert monitor["status"] == "active" and monitor["active_from"] == "2026-11-02"
    assert monitor["active_until"] == "2027-01-01"
    inside = {"device": "T-1", "at": "2026-11-02T10:00:00+08:00", "lon": 117.65, "lat": 24.51}
    st, pos = sqjz.post("/corrections/positions", inside)
    assert st == 201 and pos["monitor"] == monitor["id"]
    assert sqjz.post("/corrections/positions", inside)[0] == 201      # the same position again: one row
    assert Position.objects.filter(monitor_id=monitor["id"]).count() == 1
    st, err = sqjz.post("/corrections/positions", {**inside, "at": "2027-01-02T10:00:00+08:00"})
    assert st == 409 and err["code"] == "not_monitored"
    assert Position.objects.filter(monitor_id=monitor["id"]).count() == 1
    # the 司法所, the prosecutor, an outsider and nobody at all may not feed positions
    for who in ("sfs1", "jcg1", "admin"):
        st, _ = as_user(who).post("/corrections/positions", {**inside, "at": "2026-11-03T10:00:00+08:00"})
        assert st == 403, who
    assert as_user(None).post("/corrections/positions", inside)[0] == 401
    assert Position.objects.filter(monitor_id=monitor["id"]).count() == 1
    assert ok(sfs1.get(f"/corrections/{sid}"))["monitors"][0]["positions"] == 1


# ---- input -----------------------------------------------------------------------------------------

def test_receive_is_idempotent_refuses_control_characters_and_stale_versions(corr, district, as_user):
    st, first = receive(as_user, corr, district, client_key="notice-2026-321")
    assert st == 201
    st, again = receive(as_user, corr, district, client_key="notice-2026-321")
    assert st == 200 and again["id"] == first["id"]
    assert Subject.objects.filter(client_key="notice-2026-321").count() == 1
    st, err = receive(as_user, corr, district, name="张\x07建国")
    assert st == 422 and "name" in err["fields"]
    st, err = receive(as_user, corr, district, crime="危险\x1b驾驶罪")
    assert st == 422 and "crime" in err["fields"]
    st, err = receive(as_user, corr, district, term_end="2026-10-01")
    assert st == 422 and "term_end" in err["fields"]
    st, err = as_user("sfs1").get("/corrections", tab="nonsense")
    assert st == 422
    sid, version = first["id"], first["version"]
    ok(as_user("sfs1").post(f"/corrections/{sid}/documents", {"version": version}))
    st, err = as_user("sqjz").post(f"/corrections/{sid}/report-in", {"version": version})
    assert st == 409 and err["code"] == "stale_version", err
    assert Subject.objects.get(pk=sid).status == "notified"


def test_lists_and_counts(corr, district, as_user):
    api = as_user("sqjz")
    counts = ok(api.get("/corrections/counts"))
    assert set(counts) == {"pending", "intake", "active", "absconded", "transferring", "ended"}
    for tab, n in counts.items():
        page = ok(api.get("/corrections", tab=tab, limit=100))
        assert page["count"] == n, tab
    assert counts["absconded"] == 3 and counts["transferring"] == 1       # the demo's shape
    red = ok(api.get("/corrections", flag="red"))
    assert all(x["sla_flag"] == "red" for x in red["items"])


# ---- PostgreSQL: one file, two writers at once --------------------------------------------------------

@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_announces_exactly_one_wins(corr, district, as_user):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    from gongzhi.casework.models import Document
    from gongzhi.corrections import services
    sfs1 = as_user("sfs1")
    sid = ok(receive(as_user, corr, district), 201)["id"]
    for path, body in [("documents", {}), ("report-in", {}), ("team", {"members": MEMBERS}), ("plan", {"plan": PLAN})]:
        ok(sfs1.post(f"/corrections/{sid}/{path}", body))
    version = Subject.objects.get(pk=sid).version
    barrier, outcomes = threading.Barrier(2), []

    def announce(username):
        try:
            barrier.wait()
            services.announce(actor=district.users[username], subject_id=sid, version=version)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=announce, args=(u,)) for u in ("sfs1", "sqjz")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("won") == 1 and len(outcomes) == 2, outcomes
    assert Document.objects.filter(kind="correction", case_id=sid, doc="corr_notice").count() == 1
    assert Checkin.objects.filter(subject_id=sid).count() == 1                 # the loser scheduled nothing
    assert Subject.objects.get(pk=sid).version == version + 1
