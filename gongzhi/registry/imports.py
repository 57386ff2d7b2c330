"""Importing the sheets districts keep (.xlsx, or CSV in UTF-8 or GBK/GB18030) into the registry.

1. The file is read by its content, never its name: a zip that openpyxl opens is a workbook (its
   first sheet; merged cells give every cell of the range the top-left value — sheets merge the
   address over a household's rows); anything else must be text: UTF-8 (with or without BOM),
   else GB18030 (which contains GBK); a NUL byte or undecodable bytes are refused.
2. The header row is the best-scoring of the first ten rows (a merged title row comes first);
   headers map to fields by the domain's spellings plus the district's own mapping; a header
   nobody maps is reported on the run.
3. Each data row is checked by the domain (domain.registry_rows) and upserted — people by ID
   number (else by name at the address), houses by (grid, address), households by 户号 or the
   house's current one, units by credit code (else name in the grid) — through history.apply,
   so a re-import of the same rows changes and adds nothing.  A row is rejected, with its number
   and reason, when the domain refuses it, when its ID number repeats an earlier row of the
   sheet, when the number is registered to another name or in an area the importer does not
   hold, or when its grid is unknown or not the importer's.  Every data row is counted as
   created, updated, unchanged or rejected; blank rows are counted apart.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core.errors import Forbidden, Invalid
from gongzhi.domain import privacy
from gongzhi.domain.registry import ChangeSource, Gender, ImportKind, Target
from gongzhi.domain.registry_rows import (
    PEOPLE_HEADERS,
    REQUIRED,
    UNIT_HEADERS,
    HeaderMap,
    header_score,
    map_headers,
    person_row,
    unit_row,
)
from gongzhi.domain.text import sanitize

from . import history, scope
from .models import ImportRun, Person, Unit
from .services import GRID_LEVELS, _set_head, house_at, household_in

MAX_BYTES = 20 * 1024 * 1024
TABLES = {ImportKind.PEOPLE: PEOPLE_HEADERS, ImportKind.UNITS: UNIT_HEADERS}
SRC = ChangeSource.IMPORT


@dataclass
class Sheet:
    rows: list[tuple[int, list]]        # (row number as the sheet shows it, cells)
    encoding: str


def read_sheet(content: bytes) -> Sheet:
    if content[:4] == b"PK\x03\x04":
        return _xlsx(content)
    if b"\x00" in content[:65536]:
        raise Invalid("文件不是 Excel（.xlsx）或 CSV 文本", fields={"file": "无法识别的文件"})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:   # pragma: no cover - gb18030 decodes nearly everything; kept for a clear message
        raise Invalid("CSV 编码无法识别（应为 UTF-8 或 GBK）", fields={"file": "编码无法识别"})
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [(i, row) for i, row in enumerate(reader, 1)]
    except csv.Error as exc:      # a NUL past the first 64 KB, a field beyond the csv module's limit
        raise Invalid(f"CSV 第 {reader.line_num} 行无法读取：{exc}", fields={"file": "CSV 格式有误"}) from None
    return Sheet(rows, "utf-8" if encoding == "utf-8-sig" else "gb18030")


def _xlsx(content: bytes) -> Sheet:
    import openpyxl
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:   # noqa: BLE001 - any unreadable upload (bad zip, XML, parts) is the sender's
        raise Invalid("Excel 文件已损坏或不是 .xlsx", fields={"file": str(exc)[:100]}) from None
    if not wb.worksheets:
        raise Invalid("Excel 文件中没有工作表", fields={"file": "没有工作表"})
    ws = wb.worksheets[0]
    fill = {}
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                fill[r, c] = top
    rows = []
    for r, cells in enumerate(ws.iter_rows(values_only=True), 1):
        rows.append((r, [fill.get((r, c), v) for c, v in enumerate(cells, 1)]))
    return Sheet(rows, "xlsx")


@dataclass
class Outcome:
    run: ImportRun
    headers: HeaderMap = field(default_factory=HeaderMap)


def _blank(cells: list) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def run_import(*, actor, kind: ImportKind, filename: str, content: bytes, grid_code: str = "",
               mapping: dict[str, str] | None = None,
               progress: Callable[[int, int], None] | None = None) -> ImportRun:
    """Import one sheet; the run (counts, rejected rows with reasons) is saved and returned."""
    if not scope.may_write(actor):
        raise Forbidden("您不能导入登记信息")
    if len(content) > MAX_BYTES:
        raise Invalid("文件过大（不超过 20 MB）", fields={"file": "文件过大"})
    default_grid = None
    if grid_code:
        default_grid = Area.objects.filter(code=grid_code, level__in=GRID_LEVELS).first()
        if default_grid is None or not scope.may_write_row(actor, default_grid.path):
            raise Invalid("默认网格不存在或不在您的辖区", fields={"grid": "无效网格"})
    sheet = read_sheet(content)
    table = TABLES[kind]
    head = max(sheet.rows[:10], key=lambda r: header_score(r[1], table), default=None)
    if head is None or header_score(head[1], table) < 2:
        raise Invalid("找不到表头行（前 10 行中没有可识别的列名，如 姓名、身份证号码、地址）",
                      fields={"file": "找不到表头"})
    hmap = map_headers(head[1], table, REQUIRED[kind], mapping)
    if hmap.missing:
        raise Invalid(f"缺少必需的列：{'、'.join(hmap.missing)}", fields={"file": "缺少必需的列"})
    run = ImportRun(kind=kind, by=actor, area=default_grid, filename=filename[:200],
                    sha256=hashlib.sha256(content).hexdigest(), encoding=sheet.encoding,
                    unknown_headers=hmap.unknown)
    data = [r for r in sheet.rows if r[0] > head[0]]
    grids = _grids(actor)
    seen: dict[str, int] = {}
    do_row = _person if kind == ImportKind.PEOPLE else _unit
    for done, (rowno, cells) in enumerate(data, 1):
        if _blank(cells):
            run.blank += 1
            continue
        run.rows += 1
        raw = {f: (cells[i] if i < len(cells) else None) for i, f in hmap.columns.items()}
        try:
            with transaction.atomic():
                outcome = do_row(actor, raw, rowno, seen, grids, default_grid)
        except _Rejected as exc:
            outcome = None
            # the report is stored as JSON: a refused character in the cell is dropped there (a NUL
            # cannot be stored), the reason names it
            idn = sanitize(str(raw.get("id_number") or "")).strip()
            run.rejected.append({"row": rowno, "reason": str(exc), "name": sanitize(str(raw.get("name") or ""))[:64],
                                 "id_number": privacy.mask_id_number(idn)})
        except IntegrityError as exc:
            outcome = None
            run.rejected.append({"row": rowno, "reason": f"写入失败：{str(exc)[:80]}",
                                 "name": sanitize(str(raw.get("name") or ""))[:64], "id_number": ""})
        if outcome is not None:
            setattr(run, outcome, getattr(run, outcome) + 1)
        if progress:
            progress(done, len(data))
    run.save()
    return run


class _Rejected(Exception):
    pass


def _grids(actor) -> Callable[[str], Area | None]:
    """A grid by code or name, among the grids the importer may write (read once per import)."""
    paths = scope.area_paths(actor, scope.REGISTRY_WRITERS)
    by_key: dict[str, Area] = {}
    qs = Area.objects.filter(level__in=GRID_LEVELS)
    for g in qs:
        if any(g.path.startswith(p) for p in paths):
            by_key[g.code] = g
            by_key.setdefault(g.name, g)

    def find(key: str) -> Area | None:
        return by_key.get(key.strip())
    return find


def _grid_of(values: dict, grids, default_grid: Area | None) -> Area:
    if values.get("grid"):
        grid = grids(values["grid"])
        if grid is None:
            raise _Rejected(f"网格「{values['grid']}」不存在或不在您的辖区")
        return grid
    if default_grid is None:
        raise _Rejected("缺少网格（请在表中填写网格，或在导入时选择默认网格）")
    return default_grid


def _person(actor, raw: dict, rowno: int, seen: dict[str, int], grids, default_grid) -> str:
    today = timezone.localdate()
    res = person_row(raw, today)
    v = res.values
    idn = v.get("id_number", "")
    reasons = list(res.reasons)
    if idn:
        if idn in seen:
            reasons.append(f"身份证号码与第 {seen[idn]} 行重复")
        else:
            seen[idn] = rowno
    if reasons:
        raise _Rejected("；".join(reasons))
    grid = _grid_of(v, grids, default_grid)
    if idn:
        person = Person.objects.select_for_update().select_related("grid").filter(id_number=idn).first()
    else:
        person = Person.objects.select_for_update().select_related("grid").filter(
            grid=grid, house__address=v["address"], name=v["name"], id_number="").first()
    if person is not None:
        if not scope.may_write_row(actor, person.grid.path):
            raise _Rejected("该身份证号码已登记在其他辖区，请由原辖区办理迁出后再导入")
        if person.name != v["name"]:
            raise _Rejected(f"该身份证号码已登记为另一姓名（{privacy.mask_name(person.name)}），请核对")
    house_values = {"owner_name": v.get("owner_name"), "owner_phone": v.get("owner_phone"),
                    "estate": v.get("estate")}
    house, house_new = house_at(grid, v["address"], by=actor, source=SRC, use=v.get("use"), values=house_values)
    created = person is None
    if created:
        person = Person(grid=grid, verified_at=timezone.now(), verified_by=actor)
    values = {"name": v["name"], "id_number": idn, "grid": grid, "house": house}
    # A column the sheet leaves empty keeps what the registry has (a sheet without 人口类型 must
    # not turn every 流动人口 back into 户籍); a new person takes the defaults.
    if created or str(raw.get("residency") or "").strip():
        values["residency"] = v["residency"]
    if created or v["gender"] != Gender.UNKNOWN:
        values["gender"] = v["gender"]
    for f in ("phone", "relation", "moved_in_on", "birth_date"):
        if v.get(f):
            values[f] = v[f]
    if created or person.house_id != house.pk or (v.get("household") and (
            person.household is None or person.household.number != v["household"])):
        values["household"] = household_in(house, number=v.get("household", ""), by=actor, source=SRC,
                                           on=v.get("moved_in_on"))
    changed = history.apply(person, Target.PERSON, values, by=actor, source=SRC, created=created,
                            note=f"导入第 {rowno} 行")
    if person.household_id:
        _set_head(person.household, person, v.get("relation"), by=actor, source=SRC)
    if created:
        return "created"
    return "updated" if changed or house_new else "unchanged"


def _unit(actor, raw: dict, rowno: int, seen: dict[str, int], grids, default_grid) -> str:
    res = unit_row(raw, timezone.localdate())
    v = res.values
    reasons = list(res.reasons)
    key = v.get("credit_code") or ""
    if key:
        if key in seen:
            reasons.append(f"统一社会信用代码与第 {seen[key]} 行重复")
        else:
            seen[key] = rowno
    if reasons:
        raise _Rejected("；".join(reasons))
    grid = _grid_of(v, grids, default_grid)
    unit = (Unit.objects.select_related("grid").filter(credit_code=key).first() if key else
            Unit.objects.select_related("grid").filter(grid=grid, name=v["name"]).first())
    if unit is not None and not scope.may_write_row(actor, unit.grid.path):
        raise _Rejected("该统一社会信用代码已登记在其他辖区")
    created = unit is None
    if created:
        unit = Unit(grid=grid)
    values = {"name": v["name"], "kind": v["kind"], "grid": grid, "address": v["address"],
              "credit_code": key, "contact_name": v.get("contact_name", ""),
              "contact_phone": v.get("contact_phone", "")}
    changed = history.apply(unit, Target.UNIT, values, by=actor, source=SRC, created=created,
                            note=f"导入第 {rowno} 行")
    return "created" if created else "updated" if changed else "unchanged"


def rejected_csv(run: ImportRun) -> bytes:
    """The rejected rows, for the importer to fix and import again (UTF-8 with BOM: Excel opens it)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["行号", "原因", "姓名/名称", "证件号码（已脱敏）"])
    for r in run.rejected:
        w.writerow([r["row"], r["reason"], _safe(r.get("name", "")), r.get("id_number", "")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(text: str) -> str:
    """A cell that would run as a formula in Excel (=, +, -, @) is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
