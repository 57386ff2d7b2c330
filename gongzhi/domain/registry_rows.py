"""Reading one row of a district's registry sheet: pure rules, no Django.

Districts keep their 实有人口 and 场所 lists in Excel sheets with their own headers ("身份证号码",
"公民身份号码", "证件号"), dates written every way ("1980.3.5", "1980年3月5日", "19800305") and ID
numbers typed by hand.  These functions turn one row (header → text, already mapped to field names)
into clean values or a list of reasons; the import (registry.imports) reads files, applies them and
writes the rejected rows with their reasons — nothing is dropped silently.

1. ``check_id_number``: 18 characters, a real birth date, the GB 11643-1999 check digit (ISO 7064
   MOD 11-2); the old 15-digit numbers are refused with a reason (they must be converted, the check
   digit cannot be guessed).
2. ``parse_date``: the spellings above, a real calendar day between 1900 and ``today``.
3. ``map_headers``: Chinese headers (any of their usual spellings, with "*", spaces, full-width
   brackets) to field names; an unknown header is reported, never guessed.
4. ``person_row`` / ``unit_row``: one row's clean values or its reasons.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from . import text as hygiene
from .registry import Gender, HouseUse, Relation, Residency, UnitKind

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class BadValue(ValueError):
    """A value that cannot be read; the message is the reason shown on the rejected-rows report."""


def check_digit(first17: str) -> str:
    """GB 11643-1999: Σ(digit × weight) mod 11 indexes "10X98765432"."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def check_id_number(raw: str, today: date) -> str:
    """The number cleaned (spaces dropped, x upper-cased) or BadValue with the reason."""
    v = re.sub(r"\s", "", raw or "").upper()
    if len(v) == 15 and v.isdigit():
        raise BadValue("15 位旧身份证号码，请换算为 18 位后导入")
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise BadValue(f"身份证号码应为 18 位（17 位数字加校验位）：{_short(v)}")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise BadValue(f"身份证号码中的出生日期不存在：{v[6:14]}") from None
    if born.year < 1900 or born > today:
        raise BadValue(f"身份证号码中的出生日期不合理：{v[6:14]}")
    if check_digit(v[:17]) != v[17]:
        raise BadValue("身份证号码校验位不正确（可能抄错一位）")
    return v


