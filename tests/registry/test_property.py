"""物业 companies as handling units for 点单 events: a resident's 物业服务 report goes to the 物业服务企业
of its community under the category's own limits (签收 4 小时, 办理 2 个工作日); its staff see it,
another community's 物业 does not."""
from __future__ import annotations

from datetime import timedelta

from gongzhi.domain.registry import UnitKind
from gongzhi.events import intake, services as ev
from gongzhi.events.scope import visible_events
from gongzhi.registry.models import Unit
from tests.conftest import report_payload


def test_property_report_routes_to_the_property_unit_with_its_own_limits(reg, users):
    g = reg.grids[0]
    dept = reg.departments[f"wy-{g.parent.code}"]
    assert Unit.objects.get(department=dept).kind == UnitKind.PROPERTY
    data = intake.ReportInput(**report_payload(reg, 0, category="livelihood-property",
                                               description="小区电梯停运三天，物业一直没有来修"))
    e, _ = intake.event_report(actor=users["resident1"], data=data)
    assert e.handler_department_id == dept.pk and e.handler_area_id == g.parent_id
    assert e.route_reason.endswith("物业服务 → 小区物业服务企业")
    e = ev.event_accept(actor=users["comm11"], event_id=e.pk)
    assert e.due_at - e.accepted_at == timedelta(hours=4)          # 签收: 4 hours, not the default workday
    assert visible_events(users["wy11"]).filter(pk=e.pk).exists()
    assert not visible_events(users["wy12"]).filter(pk=e.pk).exists()
    e = ev.event_dispatch(actor=users["comm11"], event_id=e.pk)
    assert e.sign_due_at - e.dispatched_at == timedelta(hours=4)
    assert e.handle_limit_workdays == 2                               # 办理: 2 workdays, not 10
    e = ev.event_sign(actor=users["wy11"], event_id=e.pk)
    assert e.handler_department_id == dept.pk


def test_other_complaints_keep_the_default_routing(reg, users):
    e, _ = intake.event_report(actor=users["resident1"], data=intake.ReportInput(**report_payload(reg, 0)))
    assert e.handler_department_id is None
