"""Files only through checked views (issue 13, class 2, and the upload limits).

Every file URL the API and the pages hand out is collected — not listed by hand — and tried as
the person it was handed to, as an anonymous client and as outsiders; nothing is served under
/media/ with DEBUG on or off; stored names are random; nginx / Apache hand-offs carry no body;
pixel bombs and upload floods are refused with a clear answer."""
import importlib
import io
import json
import os
import re
import struct
import threading
import zlib
from datetime import timedelta
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import clear_url_caches
from PIL import Image

from gongzhi.accounts.models import ApiToken
from gongzhi.casework.models import Document
from gongzhi.core.models import AccessLog
from gongzhi.domain.uploads import quota_wait, too_many_pixels
from gongzhi.events.models import Attachment, Event, UploadAttempt
from tests.conftest import report_payload, sh

# What a stored name must look like (written out here, not imported from the code under test).
RANDOM_NAME = re.compile(r"^(a|d)/20\d\d/(0[1-9]|1[0-2])/[0-9a-f]{32}\.[a-z0-9]{1,8}$")
LINK = re.compile(r'(?:href|src)="([^"]+)"')


# ---- helpers -----------------------------------------------------------------------------------

def png(size=(8, 8), noise=False) -> bytes:
    buf = io.BytesIO()
    if noise:        # incompressible: a file that really is as large as its pixels
        Image.frombytes("RGB", size, bytes(((i * 7919) ^ (i >> 3)) & 0xFF for i in range(size[0] * size[1] * 3))
                        ).save(buf, "PNG", compress_level=0)
    else:
        Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header that claims width×height, with a few bytes of data: what a pixel bomb
    looks like to a server that only reads headers (nothing of width×height is ever allocated)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def heic_claiming(width: int, height: int) -> bytes:
    """An HEIF file (ftyp heic) whose image property box ``ispe`` states width×height."""
    ftyp = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    ispe = struct.pack(">I", 20) + b"ispe" + b"\x00\x00\x00\x00" + struct.pack(">II", width, height)
    iprp = struct.pack(">I", 8 + len(ispe)) + b"ipco" + ispe
    meta = struct.pack(">I", 12 + len(iprp)) + b"meta" + b"\x00\x00\x00\x00" + iprp
    return ftyp + meta + b"\x00" * 32


