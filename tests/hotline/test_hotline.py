"""12345 orders in by file and by push, re-import safety, bad files, and results back out."""
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from gongzhi.accounts.models import ApiToken
from gongzhi.events import services
from gongzhi.events.models import Event
from gongzhi.hotline import orders as hotline

from ..conftest import point_in

HEADER = ["工单编号", "来电时间", "来电人", "联系电话", "诉求类型", "诉求分类", "诉求内容", "事发地址", "经度", "纬度",
          "网格编码"]


def rows(district):
    lon, lat = point_in(district, 0)
    return [
        ["HL001", "2026-10-30 09:15:00", "王先生", "13900001111", "投诉", "市容环境", "小区门口垃圾多日无人清运",
         "胜利路1号", lon, lat, ""],
        ["HL002", "2026-10-30 10:20:00", "李女士", "13900002222", "咨询", "policy", "咨询高龄补贴如何申请", "", "", "",
         district.grids[1].code],
        ["HL003", "2026-10-30 11:00:00", "赵先生", "", "表扬", "市容环境", "表扬环卫工人", "", lon, lat, ""],
        ["HL004", "2026-10-30 11:30:00", "钱女士", "", "投诉", "不存在的分类", "某某问题", "", lon, lat, ""],
        ["HL005", "2026-10-30 12:00:00", "孙先生", "", "投诉", "市容环境", "路边有人乱倒建筑垃圾", "只有地址", "", "",
         ""],
        [None] * 11,
        ["HL001", "2026-10-30 09:15:00", "王先生", "13900001111", "投诉", "市容环境", "小区门口垃圾多日无人清运",
         "胜利路1号", lon, lat, ""],
    ]


