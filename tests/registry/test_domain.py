"""The registry's pure rules from written-out tables: ID numbers (GB 11643 check digit), dates,
headers, one sheet row, who reads which special-group mark, age and residence on a day."""
from __future__ import annotations

from datetime import date

import pytest

from gongzhi.domain.enums import Role
from gongzhi.domain.registry import (
    Gender,
    HouseUse,
    Relation,
    Residency,
    SpecialGroup,
    UnitKind,
    adult_born_by,
    age_on,
    is_current,
    may_write_marks,
    visible_groups,
)
from gongzhi.domain.registry_rows import (
    PEOPLE_HEADERS,
    REQUIRED,
    BadValue,
    check_id_number,
    header_score,
    map_headers,
    norm_header,
    parse_date,
    person_row,
    unit_row,
)

TODAY = date(2026, 11, 2)

# (raw, cleaned or the start of the reason)
ID_CASES = [
    ("11010519491231002X", "11010519491231002X"),      # the standard's own example
    ("11010519491231002x", "11010519491231002X"),      # lower-case x
    (" 350602 198003051236 ", "350602198003051236"),   # spaces typed in
    ("440524188001010014", "!身份证号码中的出生日期不合理"),  # check digit right, born 1880
    ("350602198003051236", "350602198003051236"),
    ("35060220000229456X", "35060220000229456X"),      # born on 29 February of a leap year
    ("350602198003051235", "!身份证号码校验位不正确"),   # one digit wrong
    ("350602198003061236", "!身份证号码校验位不正确"),   # two digits swapped in the date
    ("350602190002294561", "!身份证号码中的出生日期不存在"),  # 1900 had no 29 February
    ("350602202711010011", "!身份证号码中的出生日期不合理"),  # born after today
    ("350602198013051236", "!身份证号码中的出生日期不存在"),  # month 13
    ("350602800305123", "!15 位旧身份证号码"),
    ("35060219800305123", "!身份证号码应为 18 位"),
    ("3506021980030512366", "!身份证号码应为 18 位"),
    ("35060219800305123A", "!身份证号码应为 18 位"),
]


@pytest.mark.parametrize(("raw", "expected"), ID_CASES)
def test_id_numbers(raw, expected):
    if expected.startswith("!"):
        with pytest.raises(BadValue) as e:
            check_id_number(raw, TODAY)
        assert str(e.value).startswith(expected[1:])
    else:
        assert check_id_number(raw, TODAY) == expected


DATE_CASES = [
    ("1980-03-05", date(1980, 3, 5)), ("1980/3/5", date(1980, 3, 5)), ("1980.03.05", date(1980, 3, 5)),
    ("1980年3月5日", date(1980, 3, 5)), ("1980年03月05", date(1980, 3, 5)), ("19800305", date(1980, 3, 5)),
    ("2020-01-02 00:00:00", date(2020, 1, 2)), ("", None), ("  ", None), (None, None),
    (date(2001, 1, 1), date(2001, 1, 1)),
    ("2026-11-02", date(2026, 11, 2)),                 # today: allowed
    ("2026-11-03", "!日期不合理"),                       # tomorrow: not
    ("1899-12-31", "!日期不合理"), ("1900-01-01", date(1900, 1, 1)),
    ("2023-02-29", "!日期不存在"), ("2024-02-29", date(2024, 2, 29)),
    ("80年3月5日", "!日期无法识别"), ("3/5/1980", "!日期无法识别"), ("不详", "!日期无法识别"),
    ("44927", "!日期无法识别"),                           # an Excel serial typed as text is not guessed
]


@pytest.mark.parametrize(("raw", "expected"), DATE_CASES)
def test_dates(raw, expected):
    if isinstance(expected, str):
        with pytest.raises(BadValue) as e:
            parse_date(raw, TODAY)
        assert str(e.value).startswith(expected[1:])
    else:
        assert parse_date(raw, TODAY) == expected


def test_headers_map_their_spellings_and_report_the_rest():
    assert norm_header(" * 公民身份号码（必填）") == "公民身份号码"
    headers = ["序号", "姓名", "公民身份号码", "性别", "现住址", "联系电话", "备注", "手机号", None]
    m = map_headers(headers, PEOPLE_HEADERS, REQUIRED["people"])
    assert m.columns == {1: "name", 2: "id_number", 3: "gender", 4: "address", 5: "phone"}
    # 手机号 names phone a second time: reported, not silently taken
    assert m.unknown == ["序号", "备注", "手机号"]
    assert m.missing == []
    # a district's own header, configured at import
    m2 = map_headers(["户主姓名", "门牌"], PEOPLE_HEADERS, REQUIRED["people"], {"户主姓名": "name", "门牌": "address"})
    assert m2.columns == {0: "name", 1: "address"} and m2.missing == []
    assert map_headers(["姓名"], PEOPLE_HEADERS, REQUIRED["people"]).missing == ["address"]
    assert header_score(["瑞京社区实有人口登记表", None, None], PEOPLE_HEADERS) == 0
    assert header_score(["姓名", "身份证号", "地址", "x"], PEOPLE_HEADERS) == 3