def webp_claiming(width: int, height: int) -> bytes:
    """A WebP whose VP8X chunk states a width×height canvas."""
    vp8x = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    payload = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def login(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def body(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


def upload(client, event_id, name, content):
    return client.post(f"/api/events/{event_id}/attachments", {"file": SimpleUploadedFile(name, content)})


def api_urls(data) -> set[str]:
    """Every URL-looking string anywhere in an API answer."""
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "url" and isinstance(value, str):
                found.add(value)
            found |= api_urls(value)
    elif isinstance(data, list):
        for value in data:
            found |= api_urls(value)
    elif isinstance(data, str) and (data.startswith("/api/") or data.startswith("/media/")):
        found.add(data)
    return found


def page_file_urls(client, path, probed: dict) -> set[str]:
    """The links and sources of a page that answer with a file (Content-Disposition) for the
    person looking at it: every file the page hands out, whatever its URL looks like.
    ``probed`` remembers what this client's links answered (the menu repeats on every page)."""
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    html = r.content.decode()
    assert "/media/" not in html
    for url in {unescape(u) for u in LINK.findall(html)}:
        if url.startswith("/") and not url.startswith("//") and not url.startswith("/static/") and url not in probed:
            answer = client.get(url)
            probed[url] = answer.status_code == 200 and "Content-Disposition" in answer
    return {url for url in LINK.findall(html) if probed.get(unescape(url))}


# ---- the scene: two events with photos, a mediation case and a legal-aid case with documents ---

@pytest.fixture
def scene(district):
    from gongzhi.demo.casework import build_casework
    build_casework(district)
    u = district.users
    resident = login(u["resident1"])
    photos, handed = {}, {}                       # url → bytes; who was handed which url

    def report(**over):
        r = resident.post("/api/events", report_payload(district, 0, **over), content_type="application/json")
        assert r.status_code == 201, r.content
        return r.json()["id"]

    normal = report()
    tip_off = report(kind="tip_off", category="urban-build", description="隔壁楼顶违章加盖彩钢房，多次举报")
    for event_id, content in ((normal, png((8, 8))), (tip_off, png((9, 7)))):
        r = upload(resident, event_id, "现场.png", content)
        assert r.status_code == 201, r.content
        photos[r.json()["url"]] = content
        handed.setdefault("resident1", set()).add(r.json()["url"])

    dispute = report(kind="dispute", category="dispute-neighbour", description="楼上住户长期深夜噪音扰民，多次协商无果",
                     reporter_name="张三", reporter_phone="13812345678")
    med = login(u["med11"])
    r = med.post(f"/api/mediation/from-event/{dispute}", {"dispute_type": "neighbour", "parties": [
        {"role": "respondent", "name": "李四", "phone": "13900001111"}]}, content_type="application/json")
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert med.post(f"/api/mediation/{case_id}/accept", {}, content_type="application/json").status_code == 200

    r = resident.post("/api/legalaid", {
        "applicant_name": "刘春花", "id_number": "350602199001011234", "phone": "13511112222",
        "address": "东铺头街道瑞京社区", "area": district.grids[0].code, "household_size": 3,
        "monthly_income": "1500", "pledge": True, "matter": "civil", "specialty": "labour",
        "summary": "在某建筑工地务工八个月，被拖欠工资三万二千元，多次讨要未果", "opposing_party": "某建筑公司",
        "claim_amount": "32000"}, content_type="application/json")
    assert r.status_code == 201, r.content
    aid_id = r.json()["id"]
    assert login(u["aid2"]).post(f"/api/legalaid/{aid_id}/approve", {},
                                 content_type="application/json").status_code == 200
    return {"district": district, "normal": normal, "tip_off": tip_off, "case": case_id, "aid": aid_id,
            "photos": photos, "handed": handed}


def _expected_bytes(scene, url) -> bytes:
    """The bytes behind a file URL: what was uploaded, or the document as stored."""
    if url in scene["photos"]:
        return scene["photos"][url]
    m = re.search(r"/(e|events)/(\d+)/(files|attachments)/(\d+)$", url)
    if m:
        return Attachment.objects.get(pk=m.group(4)).file.read()
    doc = Document.objects.get(pk=re.search(r"/documents/(\d+)$", url).group(1))
    with doc.file.open("rb") as f:
        return f.read()


def _collect(scene) -> dict[str, set[str]]:
    """username → every file URL the API and the pages gave that user."""
    s, u = scene, scene["district"].users
    handed = {k: set(v) for k, v in s["handed"].items()}
    clients, probed = {}, {}
    surfaces = [(name, f"/events/{e}", f"/e/{e}/") for name in ("resident1", "grid111", "town1")
                for e in (s["normal"], s["tip_off"])]
    surfaces += [("med11", f"/mediation/{s['case']}", f"/mediation/{s['case']}/"),
                 ("aid2", f"/legalaid/{s['aid']}", f"/legalaid/{s['aid']}/"),
                 ("resident1", f"/legalaid/{s['aid']}", f"/legalaid/{s['aid']}/")]
    for username, api_path, page in surfaces:
        c = clients.setdefault(username, login(u[username]))
        r = c.get(f"/api{api_path}")
        assert r.status_code == 200 and "/media/" not in r.content.decode()
        handed.setdefault(username, set()).update(api_urls(r.json()))
        handed[username] |= page_file_urls(c, page, probed.setdefault(username, {}))
    return handed


# ---- (c) every file URL handed out refuses those it was not meant for -------------------------

def test_every_file_url_handed_out_is_checked(scene):
    handed = _collect(scene)
    u = scene["district"].users
    s = scene
    # What was handed out, counted: each of the two photos through the API (upload answer and
    # event detail) and the page; the acceptance notice and the aid decision through both.
    ev_n, ev_t = s["normal"], s["tip_off"]
    att_n, att_t = (Attachment.objects.get(event_id=e).id for e in (ev_n, ev_t))
    photo_urls = {f"/api/events/{ev_n}/attachments/{att_n}", f"/api/events/{ev_t}/attachments/{att_t}",
                  f"/e/{ev_n}/files/{att_n}", f"/e/{ev_t}/files/{att_t}"}
    assert photo_urls <= handed["resident1"] and photo_urls <= handed["grid111"] and photo_urls <= handed["town1"]
    med_doc = Document.objects.get(kind="mediation", case_id=s["case"]).id
    aid_doc = Document.objects.get(kind="legalaid", case_id=s["aid"]).id
    assert handed["med11"] == {f"/api/mediation/{s['case']}/documents/{med_doc}",
                               f"/mediation/{s['case']}/documents/{med_doc}"}
    assert {f"/api/legalaid/{s['aid']}/documents/{aid_doc}", f"/legalaid/{s['aid']}/documents/{aid_doc}"} <= \
        handed["aid2"]
    everything = set().union(*handed.values())
    assert all("/media/" not in url for url in everything)

    outsiders = {"resident2": login(u["resident2"]), "town2": login(u["town2"]), "grid211": login(u["grid211"]),
                 "med12": login(u["med12"]), "aid": login(u["aid"])}
    tokens = {name: ApiToken.issue(u[name]) for name in ("grid111", "resident2")}
    checked = 0
    for username, urls in handed.items():
        own = login(u[username])
        for url in urls:
            expected = _expected_bytes(scene, url)
            r = own.get(url)
            assert r.status_code == 200 and body(r) == expected, (username, url)
            assert r["X-Content-Type-Options"] == "nosniff" and r["Cache-Control"] == "private, no-store"
            anonymous = Client().get(url)
            assert anonymous.status_code in (302, 401, 404), url
            if anonymous.status_code == 302:
                assert anonymous["Location"].startswith("/login/")
            assert expected not in body(anonymous) and "Content-Disposition" not in anonymous
            for name, other in outsiders.items():
                r = other.get(url)
                assert r.status_code == 404 and expected not in body(r), (name, url)
            checked += 1
    # A token client (an app) reads the API URL it was given; another resident's token does not.
    api_photo = f"/api/events/{ev_n}/attachments/{att_n}"
    r = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['grid111']}").get(api_photo)
    assert r.status_code == 200 and body(r) == s["photos"][api_photo]
    r = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['resident2']}").get(api_photo)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert checked >= 16


def test_reads_are_logged(scene):
    """Documents and the photos of a 举报 into the one access log (core.models.AccessLog)
    log — not when its own reporter looks at them, and not for an ordinary event."""
    u, s = scene["district"].users, scene
    tip_att = Attachment.objects.get(event_id=s["tip_off"])
    normal_att = Attachment.objects.get(event_id=s["normal"])
    assert login(u["resident1"]).get(f"/e/{s['tip_off']}/files/{tip_att.id}").status_code == 200
    assert not AccessLog.objects.filter(kind="event", case_id=s["tip_off"]).exists()
    assert login(u["grid111"]).get(f"/api/events/{s['tip_off']}/attachments/{tip_att.id}").status_code == 200
    assert login(u["town1"]).get(f"/e/{s['tip_off']}/files/{tip_att.id}").status_code == 200
    rows = list(AccessLog.objects.filter(kind="event", case_id=s["tip_off"]).order_by("id"))
    assert [(r.user.username, r.what, r.reason) for r in rows] == [
        ("grid111", "attachment", f"查看附件 #{tip_att.id}"), ("town1", "attachment", f"查看附件 #{tip_att.id}")]
    assert login(u["town1"]).get(f"/e/{s['normal']}/files/{normal_att.id}").status_code == 200
    assert not AccessLog.objects.filter(kind="event", case_id=s["normal"]).exists()
    doc = Document.objects.get(kind="mediation", case_id=s["case"])
    before = AccessLog.objects.filter(user=u["med11"], what__startswith="下载").count()
    assert login(u["med11"]).get(f"/api/mediation/{s['case']}/documents/{doc.id}").status_code == 200
    assert AccessLog.objects.filter(user=u["med11"], what=f"下载{doc.title}").count() == before + 1


