"""The registry's pages and API with the named actors: lists masked and scoped, a person's page a
logged read, unmasking with a reason, the resident's household and claim, the 待核实 list, the
import page with its rejected-rows download, the Excel export (text as text, masked unless unmasked
with a reason), links from a visible event."""
from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.core.models import AccessLog
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.registry import HouseUse, VerifyState
from gongzhi.events import intake
from gongzhi.registry.models import CaseLink, Claim, Household, Person
from tests.conftest import Api, report_payload
from tests.registry.test_import import messy_xlsx


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_list_and_person_page_masked_scoped_and_logged(reg, users):
    p = Person.objects.filter(grid=reg.grids[0], user__isnull=True).exclude(id_number="").first()
    c = client(users["comm11"])
    page = c.get("/registry/", {"q": p.name}).content.decode()
    assert p.name in page and p.id_number not in page and p.id_number[-4:] in page
    assert c.get("/registry/?tab=houses&use=rented").status_code == 200
    assert c.get("/registry/?tab=units&kind=nine_small").status_code == 200
    r = c.get(f"/registry/people/{p.pk}/")
    assert r.status_code == 200 and p.id_number not in r.content.decode()
    assert AccessLog.objects.filter(user=users["comm11"], kind=CaseKind.PERSON, case_id=p.pk).exists()
    r = c.post(f"/registry/people/{p.pk}/unmask", {"reason": ""})
    assert r.status_code == 422
    r = c.post(f"/registry/people/{p.pk}/unmask", {"reason": "核对低保申请"})
    assert r.status_code == 200 and p.id_number in r.content.decode()
    assert client(users["comm12"]).get(f"/registry/people/{p.pk}/").status_code == 404
    assert client(users["resident1"]).get("/registry/").status_code == 404
    assert client(users["dept_cg"]).get("/registry/").status_code == 404
    house = Household.objects.filter(house__grid=reg.grids[0], house__use=HouseUse.RENTED).first().house
    assert c.get(f"/registry/houses/{house.pk}/").status_code == 200


def test_resident_household_and_claim_flow(reg, users, django_user_model):
    me = Person.objects.get(user=users["resident1"])
    page = client(users["resident1"]).get("/registry/me/").content.decode()
    assert me.house.address in page
    assert client(users["resident1"]).get(f"/registry/houses/{me.house_id}/").status_code == 200
    new = django_user_model.objects.create(username="newcomer2")
    c = client(new)
    r = c.post("/registry/me/", {"name": "陈新", "id_number": "350602199001012342", "grid": reg.grids[0].code,
                                 "address": "瑞京社区1号楼01室", "client_key": "abc"})
    assert r.status_code == 302
    claim = Claim.objects.get(user=new)
    assert claim.state == VerifyState.PENDING
    staff = client(users["comm11"])
    assert "陈新" in staff.get("/registry/pending/").content.decode()
    assert client(users["grid111"]).get("/registry/pending/").status_code == 404
    assert staff.post(f"/registry/claims/{claim.pk}/verify").status_code == 302
    assert Person.objects.get(user=new).household is not None
    r = staff.post(f"/registry/claims/{claim.pk}/verify", follow=True)
    assert "该申请已被处理" in r.content.decode()


def test_import_page_and_rejected_download(reg, users):
    c = client(users["comm11"])
    assert c.get("/registry/import/").status_code == 200
    r = c.post("/registry/import/", {"kind": "people", "grid": "", "mapping": "",
                                     "file": SimpleUploadedFile("瑞京.xlsx", messy_xlsx(reg.grids[0].code))})
    assert r.status_code == 302
    result = c.get(r["Location"]).content.decode()
    assert '<strong class="n-created">5</strong>' in result and '<strong class="n-rejected">4</strong>' in result
    run_id = int(r["Location"].rstrip("/").split("/")[-1])
    csv = c.get(f"/registry/imports/{run_id}/rejected.csv")
    assert csv["Content-Type"].startswith("text/csv") and "日期不存在" in csv.content.decode("utf-8-sig")
    assert client(users["comm12"]).get(f"/registry/imports/{run_id}/").status_code == 404
    bad = c.post("/registry/import/", {"kind": "people", "file": SimpleUploadedFile("x.csv", b"\x00\x01binary")})
    assert bad.status_code == 422 and "文件不是 Excel" in bad.content.decode()
    assert client(users["resident1"]).get("/registry/import/").status_code == 404


