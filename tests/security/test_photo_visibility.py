"""Photos carry a visibility like timeline rows (ADR 0012): the reporter reads their own photos and
the 办结 "after" photo, never a handler's note photo — not in the detail, not by its URL."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.events import services
from gongzhi.events.models import Attachment
from tests.conftest import Api, report_payload


def png(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (12, 12), colour).save(buf, "PNG")
    return buf.getvalue()


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_reporter_never_reads_a_note_photo_and_the_handler_does(district):
    u = district.users
    resident, grid = Api(u["resident1"]), Api(u["grid111"])
    st, ev = resident.post("/events", report_payload(district))
    assert st == 201, ev
    eid = ev["id"]
    st, mine = resident.upload(f"/events/{eid}/attachments", "现场.png", png((200, 30, 30)))
    assert st == 201 and mine["visibility"] == "public", mine
    services.event_accept(actor=u["comm11"], event_id=eid)
    services.event_dispatch(actor=u["comm11"], event_id=eid, area_code=district.grids[0].code)
    services.event_sign(actor=u["grid111"], event_id=eid)
    page = login(u["grid111"])
    r = page.post(f"/e/{eid}/do/notes", {"note": "现场核实，门口堆放杂物",
                                         "photos": SimpleUploadedFile("内部.png", png((30, 200, 30)))})
    assert r.status_code == 302, r.content.decode()[:800]
    st, staff_file = grid.upload(f"/events/{eid}/attachments", "台账.png", png((30, 30, 200)))
    assert st == 201 and staff_file["visibility"] == "internal", staff_file
    r = page.post(f"/e/{eid}/do/resolve", {"result": "已清运",
                                           "photos": SimpleUploadedFile("after.png", png((250, 250, 250)))})
    assert r.status_code == 302, r.content.decode()[:800]

    rows = {a.id: (a.visibility, a.action.action if a.action_id else None) for a in Attachment.objects.all()}
    note_id = Attachment.objects.get(action__action="note").id
    after_id = Attachment.objects.get(action__action="resolve").id
    assert rows == {mine["id"]: ("public", None), note_id: ("internal", "note"),
                    staff_file["id"]: ("internal", None), after_id: ("public", "resolve")}

    # the reporter: their own photo and the 办结 photo, listed and served; the others 404 by URL
    st, seen = resident.get(f"/events/{eid}")
    assert st == 200 and [a["id"] for a in seen["attachments"]] == [mine["id"], after_id]
    reporter_page = resident.client.get(f"/e/{eid}/").content.decode()
    assert f"/files/{after_id}" in reporter_page and f"/files/{note_id}" not in reporter_page
    for att_id, status in ((mine["id"], 200), (after_id, 200), (note_id, 404), (staff_file["id"], 404)):
        assert resident.client.get(f"/api/events/{eid}/attachments/{att_id}").status_code == status, att_id
        assert resident.client.get(f"/e/{eid}/files/{att_id}").status_code == status, att_id

    # staff who work or read the case: every file
    st, worked = grid.get(f"/events/{eid}")
    assert sorted(a["id"] for a in worked["attachments"]) == sorted(rows)
    for username in ("grid111", "comm11"):
        c = login(u[username])
        assert c.get(f"/api/events/{eid}/attachments/{note_id}").status_code == 200, username
        r = c.get(f"/e/{eid}/files/{note_id}")
        assert b"".join(r.streaming_content) == png((30, 200, 30)), username


def test_files_stored_before_visibility_existed_are_public_only_when_they_came_with_the_report(district):
    import importlib
    from datetime import timedelta

    from django.apps import apps

    from gongzhi.events import intake
    from tests.conftest import point_in
    step = importlib.import_module("gongzhi.events.migrations.0014_attachment_visibility").with_the_report_public
    u = district.users
    lon, lat = point_in(district, 0)

    def report(username, **over):
        return intake.event_report(actor=u[username], data=intake.ReportInput(
            kind="complaint", category="urban-appearance", description="路灯不亮已经一周了", lon=lon, lat=lat,
            **over))[0]

    def add(username, ev, minutes):
        return intake.attachment_add(actor=u[username], event=ev, content=png((minutes % 250, 9, 9)),
                                     filename="a.png", at=ev.reported_at + timedelta(minutes=minutes)).id

    own = report("resident1")
    desk = report("comm11", channel="walk_in", reporter_name="窗口来访群众", reporter_phone="13900000001")
    assert desk.reporter_id is None and desk.created_by_id == u["comm11"].id
    ids = {"reporter's, later": add("resident1", own, 120), "a handler's": add("comm11", own, 5),
           "clerk's, with the report": add("comm11", desk, 1), "clerk's, an hour on": add("comm11", desk, 60)}
    Attachment.objects.update(visibility="internal", action=None)     # as the rows were before
    step(apps, None)
    got = {k: Attachment.objects.get(pk=v).visibility for k, v in ids.items()}
    assert got == {"reporter's, later": "public", "a handler's": "internal",
                   "clerk's, with the report": "public", "clerk's, an hour on": "internal"}
