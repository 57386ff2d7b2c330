# ruff: noqa: E501  (the sheet is a table: one row a line)
"""Importing messy sheets as districts keep them: a merged title row, addresses merged over a
household's rows, a GBK CSV, duplicated ID numbers (in the sheet and against the registry), bad
dates and check digits, blank rows, unknown columns — every data row counted, every rejection with
its row number and reason, and a second import adding nothing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gongzhi.core.errors import Forbidden, Invalid
from gongzhi.domain.registry import ImportKind, UnitKind
from gongzhi.registry.imports import rejected_csv, run_import
from gongzhi.registry.models import Change, House, Household, Person, Unit

HEADER = ["序号", "姓名", "公民身份号码", "性别", "出生日期", "* 现住址", "网格编码", "与户主关系", "人口类型",
          "房屋用途", "联系电话", "备注"]


def _rows(grid: str):
    return [  # sheet rows 3..12 (row 1: merged title, row 2: header)
        [1, "郑大海", "350602197503121013", "男", "1975-03-12", "瑞京社区9号楼01室", grid, "户主", "户籍", "自住", "13905961111", ""],
        [2, "郑林氏", "350602197807201020", "女", "1978/7/20", None, grid, "配偶", "户籍", None, "", ""],
        [3, "郑小宝", "350602200501011034", "", "", None, grid, "子女", "户籍", None, "", ""],
        [4, "吴租客", "350602198808081045", "女", "1988年8月8日", "瑞京社区9号楼02室", grid, "租户", "流动人口", "出租", "", "租户"],
        [5, "重复人", "350602197503121013", "男", "", "瑞京社区9号楼03室", grid, "户主", "户籍", "自住", "", "与第3行同号"],
        [6, "坏日期", "350602199202021050", "男", "1992-02-30", "瑞京社区9号楼04室", grid, "户主", "户籍", "自住", "", ""],
        [7, "错校验", "350602196606061064", "女", "", "瑞京社区9号楼05室", grid, "户主", "户籍", "自住", "", ""],
        [None, None, None, None, None, None, None, None, None, None, None, None],    # blank row 10
        [8, "无证件", "", "男", "", "瑞京社区9号楼06室", grid, "户主", "境外人员", "自住", "", "外籍"],
        [9, "外网格", "350602199911111075", "男", "", "瑞京社区9号楼07室", "350602999999", "户主", "户籍", "自住", "", ""],
    ]


def messy_xlsx(grid: str) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["瑞京社区实有人口登记表（2026年11月）"])
    ws.merge_cells("A1:L1")
    ws.append(HEADER)
    for r in _rows(grid):
        ws.append(r)
    ws.merge_cells("F3:F5")          # one address over the household's three rows
    ws.merge_cells("J3:J5")          # and one 房屋用途
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


EXPECTED_REJECTED = [
    (7, "身份证号码与第 3 行重复"),
    (8, "日期不存在：1992-02-30"),
    (9, "身份证号码校验位不正确（可能抄错一位）"),
    (12, "网格「350602999999」不存在或不在您的辖区"),
]


def test_messy_workbook_counts_and_reasons(reg, users):
    g = reg.grids[0]
    people_before, houses_before = Person.objects.count(), House.objects.count()
    run = run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="瑞京.xlsx", content=messy_xlsx(g.code))
    assert (run.rows, run.created, run.updated, run.unchanged, run.blank) == (9, 5, 0, 0, 1)
    assert [(r["row"], r["reason"]) for r in run.rejected] == EXPECTED_REJECTED
    assert run.rows == run.created + run.updated + run.unchanged + len(run.rejected)
    assert run.unknown_headers == ["序号", "备注"] and run.encoding == "xlsx"
    assert Person.objects.count() == people_before + 5
    assert House.objects.count() == houses_before + 3          # 01 (merged), 02, 06
    # the merged address put the whole household in one house and one household, headed by 郑大海
    family = Person.objects.filter(name__in=["郑大海", "郑林氏", "郑小宝"]).select_related("household")
    assert {p.house.address for p in family} == {"瑞京社区9号楼01室"}
    assert len({p.household_id for p in family}) == 1
    assert family[0].household.head.name == "郑大海"
    assert Person.objects.get(name="郑小宝").gender == "male"      # from the ID number's 17th digit
    assert House.objects.get(address="瑞京社区9号楼02室").use == "rented"
    assert Person.objects.get(name="无证件").residency == "overseas"
    # a second import of the same sheet adds and changes nothing
    changes = Change.objects.count()
    again = run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="瑞京.xlsx", content=messy_xlsx(g.code))
    assert (again.rows, again.created, again.updated, again.unchanged) == (9, 0, 0, 5)
    assert [(r["row"], r["reason"]) for r in again.rejected] == EXPECTED_REJECTED
    assert Person.objects.count() == people_before + 5 and House.objects.count() == houses_before + 3
    assert Change.objects.count() == changes
    report = rejected_csv(run).decode("utf-8-sig")
    assert report.splitlines()[0] == "行号,原因,姓名/名称,证件号码（已脱敏）"
    assert "7,身份证号码与第 3 行重复,重复人,350***********1013" in report


def test_gbk_csv_and_duplicates_against_the_registry(reg, users):
    g1, g3 = reg.grids[0], reg.grids[2]
    elsewhere = Person.objects.filter(grid=g3).exclude(id_number="").first()     # 西桥街道: not comm11's
    mine, other = Person.objects.filter(grid=g1, user__isnull=True).exclude(id_number="")[:2]
    lines = ["姓名,身份证号码,居住地址,出生日期,联系电话",
             f"陈外地,{elsewhere.id_number},瑞京社区9号楼08室,,",
             f"张冒名,{other.id_number},瑞京社区9号楼09室,,",
             f"{mine.name},{mine.id_number},{mine.house.address},,13900000000",     # an update of the phone
             "林新户,350602199911111075,瑞京社区9号楼10室,1999.11.11,",
             "赵电话,,瑞京社区9号楼11室,,12345"]
    content = ("\r\n".join(lines) + "\r\n").encode("gbk")
    run = run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="gbk.csv", content=content,
                     grid_code=g1.code)
    assert run.encoding == "gb18030"
    assert (run.rows, run.created, run.updated, run.unchanged) == (5, 1, 1, 0)
    assert [r["row"] for r in run.rejected] == [2, 3, 6]
    assert run.rejected[0]["reason"] == "该身份证号码已登记在其他辖区，请由原辖区办理迁出后再导入"
    assert run.rejected[1]["reason"].startswith("该身份证号码已登记为另一姓名（")
    assert run.rejected[2]["reason"] == "联系电话格式不正确：12345"
    assert Person.objects.get(pk=mine.pk).phone == "13900000000"
    assert Person.objects.get(pk=elsewhere.pk).grid == g3
    assert Person.objects.get(name="林新户").grid == g1


def test_utf8_units_sheet_and_a_configured_header(reg, users):
    g = reg.grids[0]
    csv_text = ("\ufeff店名,类别,地址,统一社会信用代码,负责人\n"
                "阿土小吃,九小场所,瑞京社区9号楼12室,,吴阿土\n"
                "瑞京中学,学校,瑞京社区学府路2号,12350602MB0000000X,\n"
                "美发屋,发廊,瑞京社区9号楼13室,,\n")
    run = run_import(actor=users["comm11"], kind=ImportKind.UNITS, filename="units.csv",
                     content=csv_text.encode("utf-8"), grid_code=g.code, mapping={"店名": "name"})
    assert run.encoding == "utf-8"
    assert (run.rows, run.created, len(run.rejected)) == (3, 2, 1)
    assert run.rejected[0]["row"] == 4 and run.rejected[0]["reason"].startswith("类别无法识别：发廊")
    assert Unit.objects.get(name="阿土小吃").kind == UnitKind.NINE_SMALL
    again = run_import(actor=users["comm11"], kind=ImportKind.UNITS, filename="units.csv",
                       content=csv_text.encode("utf-8"), grid_code=g.code, mapping={"店名": "name"})
    assert (again.created, again.unchanged) == (0, 2)


def _zip(parts: dict) -> bytes:
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "文件不是 Excel"),
    (b"PK\x03\x04broken", "Excel 文件已损坏"),
    ("标题\n无关,内容\n".encode(), "找不到表头行"),
    ("姓名,性别\n王伟,男\n".encode(), "缺少必需的列：address"),
    (_zip({"[Content_Types].xml": b"<not xml"}), "Excel 文件已损坏"),
])
def test_files_that_are_not_sheets_are_refused(reg, users, content, message):
    with pytest.raises(Invalid) as e:
        run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="x.csv", content=content,
                   grid_code=reg.grids[0].code)
    assert e.value.message.startswith(message)


def test_only_registry_writers_import(reg, users):
    with pytest.raises(Forbidden):
        run_import(actor=users["resident1"], kind=ImportKind.PEOPLE, filename="x.csv", content=b"")
    with pytest.raises(Invalid):      # a default grid outside the importer's area
        run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="x.csv", content=b"",
                   grid_code=reg.grids[2].code)


def test_management_command(reg, users, tmp_path, capsys):
    path = tmp_path / "瑞京.xlsx"
    path.write_bytes(messy_xlsx(reg.grids[0].code))
    out = tmp_path / "rejected.csv"
    call_command("registry_import", str(path), "--user", "comm11", "--rejected", str(out))
    printed = capsys.readouterr().out
    assert "数据行 9，新增 5，更新 0，无变化 0，未导入 4，空行 1" in printed
    assert "第 8 行：日期不存在：1992-02-30" in printed
    assert out.read_bytes().decode("utf-8-sig").count("\n") == 5
    assert Household.objects.filter(house__address="瑞京社区9号楼01室").count() == 1


def test_a_sheet_without_a_column_keeps_what_the_registry_has(reg, users):
    g = reg.grids[0]
    run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="瑞京.xlsx", content=messy_xlsx(g.code))
    short = "姓名,身份证号码,地址\n吴租客,350602198808081045,瑞京社区9号楼02室\n".encode()
    run = run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="short.csv", content=short,
                     grid_code=g.code)
    assert (run.rows, run.created, run.updated, run.unchanged) == (1, 0, 0, 1)
    p = Person.objects.get(id_number="350602198808081045")
    assert (p.residency, p.relation, p.gender) == ("floating", "tenant", "female")


def test_a_control_character_far_into_a_csv_is_a_rejected_row(reg, users):
    # past the first 64 KB (where the binary check looks): 40 rows with a long 备注
    content = ("姓名,地址,备注\n" + "".join(f"王伟{k},瑞京社区1号,{'长' * 800}\n" for k in range(40))
               + "李\x00四,x,\n").encode()
    assert len(content) > 65536 and content.index(b"\x00") > 65536
    run = run_import(actor=users["comm11"], kind=ImportKind.PEOPLE, filename="big.csv", content=content,
                     grid_code=reg.grids[0].code)
    assert (run.rows, run.created, len(run.rejected)) == (41, 40, 1)
    assert run.rejected[0]["row"] == 42 and "U+0000" in run.rejected[0]["reason"]
    assert run.unknown_headers == ["备注"]