def test_a_good_row_takes_gender_and_birth_date_from_the_id_number():
    r = person_row({"name": "林秀英", "id_number": "35060220000229456X", "address": "瑞京社区 8号",
                    "residency": "流动人口", "use": "出租", "relation": "租户", "phone": "13905961234"}, TODAY)
    assert r.reasons == []
    assert r.values["birth_date"] == date(2000, 2, 29)
    assert r.values["gender"] == Gender.FEMALE          # 17th digit 6: even
    assert r.values["address"] == "瑞京社区8号"
    assert (r.values["residency"], r.values["use"], r.values["relation"]) == (
        Residency.FLOATING, HouseUse.RENTED, Relation.TENANT)


ROW_CASES = [
    ({"name": "", "address": ""}, ["缺少姓名", "缺少地址"]),
    ({"name": "王伟", "address": "x", "id_number": "350602198003051236", "birth_date": "1980-03-06"},
     ["出生日期与身份证号码不符（身份证为 1980-03-05）"]),
    ({"name": "王伟", "address": "x", "id_number": "350602198003051236", "gender": "女"},
     ["性别与身份证号码不符（身份证为男）"]),
    ({"name": "王伟", "address": "x", "birth_date": "1980-02-30"}, ["日期不存在：1980-02-30"]),
    ({"name": "王伟", "address": "x", "gender": "未知"}, ["性别无法识别：未知（可填：男、男性、m、女、女性、f）"]),
    ({"name": "王伟", "address": "x", "phone": "12345"}, ["联系电话格式不正确：12345"]),
    ({"name": "王伟", "address": "x", "phone": "0596-2345678", "moved_in_on": "2019.5.1"}, []),
    ({"name": "李\x00四", "address": "x"}, ["「姓名」含有不允许的空字符（U+0000），请删除后重试"]),
]


@pytest.mark.parametrize(("raw", "reasons"), ROW_CASES)
def test_row_reasons(raw, reasons):
    assert person_row(raw, TODAY).reasons == reasons


def test_unit_rows():
    ok = unit_row({"name": "老王小吃", "kind": "九小场所", "address": "北斗社区3号",
                   "credit_code": "91350602MA2XXXXX0A"}, TODAY)
    assert ok.reasons == [] and ok.values["kind"] == UnitKind.NINE_SMALL
    bad = unit_row({"name": "x", "kind": "银行", "address": "", "credit_code": "123"}, TODAY)
    assert bad.reasons == [
        "缺少地址",
        "类别无法识别：银行（可填：商铺、店铺、学校、幼儿园、企业、九小场所、物业、物业服务企业、物业公司、其他）",
        "统一社会信用代码格式不正确：123"]


# Who reads which mark: every role × group, written out.  Y = reads it.
R, G = Role, SpecialGroup
MARK_TABLE = {
    #                     correction mental drug released youth
    R.GRID_WORKER:       (0, 1, 1, 1, 1),
    R.POLICE:            (1, 1, 1, 1, 1),
    R.N_TEAM:            (0, 0, 0, 0, 0),
    R.COMMUNITY_STAFF:   (0, 1, 1, 1, 1),
    R.TOWNSHIP_CENTRE:   (1, 1, 1, 1, 1),
    R.COUNTY_CENTRE:     (1, 1, 1, 1, 1),
    R.DEPARTMENT_STAFF:  (0, 0, 0, 0, 0),
    R.SUPERVISOR:        (0, 0, 0, 0, 0),
    R.PROSECUTOR:        (0, 0, 0, 0, 0),
    R.RESIDENT:          (0, 0, 0, 0, 0),
    R.ADMIN:             (0, 0, 0, 0, 0),
}
ORDER = (G.CORRECTION, G.MENTAL, G.DRUG, G.RELEASED, G.YOUTH)


@pytest.mark.parametrize("role", list(Role))
def test_mark_readers_table(role):
    expected = {g for g, y in zip(ORDER, MARK_TABLE[role], strict=True) if y}
    assert visible_groups([role]) == expected


def test_mark_readers_union_and_writers():
    assert visible_groups([R.GRID_WORKER, R.POLICE]) == set(ORDER)
    assert visible_groups([]) == set()
    writers = {r for r in Role if may_write_marks([r])}
    assert writers == {R.POLICE, R.COMMUNITY_STAFF, R.TOWNSHIP_CENTRE, R.COUNTY_CENTRE}


AGE_CASES = [
    (date(2008, 11, 2), date(2026, 11, 2), 18), (date(2008, 11, 3), date(2026, 11, 2), 17),
    (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18),
    (date(2008, 2, 29), date(2028, 2, 29), 20), (date(1950, 1, 1), date(2026, 11, 2), 76),
]


@pytest.mark.parametrize(("born", "on", "age"), AGE_CASES)
def test_age(born, on, age):
    assert age_on(born, on) == age


def test_adult_born_by():
    assert adult_born_by(date(2026, 11, 2)) == date(2008, 11, 2)
    assert adult_born_by(date(2024, 2, 29)) == date(2006, 2, 28)


CURRENT = [
    (None, None, True), (date(2026, 11, 2), None, True), (date(2026, 11, 3), None, False),
    (None, date(2026, 11, 2), False), (None, date(2026, 11, 3), True), (date(2020, 1, 1), date(2026, 1, 1), False),
]


@pytest.mark.parametrize(("moved_in", "moved_out", "current"), CURRENT)
def test_is_current(moved_in, moved_out, current):
    assert is_current(moved_in, moved_out, date(2026, 11, 2)) is current