# ---- no public media URL -----------------------------------------------------------------------

@pytest.mark.parametrize("debug", [True, False])
def test_nothing_is_served_under_media(scene, settings, debug):
    att = Attachment.objects.get(event_id=scene["normal"])
    doc = Document.objects.get(kind="mediation", case_id=scene["case"])
    owner = login(scene["district"].users["resident1"])
    import config.urls
    settings.DEBUG = debug
    try:
        importlib.reload(config.urls)              # the URL table as it is built under this DEBUG
        clear_url_caches()
        for name in (att.file.name, doc.file.name, "a/", "x.png", "../db.sqlite3"):
            for client in (Client(), owner):
                r = client.get(f"/media/{name}")
                assert r.status_code == 404, (debug, name)
                assert att.file.open("rb").read() not in body(r)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


# ---- random names ------------------------------------------------------------------------------

def test_stored_names_are_random(scene):
    atts = list(Attachment.objects.all())
    docs = list(Document.objects.all())
    assert len(atts) == 2 and len(docs) == 2
    for row in atts + docs:
        assert RANDOM_NAME.match(row.file.name), row.file.name
    ev = Event.objects.get(pk=scene["normal"])
    att = Attachment.objects.get(event=ev)
    assert att.file.name.startswith("a/2026/11/") and att.file.name.endswith(".png")
    assert ev.number not in att.file.name and att.sha256[:16] not in att.file.name
    for doc in docs:
        assert doc.file.name.startswith("d/2026/11/") and doc.file.name.endswith(".docx")
        assert doc.doc not in doc.file.name and f"-{doc.case_id}-" not in doc.file.name
    # The same bytes twice: two different names.
    c = login(scene["district"].users["resident1"])
    again = [upload(c, scene["normal"], "同一张.png", png((4, 4))).json()["id"] for _ in range(2)]
    a, b = (Attachment.objects.get(pk=i).file.name for i in again)
    assert a != b and RANDOM_NAME.match(a) and RANDOM_NAME.match(b)


def _migration(name: str):
    return importlib.import_module(name)


ATTACHMENTS_0011 = "gongzhi.events.migrations.0011_random_attachment_names"
DOCUMENTS_0003 = "gongzhi.casework.migrations.0003_random_document_names"