def xlsx(path, data, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in data:
        ws.append(r)
    wb.save(path)
    return path


def test_import_counts_every_row_and_is_safe_to_repeat(district, tmp_path):
    f = xlsx(tmp_path / "orders.xlsx", rows(district))
    report = hotline.import_file(f)
    assert report.total == 6                                  # the blank row is not an order
    assert (report.count("created"), report.count("unchanged"), report.count("rejected")) == (2, 1, 3)
    reasons = " ".join(o.reason for o in report.outcomes if o.status == "rejected")
    assert "表扬" in reasons and "不存在的分类" in reasons and "缺少坐标或网格编码" in reasons
    ev = Event.objects.get(client_key="12345-HL001")
    assert ev.channel == "hotline" and ev.reporter_id is None and ev.reporter_name == "王先生"
    assert ev.reported_at.isoformat().startswith("2026-10-30T01:15")      # 09:15 Shanghai, stored UTC
    again = hotline.import_file(f)
    assert again.count("created") == 0 and again.count("unchanged") == 3 and Event.objects.count() == 2


def test_an_order_too_short_to_be_a_report_is_a_rejected_row_not_a_crash(district, tmp_path):
    """The report input refuses under 5 characters as it is built: the file import goes on."""
    lon, lat = point_in(district, 0)
    short = ["HL009", "2026-10-30 13:00:00", "周先生", "", "投诉", "市容环境", "有垃圾", "", lon, lat, ""]
    report = hotline.import_file(xlsx(tmp_path / "short.xlsx", [short, rows(district)[0]]))
    assert [(o.number, o.status) for o in report.outcomes] == [("HL009", "rejected"), ("HL001", "created")]
    assert "至少 5 个字" in report.outcomes[0].reason, report.outcomes[0].reason


def test_a_changed_order_is_refused_not_overwritten(district, tmp_path):
    data = rows(district)[:1]
    hotline.import_file(xlsx(tmp_path / "a.xlsx", data))
    data[0][6] = "内容被改过的工单"
    report = hotline.import_file(xlsx(tmp_path / "b.xlsx", data))
    assert report.count("rejected") == 1 and "内容与此前不同" in report.outcomes[0].reason
    assert Event.objects.get().description == "小区门口垃圾多日无人清运"


def test_gbk_csv_and_a_column_mapping(district, tmp_path):
    lon, lat = point_in(district, 0)
    text = f"单号,类型,分类,内容,经度,纬度\nC1,求助,帮扶救助,独居老人需要帮助,{lon},{lat}\n"
    f = tmp_path / "orders.csv"
    f.write_bytes(text.encode("gb18030"))
    report = hotline.import_file(f, {"number": "单号", "kind": "类型", "category": "分类", "content": "内容"})
    assert report.count("created") == 1 and Event.objects.get().kind == "help"


def test_bad_files_get_clear_errors(district, tmp_path):
    with pytest.raises(hotline.FileError, match="缺少必需的列：诉求内容"):
        hotline.import_file(xlsx(tmp_path / "cols.xlsx", [], header=[h for h in HEADER if h != "诉求内容"]))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(hotline.FileError, match="Excel 文件已损坏"):
        hotline.import_file(broken)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe" * 10)
    with pytest.raises(hotline.FileError):
        hotline.import_file(binary)
    with pytest.raises(CommandError, match="缺少必需的列"):
        call_command("import_hotline", str(tmp_path / "cols.xlsx"))


def test_the_command_writes_the_rejected_rows(district, tmp_path, capsys):
    f = xlsx(tmp_path / "orders.xlsx", rows(district))
    call_command("import_hotline", str(f))
    out = capsys.readouterr().out
    assert "新建 2" in out and "拒绝 3" in out
    rejected = (tmp_path / "orders.xlsx.rejected.csv").read_text("utf-8-sig").splitlines()
    assert rejected[0] == "工单编号,原因" and len(rejected) == 4


def _push(token, body):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    r = Client().post("/api/hotline/orders", json.dumps(body), content_type="application/json", **headers)
    return r.status_code, json.loads(r.content)


def test_push_and_feedback(district):
    from gongzhi.api import auth
    auth.forget_tokens()
    token = ApiToken.issue(hotline.system_user(), "12345")
    lon, lat = point_in(district, 0)
    order = {"number": "P1", "kind": "投诉", "category": "urban-appearance", "content": "夜间施工噪音扰民严重",
             "lon": lon, "lat": lat, "caller_name": "周先生"}
    assert _push(None, [order])[0] == 401
    assert _push(ApiToken.issue(district.users["resident1"]), [order])[0] == 403
    status, body = _push(token, [{"number": "P2"}])
    assert status == 422 and "kind" in body["fields"].get("0.kind", "") + json.dumps(body["fields"])
    # true/false is not a coordinate (pydantic alone would read false as 0.0); found by schemathesis.
    status, body = _push(token, [{**order, "number": "P3", "lat": False}])
    assert status == 422 and "应为数字" in json.dumps(body["fields"], ensure_ascii=False)
    status, body = _push(token, [{**order, "number": "P3", "called_at": 0}])    # not 1970-01-01
    assert status == 422 and "应为日期时间" in json.dumps(body["fields"], ensure_ascii=False)
    # Seconds since 1970, or an offset PostgreSQL refuses (found as a 500 there): 422, not 500.
    for since in ("0.5", "0135-04-17T10:26:20.219776+18:41", "1800-01-01T00:00:00"):
        r = Client().get("/api/hotline/feedback", {"since": since}, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert r.status_code == 422 and "since" in r.json()["fields"], since
    r = Client().get("/api/hotline/feedback", {"since": "2026-11-01T00:00:00+14:00"},
                     HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    assert not Event.objects.filter(client_key="P3").exists()
    status, body = _push(token, [order, order])
    assert status == 200 and [b["status"] for b in body] == ["created", "unchanged"]
    ev = Event.objects.get(number=body[0]["event_number"])
    town = district.users["town1"]
    for call in (services.event_accept, services.event_dispatch):
        call(actor=town, event_id=ev.id)
    services.event_sign(actor=district.users["grid111"], event_id=ev.id)
    services.event_resolve(actor=district.users["grid111"], event_id=ev.id, result="已责令停工")
    services.event_verify(actor=town, event_id=ev.id, passed=True)
    services.event_answer(actor=town, event_id=ev.id, answer="已责令施工方夜间停工")
    r = Client().get("/api/hotline/feedback", HTTP_AUTHORIZATION=f"Bearer {token}")
    back = json.loads(r.content)
    assert r.status_code == 200 and back[0]["order_number"] == "P1" and back[0]["answer"] == "已责令施工方夜间停工"
    assert back[0]["status"] == "answered"