def id_birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_gender(id_number: str) -> Gender:
    """The 17th digit: odd for men, even for women."""
    return Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(raw: object, today: date) -> date | None:
    """A date from a cell: a date/datetime (openpyxl reads date cells so), or text in one of the
    usual spellings; empty → None.  A time of day after the date ("2020-01-02 00:00:00") is
    dropped.  Anything else, an impossible day, or a day before 1900 or after ``today`` → BadValue."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        d = raw.date()
    elif isinstance(raw, date):
        d = raw
    else:
        text = str(raw).strip()
        if not text:
            return None
        text = re.sub(r"\s+0?0:00(:00)?$", "", text)
        for form in _DATE_FORMS:
            m = form.match(text)
            if m:
                try:
                    d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise BadValue(f"日期不存在：{text}") from None
                break
        else:
            raise BadValue(f"日期无法识别：{_short(text)}（应如 2020-03-05）")
    if d.year < 1900 or d > today:
        raise BadValue(f"日期不合理：{d.isoformat()}")
    return d


# ---- headers ------------------------------------------------------------------------------------

PEOPLE_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "居民姓名", "人员姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月日"),
    "phone": ("联系电话", "手机号", "手机号码", "电话"),
    "residency": ("人口类型", "人员类型", "户籍类型", "人口类别"),
    "grid": ("网格", "所属网格", "网格编码"),
    "address": ("地址", "居住地址", "现住址", "房屋地址", "住址"),
    "use": ("房屋用途", "房屋类型", "房屋性质"),
    "household": ("户号", "户编号"),
    "relation": ("与户主关系", "关系"),
    "moved_in_on": ("迁入日期", "入住日期", "居住日期"),
    "owner_name": ("产权人", "房东", "房主"),
    "owner_phone": ("产权人电话", "房东电话", "房主电话"),
    "estate": ("小区", "所属小区"),
}
UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "单位名称", "场所名称"),
    "kind": ("类别", "场所类别", "单位类别"),
    "grid": ("网格", "所属网格", "网格编码"),
    "address": ("地址", "场所地址", "单位地址"),
    "credit_code": ("统一社会信用代码", "信用代码"),
    "contact_name": ("负责人", "法定代表人", "联系人"),
    "contact_phone": ("联系电话", "负责人电话", "电话"),
}
REQUIRED = {"people": ("name", "address"), "units": ("name", "kind", "address")}


def norm_header(h: object) -> str:
    """'* 身份证号码（必填）' → '身份证号码': marks, spaces and a bracketed remark dropped."""
    text = re.sub(r"\s|\*|＊", "", str(h or ""))
    return re.sub(r"[（(][^）)]*[）)]$", "", text)


@dataclass
class HeaderMap:
    columns: dict[int, str] = field(default_factory=dict)    # column index → field name
    unknown: list[str] = field(default_factory=list)          # headers nobody maps (reported)
    missing: list[str] = field(default_factory=list)          # required fields with no column


def map_headers(headers: list[object], table: Mapping[str, tuple[str, ...]], required: tuple[str, ...],
                extra: Mapping[str, str] | None = None) -> HeaderMap:
    """Column index → field, by the table's spellings plus ``extra`` (a district's own header →
    field, configured at import).  A field named by two columns keeps the first and reports the
    second as unknown: a value is never silently taken from one of two."""
    lookup = {norm_header(s): f for f, spellings in table.items() for s in spellings}
    lookup.update({norm_header(k): v for k, v in (extra or {}).items() if v in table})
    out = HeaderMap()
    for i, h in enumerate(headers):
        key = norm_header(h)
        if not key:
            continue
        f = lookup.get(key)
        if f is None or f in out.columns.values():
            out.unknown.append(str(h).strip())
        else:
            out.columns[i] = f
    out.missing = [f for f in required if f not in out.columns.values()]
    return out


def header_score(headers: list[object], table: Mapping[str, tuple[str, ...]]) -> int:
    """How many cells of a row are known headers (the header row is the best-scoring of the first
    rows: sheets open with a merged title such as "XX社区实有人口登记表")."""
    known = {norm_header(s) for spellings in table.values() for s in spellings}
    return sum(1 for h in headers if norm_header(h) in known)


# ---- values -------------------------------------------------------------------------------------

_GENDER = {"男": Gender.MALE, "男性": Gender.MALE, "m": Gender.MALE, "女": Gender.FEMALE, "女性": Gender.FEMALE,
           "f": Gender.FEMALE}
_RESIDENCY = {"户籍": Residency.REGISTERED, "户籍人口": Residency.REGISTERED, "常住": Residency.REGISTERED,
              "常住人口": Residency.REGISTERED, "流动": Residency.FLOATING, "流动人口": Residency.FLOATING,
              "外来": Residency.FLOATING, "暂住": Residency.FLOATING, "境外": Residency.OVERSEAS,
              "境外人员": Residency.OVERSEAS, "外籍": Residency.OVERSEAS}
_USE = {"自住": HouseUse.OWNER, "自用": HouseUse.OWNER, "出租": HouseUse.RENTED, "出租屋": HouseUse.RENTED,
        "空置": HouseUse.VACANT, "闲置": HouseUse.VACANT, "经营": HouseUse.BUSINESS, "商用": HouseUse.BUSINESS}
_UNIT_KIND = {"商铺": UnitKind.SHOP, "店铺": UnitKind.SHOP, "学校": UnitKind.SCHOOL, "幼儿园": UnitKind.SCHOOL,
              "企业": UnitKind.ENTERPRISE, "九小场所": UnitKind.NINE_SMALL, "物业": UnitKind.PROPERTY,
              "物业服务企业": UnitKind.PROPERTY, "物业公司": UnitKind.PROPERTY, "其他": UnitKind.OTHER}
_PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def _choice(value: str, table: Mapping[str, object], what: str):
    key = value.strip().lower()
    by_label = {getattr(m, "label", ""): m for m in table.values()}
    if key in table:
        return table[key]
    if value.strip() in by_label:
        return by_label[value.strip()]
    raise BadValue(f"{what}无法识别：{_short(value)}（可填：{'、'.join(dict.fromkeys(table))}）")


def _phone(value: str, what: str) -> str:
    v = re.sub(r"[\s]", "", value)
    if v and not _PHONE.match(v):
        raise BadValue(f"{what}格式不正确：{_short(v)}")
    return v


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _hygiene(raw: Mapping[str, object], table: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A cell holding a control character (a NUL, a bidi override) is refused, as every input is."""
    return [f"「{table[k][0] if k in table else k}」{msg}" for k, msg in
            hygiene.problems({k: v for k, v in raw.items() if isinstance(v, str)}).items()]