def _old_named_files(district, n: int):
    """``n`` attachments stored under the old guessable names (events/<month>/<number>/<hash>.png),
    each with its own bytes; and one row whose file is gone."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from gongzhi.events import intake
    user = district.users["resident1"]
    ev = intake.event_report(actor=user, data=intake.ReportInput(
        kind="complaint", category="urban-appearance", description="路灯不亮已经一周了",
        lon=report_payload(district)["lon"], lat=report_payload(district)["lat"]))[0]
    rows = {}
    for i in range(n):
        att = intake.attachment_add(actor=user, event=ev, content=png((3 + i, 3)), filename=f"{i}.png")
        old = f"events/2026/11/{ev.number}/{att.sha256[:16]}.png"
        default_storage.save(old, ContentFile(png((3 + i, 3))))
        default_storage.delete(att.file.name)
        Attachment.objects.filter(pk=att.pk).update(file=old)
        rows[att.pk] = (old, png((3 + i, 3)))
    lost = intake.attachment_add(actor=user, event=ev, content=png((2, 2)), filename="lost.png")
    default_storage.delete(lost.file.name)
    Attachment.objects.filter(pk=lost.pk).update(file="events/2026/11/gone.png")
    return rows, lost.pk


def _every_row_names_a_file():
    from django.core.files.storage import default_storage
    return {row.pk: default_storage.exists(row.file.name) for row in Attachment.objects.all()}


def test_the_migrations_rename_files_in_committed_batches(district, monkeypatch):
    """The data migrations' own function: each file gets a random name on the same volume (the
    same inode: no copy), its row follows, the old name is gone once the batch commits; a row
    whose file is missing keeps its name; a name already random is left alone; neither migration
    runs as one transaction."""
    from django.apps import apps
    from django.core.files.storage import default_storage
    from django.test import TestCase

    from gongzhi.core import files
    assert _migration(ATTACHMENTS_0011).Migration.atomic is False
    assert _migration(DOCUMENTS_0003).Migration.atomic is False
    monkeypatch.setattr(files, "MOVE_BATCH", 2)
    rows, lost = _old_named_files(district, 3)
    inodes = {pk: os.stat(default_storage.path(old)).st_ino for pk, (old, _) in rows.items()}
    with TestCase.captureOnCommitCallbacks(execute=True):
        _migration(ATTACHMENTS_0011).forwards(apps, None)
    for pk, (old, content) in rows.items():
        att = Attachment.objects.get(pk=pk)
        assert RANDOM_NAME.match(att.file.name) and att.file.name.startswith("a/2026/11/"), att.file.name
        assert att.file.read() == content
        assert os.stat(att.file.path).st_ino == inodes[pk]      # renamed, not copied
        assert not default_storage.exists(old)
    assert Attachment.objects.get(pk=lost).file.name == "events/2026/11/gone.png"
    # Run again: nothing left to move, nothing changes.
    names = dict(Attachment.objects.values_list("pk", "file"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert files.move_to_random_names(Attachment, "a", "uploaded_at", lambda row: row.ext) == 0
    assert dict(Attachment.objects.values_list("pk", "file")) == names


def test_a_failure_part_way_leaves_every_row_naming_a_file_that_exists(district, monkeypatch):
    """Batches of 2; the database fails while the second batch updates its rows (after its new
    names were made): the first batch stays moved, the second is put back, no row names a missing
    file and no stray new name is left; running again finishes the job."""
    from django.apps import apps
    from django.core.files.storage import default_storage
    from django.db.models.query import QuerySet
    from django.test import TestCase

    from gongzhi.core import files
    monkeypatch.setattr(files, "MOVE_BATCH", 2)
    rows, lost = _old_named_files(district, 5)
    real_update, calls = QuerySet.update, []

    def failing_update(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("数据库连接中断")
        return real_update(self, **kwargs)
    monkeypatch.setattr(QuerySet, "update", failing_update)
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(RuntimeError, match="数据库连接中断"):
        _migration(ATTACHMENTS_0011).forwards(apps, None)
    monkeypatch.setattr(QuerySet, "update", real_update)
    assert _every_row_names_a_file() == {**{pk: True for pk in rows}, lost: False}
    moved = [pk for pk in sorted(rows) if RANDOM_NAME.match(Attachment.objects.get(pk=pk).file.name)]
    assert moved == sorted(rows)[:2]                      # the first batch, committed
    # The rows' first (random) files were deleted when they were given old names: what is under
    # a/ now is the first batch's two files, and no new name the failed batch made.
    assert len(list(Path(default_storage.path("a")).rglob("*.png"))) == 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        _migration(ATTACHMENTS_0011).forwards(apps, None)
    for pk, (old, content) in rows.items():
        att = Attachment.objects.get(pk=pk)
        assert RANDOM_NAME.match(att.file.name) and att.file.read() == content and not default_storage.exists(old)


def test_without_hard_links_a_rename_inside_a_transaction_is_refused(district, monkeypatch):
    """Where the volume has no hard links the file is renamed; inside an enclosing transaction
    that could still roll its row back, that is refused before anything moves."""
    from gongzhi.core import files

    def no_links(src, dst):
        raise PermissionError("hard links not supported")
    rows, lost = _old_named_files(district, 2)
    monkeypatch.setattr(files.os, "link", no_links)
    with pytest.raises(RuntimeError, match="Migration.atomic = False"):
        files.move_to_random_names(Attachment, "a", "uploaded_at", lambda row: row.ext)
    assert _every_row_names_a_file() == {**{pk: True for pk in rows}, lost: False}
    assert {pk: Attachment.objects.get(pk=pk).file.name for pk in rows} == {pk: old for pk, (old, _) in rows.items()}


# ---- nginx and Apache hand-offs -----------------------------------------------------------------

@pytest.mark.parametrize("sender", ["nginx", "sendfile"])
def test_the_proxy_sends_the_bytes_when_configured(scene, settings, sender):
    settings.GONGZHI_FILE_SENDER = sender
    settings.GONGZHI_FILE_ACCEL_PREFIX = "/protected/"
    u, s = scene["district"].users, scene
    att = Attachment.objects.get(event_id=s["normal"])
    doc = Document.objects.get(kind="mediation", case_id=s["case"])
    cases = [(login(u["resident1"]), f"/e/{s['normal']}/files/{att.id}", att.file.name, "image/png"),
             (login(u["grid111"]), f"/api/events/{s['normal']}/attachments/{att.id}", att.file.name, "image/png"),
             (login(u["med11"]), f"/mediation/{s['case']}/documents/{doc.id}", doc.file.name,
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             (login(u["med11"]), f"/api/mediation/{s['case']}/documents/{doc.id}", doc.file.name,
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    for client, url, name, mime in cases:
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == mime, url
        assert not r.streaming and r.content == b""
        if sender == "nginx":
            assert r["X-Accel-Redirect"] == "/protected/" + name and "X-Sendfile" not in r
        else:
            assert r["X-Sendfile"] == str(settings.MEDIA_ROOT / name) and "X-Accel-Redirect" not in r
        assert r["X-Content-Type-Options"] == "nosniff" and r["Cache-Control"] == "private, no-store"
    # Outsiders get no hand-off header at all.
    r = login(u["resident2"]).get(f"/e/{s['normal']}/files/{att.id}")
    assert r.status_code == 404 and "X-Accel-Redirect" not in r and "X-Sendfile" not in r


def test_document_downloads_carry_a_utf8_name(scene):
    doc = Document.objects.get(kind="mediation", case_id=scene["case"])
    r = login(scene["district"].users["med11"]).get(f"/mediation/{scene['case']}/documents/{doc.id}")
    disposition = r["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == f"{doc.title}.docx" and "通知书" in doc.title
    att = Attachment.objects.get(event_id=scene["normal"])
    r = login(scene["district"].users["resident1"]).get(f"/e/{scene['normal']}/files/{att.id}")
    assert r["Content-Disposition"].startswith("inline; ") and r["Content-Type"] == "image/png"


# ---- pixel bombs --------------------------------------------------------------------------------

def test_pixel_counts_at_the_edge():
    assert not too_many_pixels(8, 8, 64) and too_many_pixels(8, 9, 64) and too_many_pixels(0, 5, 64)
    assert not too_many_pixels(8000, 5000, 40_000_000) and too_many_pixels(8000, 5001, 40_000_000)
    # An animation's frames count together: 10 frames of 8×8 fit in 640, 11 do not.
    assert not too_many_pixels(8, 8, 640, frames=10) and too_many_pixels(8, 8, 640, frames=11)
    assert too_many_pixels(8, 8, 640, frames=0)


def test_pixel_bombs_are_refused_from_the_header(district, as_user, settings):
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    bomb = png_claiming(30000, 30000)
    assert len(bomb) < 200
    status, err = api.upload(f"/events/{ev['id']}/attachments", "bomb.png", bomb)
    assert status == 422 and err["code"] == "too_many_pixels" and err["fields"] == {"file": "图片像素过多"}
    assert "像素过多" in err["message"] and "4000 万像素" in err["message"]
    # Past our limit but under Pillow's own: refused by ours, with the size it claimed.
    status, err = api.upload(f"/events/{ev['id']}/attachments", "big.png", png_claiming(7000, 7000))
    assert status == 422 and "7000×7000" in err["message"]
    status, err = api.upload(f"/events/{ev['id']}/attachments", "big.heic", heic_claiming(30000, 30000))
    assert status == 422 and err["code"] == "too_many_pixels"
    status, err = api.upload(f"/events/{ev['id']}/attachments", "big.webp", webp_claiming(30000, 30000))
    assert status == 422 and "30000×30000" in err["message"]
    # At the configured limit: accepted; one row more: refused.
    settings.GONGZHI_IMAGE_MAX_PIXELS = 64
    status, att = api.upload(f"/events/{ev['id']}/attachments", "ok.png", png((8, 8)))
    assert status == 201, att
    status, err = api.upload(f"/events/{ev['id']}/attachments", "no.png", png((8, 9)))
    assert status == 422 and "8×9" in err["message"]
    settings.GONGZHI_IMAGE_MAX_PIXELS = 12_000_000
    status, att = api.upload(f"/events/{ev['id']}/attachments", "ok.heic", heic_claiming(4000, 3000))
    assert status == 201 and att["mime"] == "image/heic"
    assert Attachment.objects.filter(event_id=ev["id"]).count() == 2


def test_a_pixel_bomb_on_the_report_page_is_a_form_error(district):
    from tests.web.test_pages import form
    c = login(district.users["resident1"])
    r = c.post("/report/", {**form(district, 0), "photos": SimpleUploadedFile("炸弹.png", png_claiming(30000, 30000))})
    assert r.status_code == 422 and "像素过多" in r.content.decode()
    assert not Event.objects.exists()


# ---- photos without their metadata ----------------------------------------------------------------

GPS_LAT = (24.0, 30.0, 50.0)            # 24°30'50" N, 117°39'15" E: a flat in 芗城区
GPS_LON = (117.0, 39.0, 15.0)


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    from PIL import ExifTags
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15 Pro"
    exif[ExifTags.Base.Artist] = "Wang Wei"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", GPS_LAT
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", GPS_LON
    return exif


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="24,30.8N"/>'
       b'</rdf:RDF></x:xmpmeta>')
# Strings that would identify the reporter or the place, as they sit in the bytes of the tags above.
SECRETS = (b"iPhone", b"Apple", b"Wang Wei", b"GPSLatitude", b"xmpmeta", b"Exif\x00\x00", b"eXIf")


def tagged(fmt: str, orientation: int = 1) -> bytes:
    """A 16×8 picture (left half red, right half blue) carrying GPS, phone, owner and XMP."""
    im = Image.new("RGB", (16, 8), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 8, 8))
    buf = io.BytesIO()
    extra = {"comment": b"Wang Wei 13812345678"} if fmt in ("JPEG", "GIF") else {}
    if fmt == "GIF":
        im.convert("P").save(buf, "GIF", **extra)
    elif fmt == "PNG":                   # XMP and text in iTXt/tEXt chunks, EXIF in eXIf
        from PIL.PngImagePlugin import PngInfo
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        info.add_text("Author", "Wang Wei 13812345678")
        im.save(buf, "PNG", exif=exif_with_gps(orientation), pnginfo=info)
    else:
        im.save(buf, fmt, exif=exif_with_gps(orientation), xmp=XMP, **extra)
    data = buf.getvalue()
    if fmt != "GIF":
        assert b"iPhone" in data and b"xmpmeta" in data        # the fixture really carries them
    return data


@pytest.mark.parametrize("fmt,mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
                                      ("GIF", "image/gif")])
def test_photos_are_stored_and_served_without_their_metadata(district, as_user, fmt, mime):
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))          # an ordinary complaint, not a 举报
    sent = tagged(fmt)
    status, att = api.upload(f"/events/{ev['id']}/attachments", f"现场.{fmt.lower()}", sent)
    assert status == 201 and att["mime"] == mime, att
    stored = Attachment.objects.get(pk=att["id"])
    data = stored.file.read()
    served = body(as_user("grid111").client.get(att["url"]))
    assert served == data and stored.size == len(data) == att["size"]
    for secret in SECRETS + (b"13812345678",):
        assert secret not in data, secret
    im = Image.open(io.BytesIO(data))
    assert im.format == fmt and im.size == (16, 8)                  # the same format, the same picture
    assert not im.getexif() and not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(im.info)
    rgb = im.convert("RGB")
    assert rgb.getpixel((3, 4))[0] > 200 and rgb.getpixel((12, 4))[2] > 200


def test_a_multi_picture_jpeg_keeps_its_first_picture_only(district, as_user):
    """MPO (a JPEG with a second view or a depth map after it, each with its own EXIF): stored as
    a plain JPEG of the picture every viewer shows."""
    first, second = Image.new("RGB", (16, 8), (255, 0, 0)), Image.new("RGB", (16, 8), (0, 0, 255))
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[second], exif=exif_with_gps())
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    status, att = api.upload(f"/events/{ev['id']}/attachments", "双摄.jpg", buf.getvalue())
    assert status == 201 and att["mime"] == "image/jpeg"
    data = Attachment.objects.get(pk=att["id"]).file.read()
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and getattr(im, "n_frames", 1) == 1 and not im.getexif()
    assert im.convert("RGB").getpixel((8, 4))[0] > 200 and b"iPhone" not in data


def test_an_animation_keeps_its_frames_and_they_count_together_against_the_pixel_limit(district, as_user, settings):
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0,
                   comment=b"Wang Wei")
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    settings.GONGZHI_IMAGE_MAX_PIXELS = 299               # one frame fits (100), three do not (300)
    status, err = api.upload(f"/events/{ev['id']}/attachments", "动图.gif", buf.getvalue())
    assert status == 422 and err["code"] == "too_many_pixels" and "动图各帧合计" in err["message"]
    settings.GONGZHI_IMAGE_MAX_PIXELS = 300
    status, att = api.upload(f"/events/{ev['id']}/attachments", "动图.gif", buf.getvalue())
    assert status == 201
    data = Attachment.objects.get(pk=att["id"]).file.read()
    im = Image.open(io.BytesIO(data))
    assert im.n_frames == 3 and b"Wang Wei" not in data
    seen = []
    for i in range(3):
        im.seek(i)
        seen.append((im.info["duration"], im.convert("RGB").getpixel((5, 5))))
    assert seen == [(100, (255, 0, 0)), (200, (0, 255, 0)), (300, (0, 0, 255))]


def test_the_orientation_is_applied_to_the_pixels_and_the_page_strips_too(district):
    """EXIF orientation 6 (turn 90° clockwise to view): stored turned, 8×16, the red half on top,
    with no tag left to turn it again.  The report page stores the same way."""
    from tests.web.test_pages import form
    c = login(district.users["resident1"])
    r = c.post("/report/", {**form(district, 0), "photos": SimpleUploadedFile("竖拍.jpg", tagged("JPEG", 6))})
    assert r.status_code == 302, r.content.decode()[:500]
    data = Attachment.objects.get().file.read()
    for secret in SECRETS:
        assert secret not in data, secret
    im = Image.open(io.BytesIO(data))
    assert im.size == (8, 16) and not im.getexif()
    assert im.getpixel((4, 3))[0] > 200 and im.getpixel((4, 12))[2] > 200


def heic_with_items(*item_types: bytes, width=4000, height=3000) -> bytes:
    """An HEIF file whose item table (meta → iinf) declares items of these types (version 2 infe)."""
    def box(kind: bytes, payload: bytes, version: int | None = None) -> bytes:
        if version is not None:                                  # a full box: version, 3 bytes of flags
            payload = bytes([version, 0, 0, 0]) + payload
        return struct.pack(">I", 8 + len(payload)) + kind + payload
    # infe v2: item ID (16 bits), protection index (16 bits), item type, item name ("").
    infes = b"".join(box(b"infe", struct.pack(">HH", i + 1, 0) + t + b"\x00", version=2)
                     for i, t in enumerate(item_types))
    iinf = box(b"iinf", struct.pack(">H", len(item_types)) + infes, version=0)
    ispe = box(b"ispe", struct.pack(">II", width, height), version=0)
    meta = box(b"meta", box(b"hdlr", b"\x00" * 4 + b"pict" + b"\x00" * 13, version=0) + iinf
               + box(b"iprp", box(b"ipco", ispe)), version=0)
    ftyp = box(b"ftyp", b"heic" + b"\x00\x00\x00\x00" + b"mif1heic")
    return ftyp + meta + box(b"mdat", b"\x00" * 64)


def test_heic_with_exif_or_xmp_is_refused_and_heic_without_is_kept_as_sent(district, as_user):
    """Pillow can neither read nor write HEIC, so its metadata cannot be taken out: an HEIC that
    declares an Exif or XMP item is refused with what to do instead; one that declares none is
    stored byte for byte."""
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    for items in ((b"hvc1", b"Exif"), (b"hvc1", b"mime"), (b"grid", b"hvc1", b"hvc1", b"Exif", b"mime")):
        status, err = api.upload(f"/events/{ev['id']}/attachments", "IMG_0001.HEIC", heic_with_items(*items))
        assert status == 422 and err["code"] == "image_metadata", (items, err)
        assert err["fields"] == {"file": "照片带有无法去除的拍摄信息"} and "请转为 JPEG" in err["message"]
    plain = heic_with_items(b"hvc1")
    status, att = api.upload(f"/events/{ev['id']}/attachments", "IMG_0002.HEIC", plain)
    assert status == 201 and att["mime"] == "image/heic"
    assert Attachment.objects.get(pk=att["id"]).file.read() == plain
    assert Attachment.objects.filter(event_id=ev["id"]).count() == 1


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 30)).save(buf, "JPEG", exif=exif_with_gps())
    return buf.getvalue()


def test_a_truncated_jpeg_is_a_422_on_the_api_and_the_page_never_a_500(district, as_user):
    """Anything starting with a JPEG marker (\\xff\\xd8\\xff) but cut short — in its header or in
    its pixels — is refused with a Chinese 422, and nothing is stored."""
    from tests.web.test_pages import form
    whole = jpeg()
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    for cut in (4, 40, 400, len(whole) - 40):
        status, err = api.upload(f"/events/{ev['id']}/attachments", "坏图.jpg", whole[:cut])
        assert status == 422 and err["fields"] == {"file": "图片无法识别"}, (cut, err)
        assert err["message"].startswith("图片「坏图.jpg」无法读取"), err
    assert not Attachment.objects.exists()
    c = login(district.users["resident1"])
    r = c.post("/report/", {**form(district, 0, client_key="trunc"),
                            "photos": SimpleUploadedFile("坏图.jpg", whole[: len(whole) // 2])})
    assert r.status_code == 422 and "图片「坏图.jpg」无法读取" in r.content.decode()
    assert Event.objects.count() == 1 and not Attachment.objects.exists()      # only the API's event


def test_any_error_while_reading_a_header_is_unreadable_not_a_500(district, as_user, monkeypatch):
    """A plugin's own failure (Pillow 13 raised KeyError('MPO') for a broken JPEG) is a 422 too."""
    import PIL.Image

    def broken_plugin(*args, **kwargs):
        raise KeyError("MPO")
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    monkeypatch.setattr(PIL.Image, "open", broken_plugin)
    status, err = api.upload(f"/events/{ev['id']}/attachments", "x.jpg", jpeg())
    assert status == 422 and err["fields"] == {"file": "图片无法识别"}
    assert not Attachment.objects.exists()


