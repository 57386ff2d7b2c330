"""The gongzhi console script: calendar, import-grids, sla-sweep; schema and migrations checks."""
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.areas.models import Area
from gongzhi.areas.selectors import grid_at


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Run the real console entry point in a subprocess against its own migrated SQLite file."""
    db = tmp_path_factory.mktemp("cli") / "cli.sqlite3"
    env = {**os.environ, "GONGZHI_DATABASE_URL": f"sqlite:///{db}"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "gongzhi.cli", *args], capture_output=True, text=True,
                              env=env, timeout=120)
    assert run("migrate", "-v0").returncode == 0
    return run


def test_calendar_due_prints_one_iso_line(cli):
    r = cli("calendar", "due", "--start", "2026-09-30T10:00:00+08:00", "--workdays", "10")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2026-10-20T23:59:59+08:00\n"


def test_calendar_due_unknown_year_exits_non_zero_naming_the_year(cli):
    # 2099: a year no calendar package can know yet; the deadline of a start in it is refused.
    r = cli("calendar", "due", "--start", "2099-03-02T10:00:00+08:00", "--workdays", "10")
    assert r.returncode != 0 and "2099" in r.stderr and "calendar load" in r.stderr


def test_calendar_due_rejects_naive_start(db):
    with pytest.raises(CommandError, match="时区"):
        call_command("calendar", "due", "--start", "2026-09-30T10:00:00", "--workdays", "1")


def _square(code, name, level, parent, x0, y0, size=0.01):
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Feature", "properties": {"code": code, "name": name, "level": level, "parent": parent},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_import_grids_upserts_and_indexes(db, tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        _square("g2", "二网格", "grid", "c1", 117.61, 24.50),
        _square("c1", "测试社区", "community", None, 117.60, 24.50, 0.02),
        _square("g1", "一网格", "grid", "c1", 117.60, 24.50),
    ]}
    f = tmp_path / "grids.geojson"
    f.write_text(json.dumps(fc), encoding="utf-8")
    out = StringIO()
    call_command("import_grids", str(f), stdout=out)
    assert "新增 3" in out.getvalue()
    assert Area.objects.get(code="g1").path == "/c1/g1/"
    assert grid_at(117.605, 24.505).code == "g1" and grid_at(117.615, 24.505).code == "g2"
    call_command("import_grids", str(f), stdout=out)
    assert "更新 3" in out.getvalue() and Area.objects.count() == 3


@pytest.mark.parametrize("features, message", [
    ([{"type": "Feature", "properties": {"code": "x", "name": "x"},
       "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}], "有效的面"),
    ([{"type": "Feature", "properties": {"code": "x"}, "geometry": None}], "缺少 code 或 name"),
    ([_square("g9", "九网格", "grid", "nowhere", 117.6, 24.5)], "上级 nowhere 不存在"),
    ([_square("g9", "九网格", "planet", None, 117.6, 24.5)], "层级"),
])
def test_import_grids_refuses_bad_files_whole(db, tmp_path, features, message):
    f = tmp_path / "bad.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection",
                             "features": [_square("ok", "好网格", "grid", None, 117.7, 24.5), *features]}))
    with pytest.raises(CommandError, match=message):
        call_command("import_grids", str(f))
    assert Area.objects.count() == 0        # all or nothing


def test_import_grids_not_json(db, tmp_path):
    f = tmp_path / "x.geojson"
    f.write_text("{not json")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_grids", str(f))


def test_sla_sweep_command_runs(db):
    out = StringIO()
    call_command("sla_sweep", stdout=out)
    assert out.getvalue().startswith("yellow=0 red=0 escalated=0 failed=0") and "reminded=0" in out.getvalue()
    assert "mediation: yellow=0 red=0 legal_aid: yellow=0 red=0" in out.getvalue()     # every case kind swept


def test_openapi_schema_and_docs(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ["/api/events", "/api/events/{event_id}", "/api/events/{event_id}/sign",
              "/api/events/{event_id}/extensions/decide", "/api/events/{event_id}/whistle", "/api/areas/locate"]:
        assert p in paths, p
    assert client.get("/api/docs").status_code == 200


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
