"""Issue 17, acceptance: no Chinese of ours on an English page.

Every role of the test district (plus the casework, corrections, court and funds staff the demo
builders add) logs in, switches to English through Django's ``set_language`` view, and walks every
page reachable from its landing page by links (GET only; downloads, writes and the API left out; at
most two pages per route, so a list of fifty events costs two detail pages).  From each page the
user data is removed — every string the world holds in the database (names, descriptions,
addresses, areas, categories, notes: it is all data the test built, not the UI's words) — and then
no CJK character, full-width punctuation included, may remain.  Every leftover is reported with its
page, so a failure says what to translate.

Server-written sentences stored in the database (timeline notes, routing reasons: SERVER_WORDS,
TIMELINE_WORDS) are data only when the catalogue cannot translate them; one it can must be shown
in English.

What this does not see: a server sentence no catalogue entry or pattern knows (it passes as data),
and pages no link leads to from a role's landing page.
"""
from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

# CJK ideographs, CJK punctuation (。、「」…) and full-width forms (，：（）！).
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
HREF = re.compile(r'href="(/[^"#]*)"')
# Not pages: downloads, writes, files, the API, the admin (Django's own catalogue), the language switch.
SKIP = re.compile(r"^/(api|admin|i18n|logout|static|media)/|\.(xlsx|docx|pdf|json|js|webmanifest|csv)$|"
                  r"/do/|/documents/|/files/|/unmask|/evidence/|/photos/|/read$|/open$|/read-all$")
# The privacy policy's masked forms of user data: 王* / 周** and 183****2123.
MASKED = re.compile(r"[\u3400-\u9fff]\*+")
# English strings that quote Chinese on purpose: the headers of Chinese files a user uploads,
# and a Chinese address as the example of the format the registry expects.
QUOTED = ("户主姓名", "交易日期", "金额", "收入金额", "支出金额", "交易流水号", "摘要", "12号3栋201室")
PER_ROUTE = 2
PER_ROLE = 60


@pytest.fixture
def world(district):
    """The district with a few days of events and the older pillars' demo data, built through services."""
    from gongzhi.demo.cases import simulate_cases
    from gongzhi.demo.casework import build_casework
    from gongzhi.demo.corrections import build_corrections
    from gongzhi.demo.court import build_court
    from gongzhi.demo.funds import build_funds
    from gongzhi.demo.simulate import simulate
    from gongzhi.stats.rollup import refresh
    build_casework(district)
    build_corrections(district, subjects=6, weeks=3)
    build_court(district, small=True)
    build_funds(district)
    simulate(district, days=3, per_day=5)
    simulate_cases(district, days=3, per_day=2)
    refresh(full=True)
    return district


# Columns the server writes its own sentences into: every timeline's note and reason, the routing,
# assignment, triage, means-test and cross-check reasons.  Stored in Chinese, shown through the
# catalogue (gz ``translated`` / ``numbered``): a value there that the catalogue translates is no
# user data — the page must show its English, so a template that prints it raw fails.
TIMELINE_WORDS = {"note", "reason"}
SERVER_WORDS = {"events.Event": {"route_reason"}, "mediation.Case": {"org_reason", "mediator_reason"},
                "legalaid.Application": {"lawyer_reason", "eligibility_basis"}, "court.CivilCase": {"track_reason"},
                "hotline.CrossCheck": {"reason"}}


def user_data() -> list[str]:
    """Every Chinese string stored in the database (the world's data), longest first."""
    from django.utils import translation

    from gongzhi.core.timeline import TimelineRow
    from gongzhi.core.wording import translated
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            if CJK.search(value):
                found.add(value)
                found.update(p for p in re.split(r"[\s/]+", value) if CJK.search(p))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        words = SERVER_WORDS.get(model._meta.label, set())
        if issubclass(model, TimelineRow):
            words = words | TIMELINE_WORDS
        server = [i for i, name in enumerate(fields) if name in words]
        if fields:
            for row in model._base_manager.values_list(*fields):
                row = list(row)
                with translation.override("en"):
                    for i in server:
                        if row[i] and translated(row[i]) != row[i]:
                            row[i] = ""
                walk(row)
    return sorted(found, key=len, reverse=True)