# ---- multipart bodies before anyone is signed in -------------------------------------------------

@pytest.fixture
def writes(monkeypatch):
    """Every file part Django's own handlers receive (memory or a temporary file on disk)."""
    from django.core.files import uploadhandler
    seen = []
    for cls in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        real = cls.new_file

        def spy(self, *args, _real=real, _cls=cls, **kwargs):
            seen.append((_cls.__name__, args[1] if len(args) > 1 else kwargs.get("file_name")))
            return _real(self, *args, **kwargs)
        monkeypatch.setattr(cls, "new_file", spy)
    return seen


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "filesBoundary0x7MA4"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: image/png\r\n\r\n".encode() + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("memory", [5 * 1024 * 1024, 20_000], ids=["read-into-memory", "parsed-where-used"])
def test_a_strangers_multipart_body_writes_no_file(district, writes, settings, memory):
    """Bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE are checked by the guard in memory; larger ones
    where the page or operation parses them.  Either way a stranger's files never reach a handler
    that stores them."""
    from tests.security.test_input_hygiene import raw
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = memory
    big = png((200, 200), noise=True) + b"\x00" * 200_000            # past 64 KB: a temporary file
    body_, kind = _multipart({"description": "小区门口垃圾堆积"}, {f"f{i}": (f"{i}.png", big) for i in range(3)})
    # A page (the session middleware knows nobody), the API with a session-less call and with a
    # token that is no token (the lean path), Open311.
    status, _, _ = raw("POST", "/report/", body_, kind)
    assert status in (302, 403)
    for headers in ({}, {"authorization": "Bearer gz_not-a-token"}):
        status, _, _ = raw("POST", "/api/events/1/attachments", body_, kind, **headers)
        assert status == 401, headers
    status, _, _ = raw("POST", "/open311/v2/requests.json", body_, kind)
    assert status < 500
    assert writes == []
    # A stranger's text parts are still checked: U+0000 is refused.
    nul_body, kind = _multipart({"description": "垃圾\x00堆积"}, {"f": ("a.png", big)})
    status, _, content = raw("POST", "/report/", nul_body, kind)
    assert status == 400 and "空字符" in content.decode()
    assert writes == []
    # A signed-in resident's photo is received as before (and that is what the spy sees).
    c = login(district.users["resident1"])
    r = c.post("/api/events", json.dumps(report_payload(district)), content_type="application/json")
    assert upload(c, r.json()["id"], "现场.png", big[:-200_000]).status_code == 201
    assert writes == [("TemporaryFileUploadHandler", "现场.png")] or writes == [
        ("MemoryFileUploadHandler", "现场.png"), ("TemporaryFileUploadHandler", "现场.png")]


