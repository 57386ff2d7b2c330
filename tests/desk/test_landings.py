"""``/`` sends every role to its work (issue 17), from a table written out here; the landing
pages carry counts per tab, and the supervisor's board lists overdue events and 督办 with its level."""
import re

import pytest
from django.db.models import F
from django.test import Client

from gongzhi.domain.enums import SlaFlag, Status, SupervisionLevel
from gongzhi.events.models import Event
from tests.api.test_loop import _walk_to
from tests.conftest import report_payload

LANDING = {
    "admin": "/desk/",
    "county": "/desk/",
    "town1": "/desk/",
    "comm11": "/desk/",
    "supervisor": "/supervise/",
    "grid111": "/grid/",
    "police11": "/grid/",
    "nteam": "/queue/",
    "dept_cg": "/queue/",
    "dept_yj": "/queue/",
    "med11": "/queue/",           # a community 调委会 is a routing department too: its queue first (demo smoke)
    "tmed1": "/mediation/",
    "aid": "/legalaid/",
    "aid2": "/legalaid/",
    "lawyer1": "/legalaid/",
    "sqjz": "/corrections/",
    "sfs1": "/corrections/",
    "jcg1": "/corrections/",
    "judge1": "/court/",
    "clerk1": "/court/",
    "resident1": "/mine/",
}


@pytest.fixture
def everyone(district):
    from gongzhi.demo.casework import build_casework
    from gongzhi.demo.corrections import build_corrections
    from gongzhi.demo.court import build_court_staff
    build_casework(district)
    build_corrections(district, subjects=2)
    build_court_staff(district)
    return district


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_every_role_lands_on_its_work(everyone):
    got = {}
    for username in LANDING:
        r = _client(everyone.users[username]).get("/")
        got[username] = r.status_code, r.headers.get("Location")
    assert got == {u: (302, url) for u, url in LANDING.items()}
    # and each landing opens for its user
    for username, url in LANDING.items():
        assert _client(everyone.users[username]).get(url).status_code == 200, username


def test_anonymous_gets_the_front_page(district):
    assert Client().get("/").status_code == 200


def _tab_counts(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'href="\?tab=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', html)}


def test_case_lists_count_per_tab(everyone):
    c = _client(everyone.users["med11"])
    counts = _tab_counts(c.get("/mediation/").content.decode())
    assert set(counts) == {"applied", "working", "agreement", "performing", "done"}
    assert all(n == 0 for n in counts.values())
    # An online application in med11's community shows as one 待受理 there.
    r = _client(everyone.users["resident1"]).post("/mediation/apply/", {
        "dispute_type": "neighbour", "area": everyone.grids[0].code, "facts": "邻居装修噪音持续一个月，协商无果",
        "applicant_name": "王五", "respondent_name": "赵六", "client_key": "land1"})
    assert r.status_code == 302
    counts = _tab_counts(c.get("/mediation/").content.decode())
    assert counts["applied"] == 1 and counts["working"] == 0
    assert set(_tab_counts(_client(everyone.users["aid"]).get("/legalaid/").content.decode())) == {
        "submitted", "approved", "handling", "review", "done"}


def test_supervisor_board_lists_overdue_and_supervised_with_level(district, as_user):
    ids = [as_user("resident1").post("/events", report_payload(district, 0))[1]["id"] for _ in range(3)]
    for i in ids:
        _walk_to("handling", i, as_user)
    late, green, closed = ids
    # red as the sweep writes it: the handling clock's deadline (and so its warning) has passed
    Event.objects.filter(pk=late).update(sla_flag=SlaFlag.RED, warn_at=F("reported_at"), due_at=F("reported_at"))
    assert as_user("supervisor").post(f"/events/{green}/supervise", {"level": "yellow", "note": "请限期办结"})[0] == 200
    html = _client(district.users["supervisor"]).get("/supervise/").content.decode()
    numbers = dict(Event.objects.filter(pk__in=ids).values_list("pk", "number"))
    assert numbers[late] in html and "已超期" in html
    # A green event under 督办 is on the board with its level, not called 即将超期.
    assert numbers[green] in html and SupervisionLevel.YELLOW.label in html
    row = html[html.index(numbers[green]):].split("</tr>")[0]
    assert "即将超期" not in row and "已超期" not in row and "黄牌督办" in row
    # A closed one is not.
    Event.objects.filter(pk=closed).update(status=Status.CLOSED, supervision=SupervisionLevel.RED)
    html = _client(district.users["supervisor"]).get("/supervise/").content.decode()
    assert numbers[closed] not in html
