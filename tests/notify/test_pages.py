"""The notification centre for every role: the bell's count in the header, the list, reading one
(htmx) and all, the settings page, the admins' dead-letter page, the API; in English too."""
import json
import re

from django.test import Client

from gongzhi.domain.notify import Topic
from gongzhi.notify.models import Delivery, Notification, Preference

from ..conftest import sh

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _note(user, n=1, topic=Topic.DISPATCH):
    for i in range(n):
        Notification.objects.create(user=user, topic=topic, kind="event", case_id=1, number=f"XC{i}",
                                    text=f"新派遣：XC{i}", link="/e/1/", source="t",
                                    source_id=Notification.objects.count() + 1, created_at=sh(2026, 11, 2, 8))


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_every_role_has_a_bell_and_a_centre(district):
    for username in ("resident1", "grid111", "comm11", "town1", "county", "dept_cg", "supervisor", "admin"):
        user = district.users[username]
        _note(user, 2)
        c = _client(user)
        page = c.get("/notifications/").content.decode()
        assert 'id="notify-bell"' in page and '<span class="count">2</span>' in page, username
        assert page.count('class="notif unread"') == 2


def test_read_one_by_htmx_then_all(district):
    user = district.users["grid111"]
    _note(user, 3)
    c = _client(user)
    first = Notification.objects.filter(user=user).first()
    r = c.post(f"/notifications/{first.pk}/read", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and 'class="notif"' in body and 'hx-swap-oob="true"' in body
    assert '<span class="count">2</span>' in body
    other = district.users["comm11"]
    _note(other)
    theirs = Notification.objects.filter(user=other).first()
    assert c.post(f"/notifications/{theirs.pk}/read").status_code == 404     # not one's own: 404
    assert c.get(f"/notifications/{theirs.pk}/open").status_code == 404
    r = c.get(f"/notifications/{Notification.objects.filter(user=user, read_at__isnull=True).first().pk}/open")
    assert r.status_code == 302 and r["Location"] == "/e/1/"
    assert c.post("/notifications/read-all").status_code == 302
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
    assert '<span class="count"></span>' in c.get("/notifications/bell").content.decode()


def test_settings_page(district):
    user = district.users["grid111"]
    c = _client(user)
    assert c.get("/notifications/settings").status_code == 200
    r = c.post("/notifications/settings", {"ch_dispatch": ["sms", "email"], "ch_overdue": [], "quiet_start": "21:30",
                                           "quiet_end": "06:45", "phone": "13912345678", "email": "g@example.cn"})
    assert r.status_code == 302
    p = Preference.objects.get(user=user)
    assert p.channels["dispatch"] == ["email", "sms"] and p.channels["overdue"] == []
    assert (p.quiet_start.hour, p.quiet_start.minute, p.quiet_end.hour) == (21, 30, 6)
    bad = c.post("/notifications/settings", {"phone": "12345", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert bad.status_code == 400 and "手机号应为 11 位数字" in bad.content.decode()


def test_dead_letter_page_is_admins_only(district):
    admin, comm = district.users["admin"], district.users["comm11"]
    _note(admin)
    n = Notification.objects.get(user=admin)
    d = Delivery.objects.create(key="k1", notification=n, channel="sms", topic="dispatch", address="13912345678",
                                number="XC0", subject="x", link="l", status="dead", attempts=6, last_error="HTTP 500",
                                next_at=sh(2026, 11, 2, 8), created_at=sh(2026, 11, 2, 8))
    assert _client(comm).get("/notifications/dead").status_code == 404
    c = _client(admin)
    page = c.get("/notifications/dead").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert c.post("/notifications/dead", {"ids": [str(d.pk)]}).status_code == 302
    d.refresh_from_db()
    assert d.status == "pending"


def test_api(district):
    user = district.users["resident1"]
    _note(user, 2, Topic.ANSWER)
    c = _client(user)
    body = json.loads(c.get("/api/notifications").content)
    assert body["total"] == 2 and body["unread"] == 2 and body["items"][0]["topic"] == "answer"
    nid = body["items"][0]["id"]
    assert json.loads(c.post(f"/api/notifications/{nid}/read").content)["read"] is True
    assert json.loads(c.get("/api/notifications/unread").content) == {"unread": 1}
    r = c.put("/api/notifications/preferences", json.dumps({"channels": {"answer": ["sms"]}, "phone": "13912345678"}),
              content_type="application/json")
    assert r.status_code == 200 and json.loads(r.content)["channels"]["answer"] == ["sms"]
    bad = c.put("/api/notifications/preferences", json.dumps({"channels": {"nope": ["sms"]}}),
                content_type="application/json")
    assert bad.status_code in (400, 422)
    assert c.get("/api/notifications/dead").status_code == 403
    assert Client().get("/api/notifications").status_code == 401


def test_english_pages_have_no_chinese_of_ours(district):
    user = district.users["admin"]
    c = _client(user)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in ("/notifications/", "/notifications/settings", "/notifications/dead"):
        html = c.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        main = html[html.index('<main id="main">'):]
        left = CJK.findall(re.sub(r"<[^>]+>", " ", main))
        assert left == [], (path, "".join(left)[:80])


def test_a_number_is_not_a_time_of_day():
    """The API fuzz: quiet_end 0 was read as 00:00 and saved (lax parsing); now a 422."""
    import pydantic
    import pytest

    from gongzhi.notify.services import PreferenceIn
    with pytest.raises(pydantic.ValidationError, match="HH:MM"):
        PreferenceIn(quiet_start="22:00", quiet_end=0)
    assert PreferenceIn(quiet_start="22:00", quiet_end="07:00").quiet_end.hour == 7
    # The fuzz again: "00:00:00Z" is another zone's midnight, and SQLite cannot store it (a 500).
    for zoned in ("00:00:00Z", "22:00+08:00"):
        with pytest.raises(pydantic.ValidationError, match="HH:MM"):
            PreferenceIn(quiet_start=zoned, quiet_end="07:00")


def test_a_zoned_quiet_time_is_a_422_with_its_message(district):
    c = Client()
    c.force_login(district.users["grid111"])
    r = c.put("/api/notifications/preferences", json.dumps({"quiet_start": "00:00:00Z", "quiet_end": "07:00"}),
              content_type="application/json")
    assert r.status_code == 422 and "HH:MM" in r.content.decode()
