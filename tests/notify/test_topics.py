"""Each user's notification settings list only the topics they can be told of (issue 17 walk: a
resident's page offered 督办, 吹哨 and 新派遣), on the page and in the API alike; the API refuses a
channel for a topic that is not theirs."""
import json
import re

from django.test import Client

from gongzhi.domain.notify import TOPIC_ROLES, Topic, topics_for

RESIDENT = ["answer", "revisit", "session", "legal_aid", "case_notice", "vote", "points", "credit"]
GRID = ["dispatch", "extension", "returned", "overdue", "supervise", "answer", "revisit", "vote", "duty_task"]
DEPARTMENT = ["dispatch", "whistle", "extension", "returned", "overdue", "supervise"]


def test_every_topic_names_the_roles_it_reaches():
    assert set(TOPIC_ROLES) == set(Topic)
    assert [t.value for t in topics_for(["resident"])] == RESIDENT
    assert [t.value for t in topics_for(["grid_worker"])] == GRID
    assert [t.value for t in topics_for(["department_staff"])] == DEPARTMENT
    assert [t.value for t in topics_for(["community_staff"])] == ["dispatch", "extension", "returned", "overdue",
                                                                  "supervise", "vote"]
    assert [t.value for t in topics_for(["supervisor"])] == ["supervise"]
    assert [t.value for t in topics_for(["prosecutor"])] == ["case_notice"]
    assert [t.value for t in topics_for(["admin"])] == ["other"]
    assert [t.value for t in topics_for(["supervisor"], also=[Topic.SESSION])] == ["supervise", "session"]


def _page_topics(user) -> list[str]:
    c = Client()
    c.force_login(user)
    html = c.get("/notifications/settings").content.decode()
    return sorted(set(re.findall(r'name="ch_([a-z_]+)"', html)))


def _api(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_page_and_the_api_list_the_same_topics_per_role(world):
    u = world.users
    cases = {"resident1": RESIDENT, "grid111": GRID, "dept_cg": DEPARTMENT, "supervisor": ["supervise"],
             # a mediator holds no role: the topics of the mediation rules (notify.registry ``staff``)
             "tmed1": ["dispatch", "overdue", "supervise", "session", "case_notice"]}
    for username, expected in cases.items():
        assert _page_topics(u[username]) == sorted(expected), username
        body = json.loads(_api(u[username]).get("/api/notifications/preferences").content)
        assert list(body["channels"]) == expected, username


def test_a_resident_s_page_offers_no_staff_topic(district):
    c = Client()
    c.force_login(district.users["resident1"])
    html = c.get("/notifications/settings").content.decode()
    for staff_only in ("督办", "吹哨报到", "新派遣", "超期预警", "清单任务"):
        assert f">{staff_only}<" not in html, staff_only
    assert ">我的反映有答复<" in html and ">议事表决<" in html and ">积分<" in html


def test_the_api_refuses_a_topic_that_is_not_one_s_own(district):
    c = _api(district.users["resident1"])
    r = c.put("/api/notifications/preferences", json.dumps({"channels": {"supervise": ["sms"], "answer": ["sms"]}}),
              content_type="application/json")
    assert r.status_code == 422
    assert json.loads(r.content)["message"] == "您不会收到以下类别的消息：督办"
    ok = c.put("/api/notifications/preferences", json.dumps({"channels": {"answer": ["sms"]}}),
               content_type="application/json")
    assert ok.status_code == 200 and json.loads(ok.content)["channels"]["answer"] == ["sms"]
    # A posted form field for a topic not on the page is not read (nothing stored for 督办).
    page = Client()
    page.force_login(district.users["resident1"])
    page.post("/notifications/settings", {"ch_supervise": ["sms"], "ch_vote": ["email"], "quiet_start": "22:00",
                                          "quiet_end": "07:00"})
    from gongzhi.notify.models import Preference
    assert Preference.objects.get(user=district.users["resident1"]).channels == {
        "answer": [], "revisit": [], "session": [], "legal_aid": [], "case_notice": [], "vote": ["email"],
        "points": [], "credit": []}


def test_a_counter_clerk_sees_the_points_topic(district):
    from gongzhi.demo.points import build_points
    build_points(district)
    assert _page_topics(district.users["dhd1"]) == ["points"]
    # A manager is told nothing by the points rules (an hours claim filed writes no posting): their
    # account, with no role, is a person's.
    assert _page_topics(district.users["jfgl1"]) == sorted(RESIDENT)
