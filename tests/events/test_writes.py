"""The intake's hand-built INSERT stores exactly what the model holds, column by column."""
import pytest

from gongzhi.events import intake
from gongzhi.events.models import Event, EventAction

from ..conftest import report_payload

pytestmark = pytest.mark.django_db


def _columns(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_every_column_reads_back_as_written(district):
    data = report_payload(district, 1, kind="tip_off", urgency="urgent", fields={}, title="标题",
                          reporter_phone="13912345678", client_key="row-1")
    event, created = intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(**data))
    assert created
    first = event.actions.all()[0]
    stored, stored_first = Event.objects.get(pk=event.pk), EventAction.objects.get(pk=first.pk)
    assert _columns(stored) == _columns(event)
    assert _columns(stored_first) == _columns(first)
    # auto_now is computed on the way in, not left empty; the rest of the row is what was reported.
    assert stored.updated_at is not None and stored.updated_at == event.updated_at
    assert (stored.kind, stored.confidential, stored.reporter_phone, stored.client_key) == (
        "tip_off", True, "13912345678", "row-1")
    assert stored_first.event_id == stored.pk and stored_first.to_status == stored.status


def test_new_row_builds_the_instance_the_model_would(district):
    from datetime import UTC, datetime

    from gongzhi.core.rows import new_row
    grid = district.grids[0]
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    values = dict(kind="complaint", title="路灯不亮", description="路灯不亮已经三天", area=grid,
                  area_path=grid.path, handler_area=grid, handler_department=None, reported_at=at,
                  route_rule_id=None, lon=117.6, lat=24.5)
    built, plain = new_row(Event, **values), Event(**values)
    assert {k: v for k, v in vars(built).items() if k != "_state"} == \
        {k: v for k, v in vars(plain).items() if k != "_state"}
    assert built.area is grid and built.area_id == grid.pk and built.handler_department is None
    assert built.fields == {} and built.fields is not plain.fields      # a fresh default per row
    with pytest.raises(TypeError, match="no_such_column"):
        new_row(EventAction, no_such_column=1)


def test_new_row_caches_related_rows_and_checks_them_as_the_model_does(district):
    from gongzhi.core.rows import new_row
    grid, user = district.grids[0], district.users["resident1"]
    values = dict(kind="complaint", area=grid, handler_area=grid, created_by=user, reporter=None,
                  fields={"plate": "闽D12345"}, description="路灯不亮已经三天")
    built, plain = new_row(Event, **values), Event(**values)
    assert built._state.fields_cache == plain._state.fields_cache
    assert built.created_by is user and built.created_by_id == user.pk and built.reporter_id is None
    assert built.fields == {"plate": "闽D12345"}              # a given value, not the default
    assert (built._state.adding, built._state.db, built.pk) == (True, None, None)
    with pytest.raises(ValueError, match="Event.area"):
        new_row(Event, area=user)                             # a user is no area, as Event(area=user) says
    with pytest.raises(ValueError):
        Event(area=user)


def test_a_row_leaves_as_json_with_every_column_row_dict_has(district):
    """row_json sends the instance's own attributes (json_populate_record ignores the rest); the
    columns in it carry exactly row_dict's values, and a related row kept in an attribute does
    not break it."""
    import orjson

    from gongzhi.core.rows import row_dict, row_json
    data = report_payload(district, 2, fields={}, client_key="json-1")
    event, created = intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(**data))
    fresh = Event.objects.get(pk=event.pk)
    fresh.updated_at = None                              # auto_now: computed again on the way out
    for obj in (fresh, fresh.actions.all()[0]):
        sent, expected = orjson.loads(row_json(obj)), orjson.loads(orjson.dumps(row_dict(obj), default=str))
        assert {k: sent[k] for k in expected if k != "updated_at"} == {
            k: v for k, v in expected.items() if k != "updated_at"}
    assert orjson.loads(row_json(fresh))["updated_at"] is not None
    fresh.__dict__["_kept"] = [district.grids[0]]        # not a column: falls back to row_dict
    assert set(orjson.loads(row_json(fresh))) == set(row_dict(fresh))
    assert "event_id" not in orjson.loads(row_json(fresh.actions.all()[0], skip=frozenset({"event_id"})))
