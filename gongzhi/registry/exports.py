"""Excel export of the registry an account sees: people, houses, units — one sheet each.

Every value is written as text (number format "@", and the cell typed as a string so an ID number
is not read as a number and a value starting with "=" is not run as a formula).  ID numbers and
phones are masked unless the exporter may unmask them and asked to, with a reason: then each
person exported in full is one access-log row."""
from __future__ import annotations

import io

from django.db.models import QuerySet

from gongzhi.core.errors import Invalid
from gongzhi.core.models import AccessLog
from gongzhi.domain import privacy
from gongzhi.domain.enums import CaseKind

from . import scope
from .models import House, Person, Unit


def _sheet(wb, title: str, header: list[str], rows):
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append([None] * len(row))
        r = ws.max_row
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c)
            cell.value = "" if value is None else str(value)
            cell.data_type = "s"
            cell.number_format = "@"
    for col, width in zip("ABCDEFGHIJ", (14, 22, 16, 8, 12, 12, 24, 36, 12, 12), strict=False):
        ws.column_dimensions[col].width = width
    return ws


def registry_xlsx(user, *, people: QuerySet[Person], houses: QuerySet[House], units: QuerySet[Unit],
                  unmask: bool = False, reason: str = "") -> bytes:
    import openpyxl
    if unmask and len(reason.strip()) < 2:
        raise Invalid("导出完整证件号码须填写事由", fields={"reason": "必须填写事由"}, code="reason_required")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    full: list[int] = []
    rows = []
    for p in people.select_related("grid", "house"):
        show = unmask and scope.may_unmask(user, p)
        if show:
            full.append(p.pk)
        rows.append([p.name, p.id_number if show else privacy.mask_id_number(p.id_number),
                     p.phone if show else privacy.mask_phone(p.phone), p.get_gender_display(),
                     p.birth_date.isoformat() if p.birth_date else "", p.get_residency_display(), p.grid.name,
                     p.house.address if p.house_id else "", p.moved_in_on or "", p.moved_out_on or ""])
    _sheet(wb, "实有人口", ["姓名", "身份证号码", "联系电话", "性别", "出生日期", "人口类型", "网格", "地址",
                         "迁入日期", "迁出日期"], rows)
    _sheet(wb, "房屋", ["地址", "小区", "用途", "产权人", "产权人电话", "网格"],
           [[h.address, h.estate, h.get_use_display(), h.owner_name, privacy.mask_phone(h.owner_phone), h.grid.name]
            for h in houses.select_related("grid")])
    _sheet(wb, "场所与单位", ["名称", "类别", "地址", "统一社会信用代码", "负责人", "联系电话", "网格"],
           [[u.name, u.get_kind_display(), u.address, u.credit_code, u.contact_name,
             privacy.mask_phone(u.contact_phone), u.grid.name] for u in units.select_related("grid")])
    AccessLog.objects.create(user=user, kind=CaseKind.PERSON, case_id=0, what="导出实有人口名单（Excel）",
                             reason=reason.strip())
    if full:
        AccessLog.objects.bulk_create([AccessLog(user=user, kind=CaseKind.PERSON, case_id=pk,
                                                 what="导出完整证件号码和电话", reason=reason.strip())
                                       for pk in full], batch_size=500)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
