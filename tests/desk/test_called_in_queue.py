"""A department called in by 吹哨 finds the event in its queue (page and API), with its role
(主办 / 协办) and its 报到 deadline; a department not called does not (issue 17)."""
from django.test import Client

from gongzhi.events.models import CoHandler
from tests.api.test_loop import _walk_to
from tests.conftest import report_payload


def _whistled(district, as_user) -> int:
    _, ev = as_user("resident1").post("/events", report_payload(district, 0))
    _walk_to("handling", ev["id"], as_user)
    s, body = as_user("grid111").post(f"/events/{ev['id']}/whistle", {
        "reason": "需城管联合处置", "departments": [{"department": "350602-cg", "role": "lead"}]})
    assert s == 200, body
    return ev["id"]


def test_called_department_sees_it_in_its_queue_api(district, as_user):
    i = _whistled(district, as_user)
    s, page = as_user("dept_cg").get("/events/queue")
    assert s == 200
    row = next(r for r in page["items"] if r["id"] == i)
    assert row["called_as"] == "lead" and row["called_as_label"] == "主办"
    due = CoHandler.objects.get(event_id=i).check_in_due_at
    assert row["check_in_due_at"].startswith(due.astimezone().strftime("%Y-%m-%d")[:4])
    assert row["checked_in_at"] is None
    s, page = as_user("dept_cg").get("/events/queue", tab="called")
    assert [r["id"] for r in page["items"]] == [i]
    # Not called: yj's queue is empty, as is its 吹哨 tab.
    assert as_user("dept_yj").get("/events/queue")[1]["count"] == 0
    assert as_user("dept_yj").get("/events/queue", tab="called")[1]["count"] == 0


def test_called_department_page_shows_role_and_check_in(district, as_user):
    i = _whistled(district, as_user)
    as_user("grid111").post(f"/events/{i}/whistle", {
        "reason": "再请应急", "departments": [{"department": "350602-yj", "role": "assist"}]})
    c = Client()
    c.force_login(district.users["dept_cg"])
    html = c.get("/queue/?tab=called").content.decode()
    assert f"/e/{i}/" in html and "吹哨·主办" in html and "报到期限" in html
    c.force_login(district.users["dept_yj"])
    html = c.get("/queue/?tab=called").content.decode()
    assert f"/e/{i}/" in html and "吹哨·协办" in html
    # Once 报到 is done, the deadline is no longer shown.
    assert as_user("dept_yj").post(f"/events/{i}/check-in", {"note": "已到场"})[0] == 200
    html = c.get("/queue/?tab=called").content.decode()
    assert "吹哨·协办" in html and "报到期限" not in html
    # Counts per tab: the 吹哨 tab counts one, not the join's repeats.
    s, page = as_user("dept_yj").get("/events/queue", tab="called")
    assert page["count"] == 1


def test_department_not_called_sees_nothing(district, as_user):
    i = _whistled(district, as_user)
    c = Client()
    c.force_login(district.users["dept_yj"])
    html = c.get("/queue/?tab=handling").content.decode()
    assert f"/e/{i}/" not in html


def _tabs(html: str) -> dict[str, str]:
    import re
    return dict(re.findall(r'class="tab-([a-z]+)">[^<]*<span class="count">(\d+)</span>', html))


def test_a_called_department_s_calls_are_only_in_its_called_tab(district, as_user):
    """Issue 17 walk: a department called by 吹哨 landed on 待签收 (or 办理中) with a row it had no
    button for — 签收 and 办结 are the holder's; a call is answered by 报到 and notes."""
    i = _whistled(district, as_user)                           # handled by the grid, 主办 350602-cg
    c = Client()
    c.force_login(district.users["dept_cg"])
    landing = c.get("/queue/").content.decode()
    assert _tabs(landing) == {"sign": "0", "handling": "0", "yellow": "0", "red": "0", "called": "1"}
    assert 'href="?tab=called" aria-current="page"' in landing and f"/e/{i}/" in landing   # lands on its calls
    for tab in ("sign", "handling", "yellow", "red"):
        assert f"/e/{i}/" not in c.get(f"/queue/?tab={tab}").content.decode(), tab
        assert as_user("dept_cg").get("/events/queue", tab=tab)[1]["count"] == 0, tab
    assert [r["id"] for r in as_user("dept_cg").get("/events/queue", tab="called")[1]["items"]] == [i]
    # The holder's tabs are unchanged: the grid still signs nothing (it signed) and handles it.
    s, page = as_user("grid111").get("/events/queue", tab="handling")
    assert i in [r["id"] for r in page["items"]]
    assert as_user("grid111").get("/events/queue", tab="called")[1]["count"] == 0


def test_a_department_that_holds_an_event_signs_it_from_its_sign_tab(district, as_user):
    _, ev = as_user("resident1").post("/events", report_payload(district, 0))
    assert as_user("comm11").post(f"/events/{ev['id']}/accept", {})[0] == 200
    s, body = as_user("comm11").post(f"/events/{ev['id']}/dispatch", {"department": "350602-cg"})
    assert s == 200, body
    c = Client()
    c.force_login(district.users["dept_cg"])
    landing = c.get("/queue/").content.decode()
    assert _tabs(landing)["sign"] == "1" and _tabs(landing)["called"] == "0"
    assert 'href="?tab=sign" aria-current="page"' in landing and f"/e/{ev['id']}/" in landing