def test_a_large_api_body_has_its_text_checked_where_the_operation_parses_it(district, settings):
    """Past DATA_UPLOAD_MAX_MEMORY_SIZE the guard does not read the body: U+0000 in a text part is
    refused when the operation reads its form, after the sign-in — on the session and the token path."""
    from tests.security.test_input_hygiene import raw
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    c = login(district.users["resident1"])
    ev = c.post("/api/events", json.dumps(report_payload(district)), content_type="application/json").json()["id"]
    photo = png((60, 60), noise=True)
    assert len(photo) > 2_000
    r = c.post(f"/api/events/{ev}/attachments", {"note": "说明\x00", "file": SimpleUploadedFile("a.png", photo)})
    assert r.status_code == 400 and r.json()["code"] == "bad_request" and "空字符" in r.json()["message"]
    token = ApiToken.issue(district.users["resident1"])
    body_, kind = _multipart({"note": "说明\x00"}, {"file": ("a.png", photo)})
    status, _, content = raw("POST", f"/api/events/{ev}/attachments", body_, kind, authorization=f"Bearer {token}")
    assert status == 400 and "空字符" in json.loads(content)["message"]
    assert not Attachment.objects.exists()
    body_, kind = _multipart({"note": "说明"}, {"file": ("a.png", photo)})
    status, _, content = raw("POST", f"/api/events/{ev}/attachments", body_, kind, authorization=f"Bearer {token}")
    assert status == 201, content
    assert Attachment.objects.count() == 1