def visible_text(html: str) -> str:
    """What a reader sees in <main>, plus attribute values a script or a screen reader shows."""
    main = html[html.find('<main'):] if '<main' in html else html
    main = re.sub(r"<script\b.*?</script>", " ", main, flags=re.S)
    attrs = " ".join(re.findall(r'\b(?:title|placeholder|aria-label|alt|data-[a-z-]+|value)="([^"]*)"', main))
    return unescape(re.sub(r"<[^>]+>", "\n", main) + "\n" + attrs)


def route_of(path: str) -> str | None:
    try:
        return resolve(path.split("?")[0]).route
    except Resolver404:
        return None


def walk(client: Client, start: str, data: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    seen, per_route, queue, left = [], defaultdict(int), [start], {}
    while queue and len(seen) < PER_ROLE:
        path = queue.pop(0)
        route = route_of(path)
        if path in seen or SKIP.search(path.split("?")[0]) or route is None or per_route[route] >= PER_ROUTE:
            continue
        seen.append(path)
        per_route[route] += 1
        r = client.get(path, follow=True)
        if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
            continue
        html = r.content.decode()
        text = visible_text(html)
        for s in data:
            text = text.replace(s, " ")
        text = MASKED.sub(" ", text)
        for s in sorted(QUOTED, key=len, reverse=True):
            text = text.replace(s, " ")
        # Only ASCII white space is stripped: an ideographic space (U+3000) left alone must show.
        lines = sorted({line.strip(" \t\r\n") for line in text.splitlines() if CJK.search(line)})
        if lines:
            left[path] = lines
        queue += [unescape(h) for h in HREF.findall(html)]
    return seen, left


def _roles(world) -> list[str]:
    from gongzhi.legalaid.models import Lawyer, Office
    from gongzhi.mediation.models import Mediator
    names = set(world.users)
    names |= {m.user.username for m in Mediator.objects.filter(user__isnull=False).select_related("user")}
    names |= {u.username for o in Office.objects.all() for u in o.staff.all()}
    names |= {lw.user.username for lw in Lawyer.objects.filter(user__isnull=False).select_related("user")}
    for model, rel in (("corrections.Agency", "staff"), ("funds.Fund", "makers"), ("funds.Fund", "checkers")):
        for obj in apps.get_model(model).objects.all():
            names |= {u.username for u in getattr(obj, rel).all()}
    names |= {m.user.username for m in apps.get_model("court.Member").objects.select_related("user")}
    return sorted(names)


def test_every_page_of_every_role_reads_in_english(world):
    from django.contrib.auth import get_user_model
    data = user_data()
    users = get_user_model().objects
    where, pages = defaultdict(list), 0
    for username in _roles(world):
        c = Client()
        c.force_login(users.get(username=username))
        c.post("/i18n/setlang/", {"language": "en", "next": "/"})
        seen, left = walk(c, "/", data + [username])
        pages += len(seen)
        for path, lines in left.items():
            for line in lines:
                where[line].append(f"{username} {path}")
    c = Client()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in ("/login/", "/track/"):
        _, left = walk(c, path, data)
        for path, lines in left.items():
            for line in lines:
                where[line].append(f"anon {path}")
    # One line per leftover string: how many pages show it, and the first of them.  Full-width
    # punctuation fails as words do: a template writes it inside the translated string
    # ({% translate "理由：" %}) or as its own entry ({% translate "（" %}), never bare.
    report = [f"{line[:160]!r} ×{len(at)} e.g. {at[0]}" for line, at in sorted(where.items())]
    print(f"english scan: {len(_roles(world))} roles, {pages} pages, {len(report)} strings left")
    assert report == [], "\n".join(report)