@dataclass
class RowResult:
    values: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def person_row(raw: Mapping[str, object], today: date) -> RowResult:
    """One 实有人口 row: name and address required; an ID number, when given, valid and agreeing
    with the birth date and gender given beside it (a wrong digit shows up so); gender and birth
    date taken from the ID number when the sheet leaves them empty."""
    out = RowResult(reasons=_hygiene(raw, PEOPLE_HEADERS))
    text = {k: ("" if v is None else str(v).strip()) for k, v in raw.items()}
    for f in REQUIRED["people"]:
        if not text.get(f):
            out.reasons.append(f"缺少{ {'name': '姓名', 'address': '地址'}[f] }")
    out.values["name"] = text.get("name", "")
    out.values["address"] = re.sub(r"\s+", "", text.get("address", ""))
    if len(out.values["name"]) > 64:
        out.reasons.append("姓名过长")
    if len(out.values["address"]) > 200:
        out.reasons.append("地址过长")
    idn = ""
    if text.get("id_number"):
        try:
            idn = check_id_number(text["id_number"], today)
        except BadValue as exc:
            out.reasons.append(str(exc))
    out.values["id_number"] = idn

    def take(name: str, fn):
        try:
            out.values[name] = fn()
        except BadValue as exc:
            out.reasons.append(str(exc))

    take("birth_date", lambda: parse_date(raw.get("birth_date"), today))
    take("moved_in_on", lambda: parse_date(raw.get("moved_in_on"), today))
    take("gender", lambda: _choice(text["gender"], _GENDER, "性别") if text.get("gender") else None)
    take("residency", lambda: _choice(text["residency"], _RESIDENCY, "人口类型") if text.get("residency")
         else Residency.REGISTERED)
    take("use", lambda: _choice(text["use"], _USE, "房屋用途") if text.get("use") else None)
    take("relation", lambda: _choice(text["relation"], _RELATION, "与户主关系") if text.get("relation") else None)
    take("phone", lambda: _phone(text.get("phone", ""), "联系电话"))
    take("owner_phone", lambda: _phone(text.get("owner_phone", ""), "产权人电话"))
    for f in ("grid", "household", "owner_name", "estate"):
        out.values[f] = text.get(f, "")
    if idn:
        born, sex = id_birth_date(idn), id_gender(idn)
        if out.values.get("birth_date") and out.values["birth_date"] != born:
            out.reasons.append(f"出生日期与身份证号码不符（身份证为 {born.isoformat()}）")
        if out.values.get("gender") and out.values["gender"] != sex:
            out.reasons.append(f"性别与身份证号码不符（身份证为{sex.label}）")
        out.values["birth_date"] = out.values.get("birth_date") or born
        out.values["gender"] = out.values.get("gender") or sex
    out.values["gender"] = out.values.get("gender") or Gender.UNKNOWN
    return out


_RELATION = {"户主": Relation.HEAD, "本人": Relation.HEAD, "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE,
             "夫": Relation.SPOUSE, "妻子": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "子": Relation.CHILD,
             "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD, "子女": Relation.CHILD,
             "父亲": Relation.PARENT, "母亲": Relation.PARENT, "父母": Relation.PARENT, "孙子": Relation.GRANDCHILD,
             "孙女": Relation.GRANDCHILD, "租户": Relation.TENANT, "承租人": Relation.TENANT,
             "其他": Relation.OTHER}


def unit_row(raw: Mapping[str, object], today: date) -> RowResult:
    out = RowResult(reasons=_hygiene(raw, UNIT_HEADERS))
    text = {k: ("" if v is None else str(v).strip()) for k, v in raw.items()}
    for f, label in (("name", "名称"), ("kind", "类别"), ("address", "地址")):
        if not text.get(f):
            out.reasons.append(f"缺少{label}")
    out.values.update(name=text.get("name", ""), address=re.sub(r"\s+", "", text.get("address", "")),
                      grid=text.get("grid", ""), contact_name=text.get("contact_name", ""))
    if text.get("kind"):
        try:
            out.values["kind"] = _choice(text["kind"], _UNIT_KIND, "类别")
        except BadValue as exc:
            out.reasons.append(str(exc))
    code = text.get("credit_code", "").upper()
    if code and not _CREDIT_CODE.match(code):
        out.reasons.append(f"统一社会信用代码格式不正确：{_short(code)}")
    out.values["credit_code"] = code
    try:
        out.values["contact_phone"] = _phone(text.get("contact_phone", ""), "联系电话")
    except BadValue as exc:
        out.reasons.append(str(exc))
    return out
