"""The Chinese admin for reference data, and maps with and without an intranet tile server."""
import math
import re

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core import maps

ADMIN_MODELS = ["areas.area", "areas.department", "auth.user", "accounts.roleassignment", "events.category",
                "events.routingrule", "events.timelimit", "core.calendaryear", "core.specialday",
                "events.event", "core.accesslog", "mediation.disputetype", "mediation.organisation",
                "mediation.mediator", "mediation.case", "legalaid.exemptcategory", "legalaid.livingstandard",
                "legalaid.office", "legalaid.lawyer", "legalaid.application", "casework.documenttemplate",
                "casework.notice", "areas.place", "hotline.crosscheck"]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_every_reference_table_in_chinese(district, model):
    c = Client()
    c.force_login(district.users["admin"])
    app, name = model.split(".")
    r = c.get(reverse(f"admin:{app}_{name}_changelist"))
    assert r.status_code == 200 and 'lang="zh-hans"' in r.content.decode()
    assert "选择" in r.content.decode()          # Django's own Chinese: "选择 … 来修改"


def test_a_users_page_edits_profile_and_roles(district):
    c = Client()
    c.force_login(district.users["admin"])
    user = district.users["grid111"]
    page = c.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert user.profile.display_name in page and "grid_worker" in page


def test_non_staff_cannot_open_the_admin(district):
    c = Client()
    c.force_login(district.users["town1"])
    assert c.get("/admin/").status_code == 302


def test_mercator_round_trip_matches_the_page_script():
    x, y = maps.mercator(117.65, 24.51)
    lon = x * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    assert abs(lon - 117.65) < 1e-9 and abs(lat - 24.51) < 1e-9


def test_tiles_cover_the_grids_when_a_tile_server_is_configured(district, settings):
    settings.GONGZHI_TILE_URL = "http://tiles.intranet/{z}/{x}/{y}.png"
    c = Client()
    c.force_login(district.users["admin"])      # the admin's map shows every grid
    page = c.get("/map/").content.decode()
    tiles = {tuple(map(int, m)) for m in re.findall(r"tiles\.intranet/(\d+)/(\d+)/(\d+)\.png", page)}
    assert tiles
    z = next(iter(tiles))[0]
    # The standard slippy-map tile of every grid's corner is among them.
    for g in district.grids:
        lon, lat = g.geometry["coordinates"][0][0]
        n = 2 ** z
        tx = int((lon + 180) / 360 * n)
        ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        assert (z, tx, ty) in tiles


def test_without_a_tile_server_the_map_needs_no_network(district):
    c = Client()
    c.force_login(district.users["town1"])
    page = c.get("/map/").content.decode()
    assert "<image" not in page and "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", "")


def test_the_english_catalogue_translates_every_message():
    """makemessages collects every UI string; an untranslated one would show Chinese to English readers."""
    from pathlib import Path
    po = (Path(__file__).resolve().parents[2] / "gongzhi/locale/en/LC_MESSAGES/django.po").read_text("utf-8")
    entries = re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', po, re.M)
    joined = [("".join(re.findall(r'"(.*)"', i)), "".join(re.findall(r'"(.*)"', t))) for i, t in entries]
    missing = [i for i, t in joined if i and not t]
    assert len(joined) > 100 and not missing
    assert "#, fuzzy" not in po
    # Labels that reach templates as data must be in the catalogue too (xgettext only sees literals).
    from gongzhi.web import labels
    known = {i for i, _ in joined}
    dynamic = {x for name in ("MENU", "TABS", "SATISFACTION", "OPERATION_LABELS", "STATS", "CASEWORK", "REPORT",
                              "ENUMS", "CORRECTIONS", "FUNDS", "COURT", "COURT_FUNDS") for x in getattr(labels, name)}
    assert dynamic - known == set()
    # Every label of every enum of the domain reaches some page as data: each has its English.
    import importlib
    import inspect
    import pkgutil

    from django.utils import translation

    import gongzhi.domain
    from gongzhi.casework.models import DocKind
    from gongzhi.domain import enums
    # Every module of the domain, so a new pillar's enums (corrections, …) cannot be left out.
    modules = [importlib.import_module(f"gongzhi.domain.{m.name}")
               for m in pkgutil.iter_modules(gongzhi.domain.__path__)]
    labels_of = {m.label for mod in modules for cls in vars(mod).values()
                 if inspect.isclass(cls) and issubclass(cls, enums.LabelledEnum) and cls.__module__ == mod.__name__
                 for m in cls}
    labels_of |= {m.label for m in DocKind}                   # the documents' kinds, shown in every case's file
    with translation.override("en"):
        untranslated = sorted(x for x in labels_of if translation.gettext(x) == x)
    assert untranslated == []
    # Every literal in a template must be in the catalogue (a new page cannot skip makemessages).
    root = Path(__file__).resolve().parents[2] / "gongzhi"
    literals = {m for f in root.rglob("templates/**/*.html")
                for m in re.findall(r"""{% translate ["'](.+?)["'] %}""", f.read_text("utf-8"))}
    assert len(literals) > 100 and literals - known == set()