def test_export_text_as_text_masked_unless_unmasked_with_a_reason(reg, users):
    import openpyxl
    c = client(users["comm11"])
    r = c.get("/registry/export.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb["实有人口"]
    ids = [row[1].value for row in ws.iter_rows(min_row=2)]
    people = Person.objects.filter(grid__in=reg.grids[:2])
    assert len(ids) == people.count()
    real = set(people.exclude(id_number="").values_list("id_number", flat=True))
    assert not real & set(ids)
    cells = [row[1] for row in ws.iter_rows(min_row=2) if row[1].value]
    assert cells and all(c.data_type == "s" and c.number_format == "@" for c in cells)
    logged = AccessLog.objects.filter(user=users["comm11"], kind=CaseKind.PERSON).count()
    r = c.post("/registry/export.xlsx", {"reason": "上报区综治中心年度核对"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["实有人口"]
    assert real <= {row[1].value for row in ws.iter_rows(min_row=2)}
    assert AccessLog.objects.filter(user=users["comm11"], kind=CaseKind.PERSON).count() == logged + 1 + people.count()
    r = c.post("/registry/export.xlsx", {"reason": ""})
    assert r.status_code == 302


def test_api_people_unmask_links_and_import(reg, users):
    api = Api(users["grid111"])
    status, body = api.get("/registry/people")
    assert status == 200 and body["count"] == Person.objects.filter(grid=reg.grids[0]).count()
    p = Person.objects.filter(grid=reg.grids[0], user__isnull=True).exclude(id_number="").first()
    status, body = api.get(f"/registry/people/{p.pk}")
    assert status == 200 and body["id_number"] != p.id_number and body["may_unmask"] is True
    status, body = api.post(f"/registry/people/{p.pk}/unmask", {"reason": "入户核查"})
    assert status == 200 and body["id_number"] == p.id_number
    assert api.post(f"/registry/people/{p.pk}/unmask", {"reason": ""})[0] == 422
    assert Api(users["comm12"]).get(f"/registry/people/{p.pk}")[0] == 404
    e, _ = intake.event_report(actor=users["grid111"], data=intake.ReportInput(**report_payload(
        reg, 0, kind="hazard", category="safety-fire", description="出租屋楼道堆放电动车充电", channel="grid_patrol",
        fields={"place": "出租屋"})))
    house = Household.objects.filter(house__grid=reg.grids[0], house__use=HouseUse.RENTED).first().house
    link = {"case_kind": "event", "case_id": e.pk, "target": "house", "target_id": house.pk, "note": "出租屋隐患"}
    status, body = api.post("/registry/links", link)
    assert status == 201 and api.post("/registry/links", link)[0] == 200
    assert CaseLink.objects.filter(house=house).count() == 1
    assert Api(users["grid121"]).post("/registry/links", link)[0] == 404     # cannot see the event
    status, body = api.get(f"/registry/houses/{house.pk}")
    assert status == 200 and body["links"][0]["case_id"] == e.pk
    page = client(users["grid111"]).get(f"/registry/houses/{house.pk}/").content.decode()
    assert e.number in page
    status, body = Api(users["comm11"]).upload("/registry/imports", "瑞京.xlsx", messy_xlsx(reg.grids[0].code))
    assert status == 201 and (body["created"], len(body["rejected"])) == (5, 4)
    status, body = Api(users["resident1"]).get("/registry/me")
    assert status == 200 and body["person"]["name"] == Person.objects.get(user=users["resident1"]).name
    assert Api(users["resident1"]).get("/registry/claims")[0] == 403


def test_admin_lists_masked_and_keeps_history(reg, users):
    from gongzhi.registry.models import Change
    p = Person.objects.filter(grid=reg.grids[0]).exclude(id_number="").first()
    c = client(users["admin"])
    page = c.get("/admin/registry/person/", {"q": p.name}).content.decode()
    assert p.name in page and p.id_number not in page and p.phone not in page
    assert c.get(f"/admin/registry/person/{p.pk}/change/").status_code == 200
    assert p.id_number not in c.get(f"/admin/registry/person/{p.pk}/change/").content.decode()
    assert c.get("/admin/registry/personmark/").status_code == 404        # marks are not the admin's
    ch = Change.objects.first()
    if ch is not None:
        assert c.post(f"/admin/registry/change/{ch.pk}/delete/", {"post": "yes"}).status_code == 403
