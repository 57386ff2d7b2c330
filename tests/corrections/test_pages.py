"""The 社区矫正 pages through Django's test client: who opens what, what a prosecutor is (not) given
to write, a failed form keeping its input, the checked document download, the grid team's task."""
import re

import pytest
from django.test import Client

from gongzhi.casework.models import CaseKind, Document
from gongzhi.corrections.models import Subject, VisitTask


def login(district, username) -> Client:
    c = Client()
    c.force_login(district.users[username])
    return c


def active_in(corr, township_index: int) -> Subject:
    """An 在矫 subject of the township's 司法所 (sfs1 ↔ index 0)."""
    twp = corr["townships"][township_index]
    return next(s for s in corr["subjects"]["active"] if s.township_id == twp.pk)


def actions(html: str) -> list[str]:
    return re.findall(r'<form[^>]*action="([^"]+)"', html)


@pytest.mark.parametrize("username", ["sfs1", "sqjz", "jcg1"])
def test_the_pages_open_for_staff_and_prosecutors(district, corr, username):
    c = login(district, username)
    subject = active_in(corr, 0)
    for url in ("/corrections/", "/corrections/?tab=active", "/corrections/?flag=red&q=SJ",
                f"/corrections/{subject.pk}/", "/corrections/oversight/"):
        r = c.get(url)
        assert r.status_code == 200, url
    assert subject.name in c.get(f"/corrections/{subject.pk}/").content.decode()
    assert c.get("/").headers["Location"] == "/corrections/"
    assert 'href="/corrections/"' in c.get("/corrections/").content.decode()      # the menu


def test_the_list_shows_its_tabs_counts_and_flags(district, corr):
    html = login(district, "sqjz").get("/corrections/").content.decode()
    active = len(corr["subjects"]["active"]) + len(corr["subjects"].get("due_to_end", []))
    assert re.search(rf'tab-active"[^>]*>在矫 <span class="count">{active}</span>', html)
    absconded = corr["subjects"]["absconded"][0]
    assert absconded.number in html
    assert re.search(r"脱管 \d+ 天", html)
    only = login(district, "sqjz").get("/corrections/", {"q": absconded.number}).content.decode()
    assert absconded.number in only and active_in(corr, 0).number not in only


@pytest.mark.parametrize("username", ["admin", "resident1", "grid111"])
def test_others_get_404_on_a_file(district, corr, username):
    c = login(district, username)
    subject = active_in(corr, 0)
    assert c.get(f"/corrections/{subject.pk}/").status_code == 404
    assert c.get("/corrections/").status_code == 404
    assert c.post(f"/corrections/{subject.pk}/do/note", {"note": "试图写入"}).status_code == 404
    assert 'href="/corrections/"' not in c.get("/report/").content.decode()


def test_a_prosecutor_gets_only_the_oversight_forms(district, corr):
    subject = active_in(corr, 0)
    html = login(district, "jcg1").get(f"/corrections/{subject.pk}/").content.decode()
    forms = actions(html)
    own = [a for a in forms if a.startswith(f"/corrections/{subject.pk}/")]
    assert own == [f"/corrections/{subject.pk}/new/oversight"]
    assert not [a for a in forms if re.match(r"/corrections/(sanction|leave|monitor)/", a)]
    # while the county agency on the same file has the file's operations and the creations
    staff = actions(login(district, "sqjz").get(f"/corrections/{subject.pk}/").content.decode())
    assert f"/corrections/{subject.pk}/do/note" in staff and f"/corrections/{subject.pk}/new/sanction" in staff
    assert f"/corrections/{subject.pk}/new/oversight" not in staff


def test_the_prosecutor_issues_and_the_county_answers_on_the_page(district, corr):
    subject = active_in(corr, 0)
    jcg = login(district, "jcg1")
    r = jcg.post(f"/corrections/{subject.pk}/new/oversight", {
        "kind": "correction", "omission": "penalty_not_given", "target_row": "",
        "facts": "该对象两次未按时报告未予处理", "demand": "依法给予相应处罚并报告结果"})
    assert r.status_code == 302 and r["Location"] == f"/corrections/{subject.pk}/"
    row = subject.oversights.get(facts="该对象两次未按时报告未予处理")
    staff = actions(login(district, "sqjz").get(f"/corrections/{subject.pk}/").content.decode())
    assert f"/corrections/oversight/{row.pk}/do/answer" in staff
    r = login(district, "sqjz").post(f"/corrections/oversight/{row.pk}/do/answer", {
        "version": row.version, "answer": "已依法给予训诫并加强报告管理，特此回复"})
    assert r.status_code == 302
    mine = actions(jcg.get(f"/corrections/{subject.pk}/").content.decode())
    assert f"/corrections/oversight/{row.pk}/do/accept" in mine and f"/corrections/oversight/{row.pk}/do/reopen" in mine
    # a prosecutor writing the file itself is refused by the service (403), not by the page alone
    assert jcg.post(f"/corrections/{subject.pk}/do/note", {"note": "检察官写入"}).status_code == 403