def test_at_most_ten_files_per_request(district, settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10
    from tests.web.test_pages import form
    c = login(district.users["resident1"])
    ev = c.post("/api/events", json.dumps(report_payload(district)), content_type="application/json").json()["id"]
    def photos(n):
        return [SimpleUploadedFile(f"{i}.png", png((4 + i, 4))) for i in range(n)]
    r = c.post(f"/api/events/{ev}/attachments", {"file": photos(11)})
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
    assert r.json()["message"] == "一次最多上传 10 个文件，请分批上传"
    r = c.post("/report/", {**form(district, 0, client_key="eleven"), "photos": photos(11)})
    assert r.status_code == 400 and "一次最多上传 10 个文件" in r.content.decode()
    assert not Attachment.objects.exists() and Event.objects.count() == 1
    r = c.post("/report/", {**form(district, 0, client_key="ten"), "photos": photos(10)})
    assert r.status_code == 302 and Attachment.objects.count() == 10


# ---- uploads stream to disk ---------------------------------------------------------------------

def test_large_uploads_reach_intake_as_temporary_files(district, as_user, monkeypatch, settings):
    from gongzhi.events import intake
    seen = []
    real = intake.attachment_add

    def spy(**kwargs):
        seen.append(type(kwargs["content"]))
        return real(**kwargs)
    monkeypatch.setattr(intake, "attachment_add", spy)
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    big = png((160, 160), noise=True)
    assert len(big) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    status, att = api.upload(f"/events/{ev['id']}/attachments", "大图.png", big)
    assert status == 201
    assert seen == [TemporaryUploadedFile]
    # What is stored is the image re-saved (without metadata): the same pixels, its own hash and size.
    stored = Attachment.objects.get(pk=att["id"])
    data = stored.file.read()
    import hashlib
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and att["size"] == stored.size == len(data)
    assert Image.open(io.BytesIO(data)).tobytes() == Image.open(io.BytesIO(big)).tobytes()


def test_a_file_past_every_limit_is_stopped_while_it_streams(district, as_user, settings):
    settings.GONGZHI_UPLOAD_LIMITS = {"image": 20_000, "audio": 20_000, "video": 30_000}
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    r = api.client.post(f"/api/events/{ev['id']}/attachments",
                        {"file": SimpleUploadedFile("huge.png", png() + b"\x00" * 40_000)})
    # Stopped at the first chunk past 30 000 bytes (the largest limit), before the view ran.
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert not Attachment.objects.exists()


# ---- the upload rate limit ----------------------------------------------------------------------

def test_quota_wait_at_the_edge():
    now, hour = sh(2026, 11, 2, 10), timedelta(hours=1)
    recent = [sh(2026, 11, 2, 9, 10), sh(2026, 11, 2, 9, 30), sh(2026, 11, 2, 8, 0)]   # 08:00 is outside
    assert quota_wait(recent, now, adding=1, limit=3, window=hour) == 0
    assert quota_wait(recent, now, adding=2, limit=3, window=hour) == 600          # 09:10 leaves at 10:10
    assert quota_wait(recent, now, adding=3, limit=3, window=hour) == 1800         # and 09:30 at 10:30
    assert quota_wait(recent, now, adding=4, limit=3, window=hour) == 3600         # never fits: whole window
    assert quota_wait([sh(2026, 11, 2, 9)], now, adding=1, limit=1, window=hour) == 0   # exactly an hour ago
    assert quota_wait(recent, now, adding=50, limit=0, window=hour) == 0           # 0 = off


def test_the_upload_after_the_limit_is_refused_with_retry_after(district, as_user, settings):
    settings.GONGZHI_UPLOAD_RATE_COUNT, settings.GONGZHI_UPLOAD_RATE_WINDOW = 3, 3600
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    for i in range(3):
        status, att = api.upload(f"/events/{ev['id']}/attachments", f"{i}.png", png())
        assert status == 201, (i, att)
    r = api.client.post(f"/api/events/{ev['id']}/attachments", {"file": SimpleUploadedFile("4.png", png())})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert "上传过于频繁" in r.json()["message"] and "3 个文件" in r.json()["message"]
    assert 3500 <= int(r["Retry-After"]) <= 3600
    assert Attachment.objects.count() == 3
    # Another user is not held back by this one.
    _, other = as_user("resident2").post("/events", report_payload(district))
    assert as_user("resident2").upload(f"/events/{other['id']}/attachments", "x.png", png())[0] == 201
    # An hour after the first upload the window has room again.
    with time_machine.travel(sh(2026, 11, 2, 10, 1), tick=False):
        assert api.upload(f"/events/{ev['id']}/attachments", "5.png", png())[0] == 201


def test_refused_uploads_use_up_the_quota_too(district, as_user, settings):
    """Every file sent counts, whatever became of it: not an image, too large, sent to an event
    that is not the sender's.  A refusal by the limit itself is not counted (it would push the
    window on for ever); rows past the window are dropped."""
    settings.GONGZHI_UPLOAD_RATE_COUNT, settings.GONGZHI_UPLOAD_RATE_WINDOW = 3, 3600
    settings.GONGZHI_UPLOAD_LIMITS = {"image": 50_000, "audio": 50_000, "video": 200_000}
    resident = district.users["resident1"]
    api = as_user("resident1")
    _, ev = api.post("/events", report_payload(district))
    _, other = as_user("resident2").post("/events", report_payload(district))
    assert api.upload(f"/events/{ev['id']}/attachments", "a.png", b"not an image at all")[0] == 422
    padded = png((200, 200), noise=True) + b"\x00" * 60_000
    assert api.upload(f"/events/{ev['id']}/attachments", "b.png", padded)[0] == 422
    assert api.upload(f"/events/{other['id']}/attachments", "c.png", png())[0] == 404
    assert UploadAttempt.objects.filter(user=resident).count() == 3
    r = api.client.post(f"/api/events/{ev['id']}/attachments", {"file": SimpleUploadedFile("d.png", png())})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and 3500 <= int(r["Retry-After"]) <= 3600
    assert UploadAttempt.objects.filter(user=resident).count() == 3 and not Attachment.objects.exists()
    # Nobody signed in: nothing counted, nothing stored (the API refuses before reading the file).
    assert Client().post(f"/api/events/{ev['id']}/attachments", {"file": SimpleUploadedFile("e.png", png())}
                         ).status_code == 401
    assert UploadAttempt.objects.count() == 3
    with time_machine.travel(sh(2026, 11, 2, 10, 1), tick=False):
        assert api.upload(f"/events/{ev['id']}/attachments", "f.png", png())[0] == 201
    assert UploadAttempt.objects.filter(user=resident).count() == 1      # the three old rows are gone


def test_pages_refuse_the_batch_that_would_pass_the_limit_before_anything_is_saved(district, settings):
    from tests.web.test_pages import form
    settings.GONGZHI_UPLOAD_RATE_COUNT = 1
    c = login(district.users["resident1"])
    r = c.post("/report/", {**form(district, 0), "photos": [SimpleUploadedFile("1.png", png()),
                                                             SimpleUploadedFile("2.png", png((4, 4)))]})
    assert r.status_code == 429 and int(r["Retry-After"]) == 3600 and "上传过于频繁" in r.content.decode()
    assert 'name="description"' in r.content.decode()          # the form again, with the 429
    assert not Event.objects.exists() and not Attachment.objects.exists()
    # The first photo was received (and counted); the second, past the limit, was not written.
    assert UploadAttempt.objects.filter(user=district.users["resident1"]).count() == 1
    r = c.post("/report/", {**form(district, 0, client_key="k2"), "photos": SimpleUploadedFile("1.png", png())})
    assert r.status_code == 429 and not Event.objects.exists()
    with time_machine.travel(sh(2026, 11, 2, 10, 1), tick=False):       # the window has passed
        r = c.post("/report/", {**form(district, 0, client_key="k3"), "photos": SimpleUploadedFile("1.png", png())})
    assert r.status_code == 302 and Attachment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_cannot_pass_the_limit_together(district, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (SQLite serialises every write anyway)")
    from gongzhi.events import intake
    settings.GONGZHI_UPLOAD_RATE_COUNT = 2
    user = district.users["resident1"]
    ev = intake.event_report(actor=user, data=intake.ReportInput(
        kind="complaint", category="urban-appearance", description="路灯不亮已经一周了",
        lon=report_payload(district)["lon"], lat=report_payload(district)["lat"]))[0]
    barrier, outcomes = threading.Barrier(5), []

    def send(i):
        try:
            barrier.wait()
            intake.attachment_add(actor=user, event=ev, content=png((4 + i, 4)), filename=f"{i}.png")
            outcomes.append("stored")
        except Exception as exc:           # noqa: BLE001 — the outcome is what is asserted
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["rate_limited"] * 3 + ["stored"] * 2
    assert Attachment.objects.filter(uploaded_by=user).count() == 2