def test_a_failed_form_keeps_the_input_and_says_why_in_chinese(district, corr):
    subject = active_in(corr, 0)
    c = login(district, "sfs1")
    r = c.post(f"/corrections/{subject.pk}/do/visit", {"version": subject.version, "place": "家中", "result": "好"})
    html = r.content.decode()
    assert r.status_code == 422
    assert "至少 2 个字" in html
    assert 'value="家中"' in html and re.search(r'<details class="op op-subject-visit"[^>]* open', html)

    r = c.post("/corrections/new/", {"township": corr["townships"][0].code, "name": "测试对象", "address": "胜利路8号",
                                     "kind": "probation", "decider": "court", "decision_body": "芗城区人民法院",
                                     "decision_no": "（2026）闽0602刑初1号", "crime": "危险驾驶罪",
                                     "decided_on": "2026-01-05", "term_start": "2026-01-05", "term_end": "2025-12-01"})
    html = r.content.decode()
    assert r.status_code == 422 and "应晚于矫正期限起" in html
    assert 'value="测试对象"' in html and 'value="胜利路8号"' in html
    assert not Subject.objects.filter(name="测试对象").exists()


def test_receiving_from_the_form_opens_the_new_file(district, corr):
    c = login(district, "sfs1")
    page = c.get("/corrections/new/").content.decode()
    assert corr["townships"][0].code in page and corr["townships"][1].code not in page   # only its own 司法所
    r = c.post("/corrections/new/", {"township": corr["townships"][0].code, "name": "新接收", "address": "胜利路9号",
                                     "kind": "probation", "decider": "court", "decision_body": "芗城区人民法院",
                                     "decision_no": "（2026）闽0602刑初2号", "crime": "盗窃罪",
                                     "decided_on": "2026-01-05", "term_start": "2026-01-05", "term_end": "2027-01-04",
                                     "client_key": "corr-page-1"})
    subject = Subject.objects.get(name="新接收")
    assert r.status_code == 302 and r["Location"] == f"/corrections/{subject.pk}/"
    assert "报到期限" in c.get(r["Location"]).content.decode()


def test_a_document_downloads_for_its_agency_only(district, corr):
    subject = active_in(corr, 0)
    doc = Document.objects.filter(kind=CaseKind.CORRECTION, case_id=subject.pk).first()
    url = f"/corrections/{subject.pk}/documents/{doc.pk}"
    assert url in login(district, "sqjz").get(f"/corrections/{subject.pk}/").content.decode()
    r = login(district, "sqjz").get(url)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content if r.streaming else [r.content])[:2] == b"PK"      # a .docx
    assert login(district, "sfs2").get(url).status_code == 404


def test_the_grid_worker_sees_the_task_masked_and_marks_it_done(district, corr):
    grid_user = login(district, "grid111")
    html = grid_user.get("/queue/").content.decode()
    task = next(t for t in VisitTask.objects.filter(done_at__isnull=True).select_related("subject", "grid")
                if f'action="/corrections/tasks/{t.pk}/done"' in html)
    subject = task.subject
    assert "社区矫正帮教走访" in html
    assert subject.name not in html and subject.name[0] in html       # the surname only
    assert subject.crime not in html and subject.decision_no not in html and subject.number not in html
    r = grid_user.post(f"/corrections/tasks/{task.pk}/done", {"note": "入户走访，本人在家"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None and subject.visits.filter(result="入户走访，本人在家").exists()


def test_a_sanction_proposed_from_the_suggestion_and_decided_on_its_row(district, corr):
    from gongzhi.domain import corrections as dc
    subject = next(s for s in corr["subjects"]["absconded"] if s.township_id == corr["townships"][0].pk)
    sfs = login(district, "sfs1")
    html = sfs.get(f"/corrections/{subject.pk}/").content.decode()
    assert "处罚建议" in html
    # 脱管 under 10 days is a 训诫 (实施办法 第35条): the ladder's step is the one preselected
    form = html[html.index(f'action="/corrections/{subject.pk}/new/sanction"'):]
    form = form[:form.index("</form>")]
    selected = re.search(r'<select id="create-sanction-step"[^>]*>.*?<option value="(\w+)" selected', form, re.S)
    assert selected and selected.group(1) == dc.Step.ADMONISH.value
    r = sfs.post(f"/corrections/{subject.pk}/new/sanction", {"step": selected.group(1), "client_key": "corr-s-1",
                                                             "facts": "脱离监管多日，经查找后到案", "evidence": ""})
    assert r.status_code == 302
    row = subject.sanctions.get(facts="脱离监管多日，经查找后到案")
    county = login(district, "sqjz")
    staff = actions(county.get(f"/corrections/{subject.pk}/").content.decode())
    decide = next(a for a in staff if a.startswith(f"/corrections/sanction/{row.pk}/do/"))
    r = county.post(decide, {"version": row.version, "outcome": "已作出决定"})
    assert r.status_code == 302 and r["Location"] == f"/corrections/{subject.pk}/"
    row.refresh_from_db()
    assert row.status != dc.SanctionStatus.PROPOSED
    # the same post again: its form is gone (the row moved on), the refusal is said on top in Chinese
    r = county.post(decide, {"version": row.version - 1, "outcome": "再次提交"})
    alert = re.search(r'<p class="error" role="alert">([^<]+)</p>', r.content.decode())
    assert r.status_code == 409 and alert and re.search(r"[\u4e00-\u9fff]", alert.group(1))
    # a prosecutor cannot act on the row through its URL either (the service's 403)
    assert login(district, "jcg1").post(decide, {"version": row.version}).status_code == 403
