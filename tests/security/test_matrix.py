"""The access matrix (issue 13, acceptance (a)): every API operation and every page × every demo
role × an object in the actor's scope and one out of it.

Generated, not hand-listed:
- the API's operations come from its OpenAPI schema (``gongzhi.api.api.api``), the pages' and
  Open311's routes from walking ``config.urls`` (admin included); every URL parameter is resolved
  to one of the objects built below, and a route, operation or parameter the tables below do not
  know fails the matrix (naming it), so a new endpoint cannot slip past;
- the roles are every ``Role`` of ``gongzhi.domain.enums`` plus the casework holders the demo
  builds (a mediator, a legal-aid workstation, a lawyer), and the anonymous visitor.

What each role may do is written out here (READ, READ_DOC, the capacity sets and the operation
tables, the allow-list for endpoints without an object), never computed from the scope code.
Checked in every cell: nobody ever gets a 5xx; out of scope → 404 (or 403), with not a word of
the object (number, title/description, reporter or party names and phones, ID numbers) — and
more broadly no response to a role carries the secrets of any object that role may not read;
in scope without the capacity → 403/404/409/422 and nothing written; anonymous → 401 JSON on the
API, a redirect to the login page on pages.  A write the role may make on the object is not sent
(the object's read shows it in scope); every request that is sent runs inside a savepoint rolled
back after it, so every cell starts from the same world (built once for the module).

Size (each test prints its line ``matrix[...]``; measured on the shared 2-core machine):
- API: the schema's 74 operations, plus searches, ``?area=`` and another-object's-file variants
  (86) × 15 roles × 2 objects per family (events, dispute cases, legal-aid applications, areas);
  2 205 role cells: 1 578 requests sent, 259 allowed writes not sent, 368 second objects skipped
  for roles that read neither of the pair.
- Pages: the 34 routes of the web, statistics, language and API-docs URL conf, the operation routes
  expanded per operation (22 event, 14 mediation, 11 legal-aid): 101 operations/variants; 2 668
  role cells: 1 841 requests, 251 allowed writes not sent, 433 second objects skipped.
- Open311: 7 routes → 9 variants × 2 formats × 15 roles (270 requests); admin: 196 routes, every one
  as the anonymous visitor and the admin, the gate-level ones and each model's list as every role
  (1 302 requests).
- In all ≈ 5 000 requests: 21 s on SQLite, 28 s on PostgreSQL run one after the other (world
  built once, 2.5 s), in five tests that balance over ``-n 2``.
- Since: 社区矫正, 民事速裁, 三金 (subj_*, civ_*, dep_*, grant_*, fund_*), 积分超市 (pts_*: accounts,
  claims, redemptions, postings, stock; the shop's manager jfgl1 and the counter's dhd1 are roles
  here), 基础信息登记 (reg_*: people, houses, households, units, claims, marks, import runs; the
  full ID number and phone are their own object, read by the person only), 消息通知 (ntf_*: one's
  own inbox), the public tracker (wrong and right pairs), /chains/; 出卷票决, 信用档案, 清单任务
  and 随机抽查回访 by an id nobody has only (their in-scope objects: tests/votes, tests/credit,
  tests/gridwork, tests/events).
"""
from __future__ import annotations

import copy
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.conftest import point_in, sh
from tests.security.conftest import once_per_suite

pytestmark = once_per_suite()


# ---- who ---------------------------------------------------------------------------------------

# username → what they stand for.  "anon" is nobody logged in.
ROLES = {
    "resident1": "居民（本人）", "resident2": "另一位居民", "grid111": "网格员", "police11": "网格警员",
    "nteam": "N类力量", "comm11": "社区工作人员", "town1": "乡镇（街道）综治中心", "county": "区（县）综治中心",
    "dept_cg": "部门工作人员", "supervisor": "督查人员", "med11": "调解员（社区调委会）",
    "aid2": "法律援助工作站", "lawyer1": "援助律师", "admin": "系统管理员", "anon": "未登录",
    # 社区矫正 (demo.corrections), 民事速裁 (demo.court), 三金 (demo.funds)
    "sfs1": "司法所工作人员", "sqjz": "区（县）社区矫正机构负责人", "jcg1": "检察人员",
    "judge1": "速裁法官", "clerk1": "速裁书记员", "sanjin1": "三金经办人", "sanjin2": "三金复核人",
    "sjtj1": "三金所担保案件的调委会调解员",
    # 积分超市 (the matrix's own: a shop's manager and a redemption point's clerk)
    "jfgl1": "积分超市管理员", "dhd1": "兑换点工作人员",
}
LOGGED_IN = frozenset(ROLES) - {"anon"}

# ---- what: the objects and the words that must not leak ------------------------------------------
# grid 0 lies in township 1 / community 1-1; grid 4 in township 2 / community 2-1.

DESC = {"ev_a": "矩阵甲号：瑞京路口井盖松动车辆经过响声很大", "ev_b": "矩阵乙号：邻居装修长期深夜施工协商无果",
        "ev_c": "矩阵丙号：瑞京路口井盖松动车辆经过响声很大"}
REPORTER = {"ev_a": ("欧阳甲报", "13700000101"), "ev_b": ("欧阳乙报", "13700000202"),
            "ev_c": ("欧阳丙报", "13700000303")}
FACTS = {"case_a": "矩阵调甲：楼上漏水导致楼下天花板发霉，双方协商不成",
         "case_b": "矩阵调乙：两户因院墙边界发生争执，多次协商不成"}
PARTIES = {"case_a": [("applicant", "司马调甲", "13700001101", "350602198001011111"),
                      ("respondent", "司马调甲对", "13700001102", "")],
           "case_b": [("applicant", "司马调乙", "13700002201", "350602198002022222"),
                      ("respondent", "司马调乙对", "13700002202", "")]}
AID = {"app_a": ("上官援甲", "13700003301", "350602199003033333", "矩阵援甲：在工地务工被拖欠工资八个月多次讨要未果"),
       "app_b": ("上官援乙", "13700004401", "350602199004044444",
                 "矩阵援乙：儿子涉嫌盗窃被刑事拘留家庭困难无力聘请律师")}

# Who reads each object at all; everyone else gets a 404 and not a word of it.
READ = {
    "ev_a": {"resident1", "grid111", "police11", "nteam", "comm11", "town1", "county", "supervisor", "admin"},
    "ev_b": {"resident2", "dept_cg", "county", "supervisor", "admin"},     # handled by a county department
    "ev_c": {"resident2", "grid111", "police11", "nteam", "comm11", "town1", "county", "supervisor", "admin"},
    "case_a": {"resident1", "med11", "comm11", "town1", "county", "supervisor", "admin"},
    "case_b": {"resident2", "county", "supervisor", "admin"},
    # centres and supervisors read the applications of their area (masked) to 督办 them
    "app_a": {"resident1", "aid2", "comm11", "town1", "county", "supervisor", "admin"},
    "app_b": {"resident2", "lawyer1", "county", "supervisor", "admin"},
    "area_a": {"comm11", "town1", "county", "supervisor", "admin"},       # statistics of community 1-1
    "area_b": {"county", "supervisor", "admin"},                          # statistics of community 2-1
}
# Case documents name the parties in full: the handling body, the lawyer and the applicant only
# (a system administrator reads cases masked, like a supervisor: ADR 0012).
READ_DOC = {"case_a": {"resident1", "med11"}, "case_b": {"resident2"},
            "app_a": {"resident1", "aid2"}, "app_b": {"resident2", "lawyer1"}}

# The capacities each role holds on each object (ev_a: handled by grid 0, being handled; ev_b:
# handled by the county's 城市管理局, being handled; case_*: accepted by the community committee;
# app_a: approved by the township workstation; app_b: assigned to lawyer1 by the county centre).
HANDLER = {"ev_a": {"grid111", "police11", "nteam"}, "ev_b": {"dept_cg"}}
CENTRE = {"ev_a": {"comm11", "town1", "county", "admin"}, "ev_b": {"county", "admin"}}
SUPERVISOR = {"ev_a": {"supervisor", "admin"}, "ev_b": {"supervisor", "admin"}}
REPORTS = {"ev_a": {"resident1"}, "ev_b": {"resident2"}}
CO_HANDLER = {"ev_a": set(), "ev_b": set()}                              # nobody was whistled in
ORG = {"case_a": {"med11", "admin"}, "case_b": {"admin"}}
WATCH = {"case_a": {"comm11", "town1", "county", "supervisor", "admin"}, "case_b": {"county", "supervisor", "admin"}}
# centres move a case on (移交); supervisors only press it (督办)
MEDIATION_CENTRE = {"case_a": {"comm11", "town1", "county", "admin"}, "case_b": {"county", "admin"}}
AID_WATCH = {"app_a": {"comm11", "town1", "county", "supervisor", "admin"}, "app_b": {"county", "supervisor", "admin"}}
APPLICANT = {"case_a": {"resident1"}, "case_b": {"resident2"}, "app_a": {"resident1"}, "app_b": {"resident2"}}
OFFICE = {"app_a": {"aid2", "admin"}, "app_b": {"admin"}}
LAWYER = {"app_a": set(), "app_b": {"lawyer1"}}

# ---- the operations tables: who may act (capacities) and a valid body ------------------------------
# A valid body matters: an invalid one is refused (422) before the scope is even looked at.

EVENT_OPS = {
    "accept": ((CENTRE,), {}),
    "reject": ((CENTRE,), {"reason": "不属受理范围"}),
    "dispatch": ((CENTRE,), {}),
    "sign": ((HANDLER,), {}),
    "return": ((HANDLER,), {"reason": "不属本单位职责"}),
    "notes": ((HANDLER, CO_HANDLER), {"note": "已到现场查看"}),
    "resolve": ((HANDLER,), {"result": "已安排维修完毕"}),
    "extensions": ((HANDLER,), {"workdays": 3, "reason": "需协调多个部门"}),
    "extensions/decide": ((CENTRE,), {"approve": True, "note": "同意"}),
    "escalate": ((HANDLER, CENTRE), {"reason": "需上级协调"}),
    "skip-escalate": ((HANDLER, CENTRE), {"reason": "需越级协调"}),
    "whistle": ((HANDLER, CENTRE), {"departments": [{"department": "350602-yj", "role": "assist"}],
                                    "reason": "需要应急部门协办"}),
    "check-in": ((CO_HANDLER,), {"note": "已报到"}),
    "supervise": ((CENTRE, SUPERVISOR), {"level": "normal", "note": "请加快办理"}),
    "verify": ((CENTRE,), {"passed": True, "note": "核查属实"}),
    "answer": ((CENTRE,), {"answer": "已处理完毕"}),
    "revisit": ((CENTRE, REPORTS), {"satisfaction": 5, "note": "满意"}),
    "reopen": ((CENTRE, REPORTS), {"reason": "问题仍未解决"}),
    "close": ((CENTRE,), {"note": "归档"}),
    "merge": ((CENTRE,), {"into": "<ev_c.number>", "reason": "同一问题重复上报"}),
    "reclassify": ((CENTRE,), {"urgency": "urgent", "note": "更正紧急程度"}),
    "split": ((CENTRE,), {"category": "urban-stall", "description": "另有占道经营问题需单独处理"}),
}
# The other POSTs on an event: API path or page name → (capacities, body).
EVENT_EXTRA = {
    "unmask": ((CENTRE, SUPERVISOR, HANDLER), {"reason": "回访需要联系报告人"}),
    "attachments": ((HANDLER, CENTRE, SUPERVISOR, REPORTS), None),          # a small PNG, multipart
    "from-event": ((HANDLER, CENTRE), {"dispute_type": "neighbour", "claim": "停止噪音",
                                       "parties": [{"role": "respondent", "name": "某住户"}]}),
}
MEDIATION_OPS = {
    "accept": ((ORG,), {}),
    "refuse": ((ORG,), {"reason": "不属人民调解范围"}),
    "transfer": ((ORG, MEDIATION_CENTRE), {"organisation": "350602-labour", "reason": "移交专业调委会"}),
    "assign": ((ORG,), {}),
    "recuse": ((ORG, APPLICANT), {"reason": "调解员与当事人有亲属关系"}),
    "schedule": ((ORG,), {"scheduled_at": "2026-11-10T09:30:00+08:00", "mode": "in_person", "place": "调解室"}),
    "record": ((ORG,), {"attendees": "双方当事人、调解员", "record": "双方陈述意见，调解员释法明理"}),
    "succeed": ((ORG,), {"agreement_terms": "一、双方同意各让一步；二、再无争议。"}),
    "sign": ((ORG,), {}),
    "fail": ((ORG,), {"reason": "双方分歧较大", "referral": "litigation"}),
    "confirm": ((ORG,), {"court": "漳州市芗城区人民法院"}),
    "follow-up": ((ORG,), {"performance": "full", "note": "已履行"}),
    "close": ((ORG,), {}),
    "withdraw": ((APPLICANT, ORG), {"reason": "双方已自行和解"}),
    "supervise": ((WATCH,), {"level": "yellow", "note": "请限期调结"}),
}
LEGALAID_OPS = {
    "approve": ((OFFICE,), {}),
    "deny": ((OFFICE,), {"reason": "不符合经济困难标准"}),
    "transfer": ((OFFICE,), {"office": "350602-fyzx", "reason": "转交有管辖权的机构"}),
    "assign": ((OFFICE,), {}),
    "reassign": ((OFFICE,), {"reason": "律师回避"}),
    "progress": ((LAWYER, OFFICE), {"note": "已会见受援人"}),
    "conclude": ((LAWYER, OFFICE), {"result": "经调解结案，受援人权益得到维护", "recovered": "1000"}),
    "review": ((OFFICE,), {"scores": [{"expert": "王教授", "score": 90}]}),
    "revisit": ((OFFICE,), {"satisfaction": 5, "note": "满意"}),
    "close": ((OFFICE,), {}),
    "withdraw": ((APPLICANT, OFFICE), {"reason": "已与对方和解"}),
    "complex": ((OFFICE,), {"reason": "需调取多方证据，案情复杂"}),
    "supervise": ((AID_WATCH,), {"level": "normal", "note": "请加快审查"}),
}
FAMILY_OPS = {"event": EVENT_OPS, "mediation": MEDIATION_OPS, "legalaid": LEGALAID_OPS}
FAMILY_OBJECTS = {"event": ("ev_a", "ev_b"), "mediation": ("case_a", "case_b"), "legalaid": ("app_a", "app_b")}
# A role that reads neither object of a pair asks about the first only (the one in grid 0 / community
# 1-1: where most of them work, so the nearest thing to a leak); everyone else asks about both.
SECOND = {"ev_b": "ev_a", "case_b": "case_a", "app_b": "app_a", "area_b": "area_a"}

STATS_READERS = {"comm11", "town1", "county", "supervisor", "admin"}
COURT_STATS = {"judge1", "clerk1"}
BOARD_READERS = {"comm11", "town1", "county", "supervisor", "admin"}
# No area, department or admin role: residents, and the legal-aid office and its lawyer (who work
# from /legalaid/).  The staff pages (queue, desk, map) refuse them.
NOT_STAFF = {"resident1", "resident2", "aid2", "lawyer1",
             # the pillars' people hold no area role (a prosecutor's county is no area staff's: ADR 0016)
             "sfs1", "sqjz", "jcg1", "judge1", "clerk1", "sanjin1", "sanjin2", "sjtj1",
             "jfgl1", "dhd1"}

def everyone(status) -> dict:
    return {"*": status}


# ---- API endpoints without an object: the allow-list, one line each ---------------------------------
# (method, path) → (body or query, {role: status}; "*" for the rest of the logged-in roles)
def _api_open(w) -> dict:
    lon, lat = point_in(w.d, 0)
    report = {"kind": "complaint", "category": "urban-appearance", "description": "小区门口垃圾堆积多日无人清运",
              "lon": lon, "lat": lat, "address": "瑞京路1号"}
    return {
        ("GET", "/api/events"): (None, everyone(200)),                       # each reads their own scope
        ("GET", "/api/events/queue"): (None, everyone(200)),                 # each their own 待办
        # the public tracker (no sign-in): a wrong number/last-4 pair is the one 404 (429 past the limit)
        ("POST", "/api/track"): ({"number": w.ev["ev_a"].number, "last4": "0000"},
                                 {"anon": {404, 429}, "*": {404, 429}}),
        ("POST", "/api/events"): (report, everyone(201)),                    # anyone may report
        ("GET", "/api/areas"): (None, everyone(200)),                        # reference data
        ("GET", "/api/areas/locate"): ({"lon": lon, "lat": lat}, everyone(200)),
        ("GET", "/api/categories"): (None, everyone(200)),
        ("GET", "/api/me"): (None, everyone(200)),
        # a suggestion for anyone typing a report; 503 until a model is trained
        ("POST", "/api/classify"): ({"title": "", "text": "小区路灯坏了好几天"}, {"*": {200, 503}}),
        ("GET", "/api/stats/kpis"): (None, {**{r: 200 for r in STATS_READERS}, "*": 404}),
        ("POST", "/api/hotline/orders"): ([], {"county": 200, "admin": 200, "*": 403}),
        ("GET", "/api/hotline/feedback"): (None, {"county": 200, "admin": 200, "*": 403}),
        ("GET", "/api/mediation/types"): (None, everyone(200)),
        ("GET", "/api/mediation/organisations"): (None, everyone(200)),
        ("POST", "/api/mediation"): ({"dispute_type": "neighbour", "facts": "楼上住户长期深夜噪音扰民协商无果",
                                      "area": w.d.grids[1].code, "parties": [
                                          {"role": "applicant", "name": "某申请人"},
                                          {"role": "respondent", "name": "某被申请人"}]}, everyone(201)),
        ("GET", "/api/mediation"): (None, everyone(200)),
        ("GET", "/api/mediation/stats"): ({"start": "2026-10-01", "end": "2026-11-02"}, everyone(200)),
        ("GET", "/api/legalaid/reference"): (None, everyone(200)),
        ("POST", "/api/legalaid"): ({"applicant_name": "某申请人", "phone": "13500000000", "area": w.d.grids[1].code,
                                     "household_size": 3, "monthly_income": "800", "pledge": True,
                                     "matter": "civil", "specialty": "labour",
                                     "summary": "被拖欠工资三个月多次讨要未果"}, everyone(201)),
        # only the office's own staff register its consultations
        ("POST", "/api/legalaid/consultations"): ({"office": w.station.code, "topic": "劳动合同咨询"},
                                                  {"aid2": 201, "admin": 201, "*": 403}),
        ("GET", "/api/legalaid"): (None, everyone(200)),
        ("GET", "/api/legalaid/stats"): ({"start": "2026-10-01", "end": "2026-11-02"}, everyone(200)),
    }


# Lists searched for each object's words: a role that may not read the object finds nothing of it.
SEARCHES = {"/api/events": "q", "/desk/": "q", "/desk/export.xlsx": "q"}
# Endpoints that take an area (query ?area=): its statistics are read like an object.
AREA_ENDPOINTS = {"/api/stats/kpis", "/stats/", "/stats/screen/", "/stats/screen/panel", "/stats/omissions/",
                  "/stats/export.xlsx"}


# ---- pages without an object: the allow-list ---------------------------------------------------------
# URL name → {method: (form or query, {role: status})}.  Anonymous visitors of every page not
# listed in PUBLIC_PAGES are redirected to the login page.
def _pages_open(w) -> dict:
    lon, lat = point_in(w.d, 1)
    report = {"kind": "complaint", "category": "urban-appearance", "description": "小区门口垃圾堆积多日无人清运",
              "urgency": "normal", "lon": lon, "lat": lat, "address": "瑞京路1号", "client_key": "matrix-page"}
    mediation = {"dispute_type": "neighbour", "facts": "楼上住户长期深夜噪音扰民协商无果", "area": w.d.grids[1].code,
                 "applicant_name": "某申请人", "respondent_name": "某被申请人"}
    aid = {"applicant_name": "某申请人", "phone": "13500000000", "area": w.d.grids[1].code, "household_size": "3",
           "monthly_income": "800", "pledge": "on", "matter": "civil", "specialty": "labour",
           "summary": "被拖欠工资三个月多次讨要未果"}
    home = {"*": 302}                        # "/" sends each role to its own page
    return {
        "web:index": {"GET": (None, {"anon": 200, **home})},
        "web:login": {"GET": (None, everyone(200))},
        # POST ends the session (the test restores it); GET is refused since Django 5
        "web:logout": {"GET": (None, {"anon": 405, "*": 405}), "POST": ({}, {"anon": 302, "*": 302})},
        "web:report": {"GET": (None, everyone(200)), "POST": (report, everyone(302))},
        "web:report_fields": {"GET": ({"category": "urban-noise"}, everyone(200))},
        "web:report_suggest": {"GET": (None, everyone(405)),
                               "POST": ({"description": "小区路灯坏了好几天"}, everyone(200))},
        # the work lists show each role its own scope; queue, desk and map are staff pages
        "web:mine": {"GET": (None, everyone(200))},
        "web:queue": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 200})},
        "web:desk": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 200})},
        "web:map": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 200})},
        # the web map's data: grid boundaries for whoever may report, event pins for staff only
        "web:map_grids": {"GET": (None, everyone(200))},
        "web:map_events": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 200})},
        # 随机抽查回访: the centres' call-back list (and the admin's)
        "web:revisits": {"GET": (None, {**{r: 200 for r in ("comm11", "town1", "county", "admin")}, "*": 404})},
        # the desk's list as a 台账 (.xlsx): a staff page, each their own scope (searched below); a
        # POST of a list past GONGZHI_EXPORT_AT_ONCE makes a background job (none is that long here)
        "web:desk_export": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 200}),
                            "POST": ({}, {**{r: 403 for r in NOT_STAFF}, "*": 200})},
        # one's own background exports (their owner's reads and others' 404s: tests/events/test_export)
        "web:desk_exports": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 200})},
        # public: the tracker (number + the phone's last 4 digits; a wrong pair finds nothing, and
        # the tries are limited per address) and the 适老化 switch (a cookie, dropped by the test)
        "web:track": {"GET": (None, {"anon": 200, "*": 200}),
                      "POST": ({"number": w.ev["ev_a"].number, "last4": "0000"}, {"anon": {200, 404, 429},
                                                                              "*": {200, 404, 429}})},
        "web:elder_mode": {"GET": (None, {"anon": 405, "*": 405}),
                           "POST": ({"on": "1", "next": "/"}, {"anon": 302, "*": 302})},
        # the 督办台: supervisors and centres (and the admin); everyone else finds no such page
        "web:supervise": {"GET": (None, {**{r: 200 for r in BOARD_READERS}, "*": 404})},
        "web:mediation_apply": {"GET": (None, everyone(200)), "POST": (mediation, everyone(302))},
        "web:legalaid_apply": {"GET": (None, everyone(200)), "POST": (aid, everyone(302))},
        # always back to the list with a message; only the office's staff write (checked: unchanged)
        "web:legalaid_consultation": {"GET": (None, everyone(405)),
                                      "POST": ({"office": w.station.code, "topic": "劳动合同咨询"}, everyone(302))},
        "web:cases": {"GET": (None, everyone(200))},
        "web:mediation_list": {"GET": (None, everyone(200))},
        "web:legalaid_list": {"GET": (None, everyone(200))},
        # a court's staff read their courts' figures there, never an area's (stats/court.py staff_page)
        "stats:report": {"GET": (None, {**{r: 200 for r in STATS_READERS | COURT_STATS}, "*": 404})},
        "stats:screen": {"GET": (None, {**{r: 200 for r in STATS_READERS}, "*": 404})},
        "stats:screen_panel": {"GET": (None, {**{r: 200 for r in STATS_READERS}, "*": 404})},
        "stats:omissions": {"GET": (None, {**{r: 200 for r in STATS_READERS}, "*": 404})},
        "stats:export": {"GET": (None, {**{r: 200 for r in STATS_READERS}, "*": 404})},
        # public: the language switch (the test drops the cookie it sets) and the API's docs
        "set_language": {"POST": ({"language": "en", "next": "/"}, {"anon": 302, "*": 302})},
        "api-1:openapi-json": {"GET": (None, {"anon": 200, "*": 200})},
        "api-1:openapi-view": {"GET": (None, {"anon": 200, "*": 200})},
        "api-1:api-root": {"GET": (None, {"anon": 404, "*": 404})},         # nothing: the docs are /api/docs
    }


# Answers that do not depend on who asks and are costly to build, asked by fewer roles: the OpenAPI
# schema (public, ~0.4 s a build) by the anonymous visitor; the classifier's suggestion (~50 ms)
# by the anonymous visitor (sent to log in) and one logged-in user.
SAME_FOR_EVERYONE = {"api-1:openapi-json": ("anon",), "web:report_suggest": ("anon", "resident1")}


PUBLIC_PAGES = {"web:index", "web:login", "web:logout", "set_language", "api-1:openapi-json", "api-1:openapi-view",
                "api-1:api-root", "web:field_sw", "web:field_manifest", "web:track", "web:elder_mode"}
# API paths that need no sign-in (auth=None): the tracker.
PUBLIC_API = {"/api/track"}
# Writes allowed to these roles only, through pages that answer everyone alike (a redirect with a message).
PAGE_WRITERS = {"web:legalaid_consultation": {"aid2", "admin"}}

# Pages about one object: URL name → (family, what the cell does).  read: GET, 200 for READ; file:
# GET of the object's attachment or document; op: POST per operation of the family's table; the
# others POST one thing (a GET of each POST-only view is a 405 before anything is looked up).
PAGE_OBJECT = {
    "web:event": ("event", "read"), "web:attachment": ("event", "file"),
    "web:event_do": ("event", "op"), "web:event_unmask": ("event", "unmask"),
    "web:event_mediate": ("event", "from-event"), "web:desk_dispatch": ("event", "desk"),
    "web:case": ("case", "read"), "web:case_document": ("case", "file"), "web:case_do": ("case", "op"),
}

# ---- Open311: public by design, the same for every role (no session is read) -------------------
# route → expectation; a public request may show its number and description, never a reporter.
OPEN311 = {
    "discovery": everyone(200), "services": everyone(200), "services/<code>": everyone(200),
    "requests GET": everyone(200), "requests POST": everyone(403),      # POST needs an api_key
    # a complaint is published or not as its category is configured; a dispute never
    "requests/<ev_a>": {"*": {200, 404}}, "requests/<ev_b>": everyone(404),
    "tokens/<token>": everyone(404), "servicerequestupdates": everyone(200),
}

# ---- the world -------------------------------------------------------------------------------------


@dataclass
class World:
    d: object
    media: str
    ev: dict = field(default_factory=dict)
    att: dict = field(default_factory=dict)
    case: dict = field(default_factory=dict)
    app: dict = field(default_factory=dict)
    doc: dict = field(default_factory=dict)         # case_a/case_b/app_a/app_b → document id
    area: dict = field(default_factory=dict)
    station: object = None
    secrets: dict = field(default_factory=dict)     # object → words that must not leak
    # the pillars' objects (subj_a, task_a, civ_a, series_a, dep_a, grant_a, fund_a and their _b)
    subj: dict = field(default_factory=dict)
    child: dict = field(default_factory=dict)       # subj_* → {sanction, leave, monitor, oversight: row}
    task: dict = field(default_factory=dict)
    civ: dict = field(default_factory=dict)
    civ2: object = None                             # civ_a's twin in its series
    series: dict = field(default_factory=dict)
    dep: dict = field(default_factory=dict)
    grant: dict = field(default_factory=dict)
    fund: dict = field(default_factory=dict)
    pdoc: dict = field(default_factory=dict)        # pillar object → a document id
    med_sent: object = None                         # med11's failed case, taken to court
    sfs1_code: str = ""
    shown: dict = field(default_factory=dict)       # role → words of objects it may not read, shown it by rule
    sfs2_code: str = ""
    pts: dict = field(default_factory=dict)         # pts_* → person, shop, counter, item, claim, redemption, ...
    reg: dict = field(default_factory=dict)         # reg_* → person, house, household, unit, claim, mark, run
    ntf: dict = field(default_factory=dict)         # ntf_* → a notification


def _png() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _build(media) -> World:
    from gongzhi.demo.casework import build_casework
    from gongzhi.demo.district import build_district
    from gongzhi.demo.reference import build_reference
    from gongzhi.domain.enums import EventKind
    from gongzhi.events import intake, services
    from gongzhi.legalaid import inputs as li, services as aid
    from gongzhi.legalaid.models import Lawyer, Office
    from gongzhi.mediation import inputs as mi, services as med

    build_reference()
    d = build_district(townships=2, communities=2, grids=2)
    build_casework(d)
    w = World(d=d, media=str(media))
    u = d.users

    def report(who, key, grid, kind, category):
        lon, lat = point_in(d, grid)
        name, phone = REPORTER[key]
        ev, _ = intake.event_report(actor=u[who], data=intake.ReportInput(
            kind=EventKind(kind), category=category, description=DESC[key], lon=lon, lat=lat,
            address="瑞京路口", reporter_name=name, reporter_phone=phone))
        return ev

    a = report("resident1", "ev_a", 0, "complaint", "urban-appearance")
    services.event_accept(actor=u["comm11"], event_id=a.id)
    services.event_dispatch(actor=u["comm11"], event_id=a.id, area_code=d.grids[0].code)
    services.event_sign(actor=u["grid111"], event_id=a.id)
    services.extension_request(actor=u["grid111"], event_id=a.id, workdays=3, reason="需协调多个部门")
    b = report("resident2", "ev_b", 4, "dispute", "dispute-neighbour")
    services.event_accept(actor=u["county"], event_id=b.id)
    services.event_dispatch(actor=u["county"], event_id=b.id, department_code="350602-cg")
    services.event_sign(actor=u["dept_cg"], event_id=b.id)
    c = report("resident2", "ev_c", 0, "complaint", "urban-appearance")     # a repeat of ev_a, just reported
    from gongzhi.events.models import Event
    w.ev = {k: Event.objects.get(pk=e.id) for k, e in (("ev_a", a), ("ev_b", b), ("ev_c", c))}
    png = _png()
    w.att = {"ev_a": intake.attachment_add(actor=u["resident1"], event=w.ev["ev_a"], content=png, filename="a.png"),
             "ev_b": intake.attachment_add(actor=u["resident2"], event=w.ev["ev_b"], content=png, filename="b.png")}

    for key, who, grid, mediator in (("case_a", "resident1", 0, "med11"), ("case_b", "resident2", 4, "med21")):
        case, _ = med.case_apply(actor=u[who], data=mi.ApplyIn(
            dispute_type="neighbour", facts=FACTS[key], area=d.grids[grid].code, claim="赔偿维修费用",
            parties=[mi.PartyIn(role=r, name=n, phone=p, id_number=i) for r, n, p, i in PARTIES[key]]))
        case = med.case_accept(actor=u[mediator], case_id=case.id)
        w.case[key] = case
    for key, who, grid, matter, specialty in (("app_a", "resident1", 0, "civil", "labour"),
                                              ("app_b", "resident2", 4, "criminal", "criminal")):
        name, phone, idn, summary = AID[key]
        app, _ = aid.aid_apply(actor=u[who], data=li.AidApplyIn(
            applicant_name=name, phone=phone, id_number=idn, area=d.grids[grid].code, household_size=3,
            monthly_income=Decimal("600"), pledge=True, matter=matter, specialty=specialty, summary=summary))
        w.app[key] = app
    w.station = Office.objects.get(code=f"{d.townships[0].code}-fygzz")
    aid.aid_approve(actor=u["aid2"], app_id=w.app["app_a"].id)
    aid.aid_approve(actor=u["aid"], app_id=w.app["app_b"].id)
    aid.aid_assign(actor=u["aid"], app_id=w.app["app_b"].id,
                   data=li.AssignIn(lawyer=Lawyer.objects.get(user=u["lawyer1"]).id))

    from gongzhi.casework.models import Document
    from gongzhi.legalaid.models import Application
    from gongzhi.mediation.models import Case
    w.case = {k: Case.objects.get(pk=c.id) for k, c in w.case.items()}
    w.app = {k: Application.objects.get(pk=a.id) for k, a in w.app.items()}
    for key, obj, kind in [(k, c, "mediation") for k, c in w.case.items()] + \
                          [(k, a, "legalaid") for k, a in w.app.items()]:
        w.doc[key] = Document.objects.filter(kind=kind, case_id=obj.id).order_by("id").first().id
    w.area = {"area_a": d.communities[0], "area_b": d.communities[2]}
    assert w.app["app_a"].office_id == w.station.id and w.app["app_b"].lawyer.user_id == u["lawyer1"].id
    assert w.case["case_a"].organisation.area_id == d.communities[0].id

    for key, ev in w.ev.items():            # ev_a and ev_c read alike but for their first words
        w.secrets[key] = {ev.number, DESC[key][:4], *REPORTER[key]} | (
            {DESC[key][5:]} if not any(DESC[o][5:] == DESC[key][5:] for o in DESC if o != key) else set())
    for key, case in w.case.items():
        w.secrets[key] = {case.number, FACTS[key][:5], FACTS[key][6:],
                          *(x for p in PARTIES[key] for x in p[1:] if x)}
    for key, app in w.app.items():
        name, phone, idn, summary = AID[key]
        w.secrets[key] = {app.number, name, phone, idn, summary[:5], summary[6:]}
    _build_pillars(w, media)
    _build_points(w)
    _build_registry(w)
    _build_notify(w)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The district, its three events, two dispute cases and two legal-aid applications, built
    once for the module inside a transaction rolled back at the end."""
    import time_machine
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with time_machine.travel(sh(2026, 11, 2, 8, 30), tick=False):
                w = _build(media)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            _forget_fingerprint()


# ---- the cells ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    surface: str                 # api | page | open311 | admin
    method: str
    operation: str               # as registered: "POST /api/events/{event_id}/sign", "web:event_do sign"
    url: str
    obj: str | None = None       # the object the URL names ("ev_a"), None for lists and reference data
    body: object = None          # JSON body, form dict or query dict
    kind: str = "json"           # json | form | query | file
    expect: dict | None = None   # role → status (or set); None: derived from READ / capacities below
    may: set = field(default_factory=set)      # roles that may perform it on obj (writes)
    readers: set | None = None   # roles for which a read answers 200
    writes: bool = False
    self_redirect: str = ""      # pages that answer a refusal with a redirect back here


def _fill(regex: str, values: dict) -> str:
    """A concrete path from a route or regex pattern and its parameter values."""
    out = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), regex)
    out = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), out)
    return "/" + out.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            for route, pat, name in _walk(p.url_patterns, prefix + str(p.pattern)):
                yield route, pat, (ns + name) if name and ns and not name.startswith(ns) else name
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, p.name


def url_patterns():
    """(route, pattern, namespaced name) of every URL the project serves."""
    return list(_walk(get_resolver().url_patterns))


def _roles_of(caps: tuple, obj: str) -> set:
    return set().union(*(c.get(obj, set()) for c in caps))


def _materialise(body, w):
    """Table bodies may name objects: "<ev_c.number>"."""
    if isinstance(body, dict):
        return {k: _materialise(v, w) for k, v in body.items()}
    if isinstance(body, list):
        return [_materialise(v, w) for v in body]
    if body == "<ev_c.number>":
        return w.ev["ev_c"].number
    return body


def _form(body: dict) -> dict:
    """A JSON body as the page form posts it (the pages read the same schema fields)."""
    out = {}
    for k, v in body.items():
        if v is None:
            continue
        if k == "departments":
            out[k] = [x["department"] for x in v]
        elif isinstance(v, list) and v and isinstance(v[0], dict):     # one item per line
            out[k] = "\n".join(" ".join(str(x) for x in item.values()) for item in v)
        elif isinstance(v, list):
            out[k] = v
        elif isinstance(v, bool):
            if v:
                out[k] = "true"
        else:
            out[k] = str(v)
    return out


def _object_id(obj: str, w) -> int:
    return (w.ev.get(obj) or w.case.get(obj) or w.app.get(obj)).id


def api_cells(w) -> list[Cell]:
    from gongzhi.api.api import api
    schema = api.get_openapi_schema()
    open_table = {**_api_open(w), **_pillar_api_open(w), **_points_api_open(w),
                  **_registry_api_open(w)}
    cells = []
    for path, methods in schema["paths"].items():
        for method in (m.upper() for m in methods):
            op = f"{method} {path}"
            params = set(re.findall(r"{(\w+)}", path))
            if not params:
                body, expect = open_table.pop((method, path))   # KeyError: add the endpoint to _api_open
                kind = "query" if method == "GET" else "json"
                cells.append(Cell("api", method, op, path, body=body, kind=kind, expect=expect,
                                  writes=method in ("POST", "PUT")))
                if path in SEARCHES and method == "GET":
                    for obj in ("ev_a", "ev_b", "ev_c"):
                        for word in (DESC[obj][:4], w.ev[obj].number):
                            cells.append(Cell("api", "GET", op + f" ?{SEARCHES[path]}=<{obj}>", path,
                                              body={SEARCHES[path]: word}, kind="query", expect=expect))
                if path in AREA_ENDPOINTS and method == "GET":
                    for obj, area in w.area.items():
                        cells.append(Cell("api", "GET", op + f" ?area=<{obj}>", path, obj=obj,
                                          body={"area": area.code}, kind="query", readers=READ[obj]))
                if method == "GET":
                    cells += pillar_search_cells(w, path, op, expect)
                continue
            if path.startswith("/api/votes/{"):       # 出卷票决: in scope in tests/votes (see NO_PROPOSAL)
                url = path.replace("{proposal_id}", str(NO_PROPOSAL)).replace("{doc_id}", "1") \
                          .replace("{comment_id}", "1")
                cells.append(Cell("api", method, op, url, expect=everyone(404 if method == "GET" else {404, 422}),
                                  writes=method == "POST"))
                continue
            if path.startswith("/api/credit/") and "{" in path:     # 信用档案: in scope in tests/credit
                url = re.sub(r"\{\w+\}", str(NO_CREDIT), path)
                covenant = path.startswith("/api/credit/covenant/")         # the 公约 is posted: empty here
                cells.append(Cell("api", method, op, url, writes=method == "POST",
                                  expect=everyone(200 if covenant else 404 if method == "GET" else {404, 422})))
                continue
            if path.startswith("/api/gridwork/"):      # 清单任务: in scope in tests/gridwork (see NO_DUTY_TASK)
                url = path.replace("{task_id}", str(NO_DUTY_TASK)).replace("{photo_id}", "1") \
                          .replace("{username}", "matrix-nobody")
                expect = ({**{r: 404 for r in BOARD_READERS}, "*": 403} if "{username}" in path
                          else everyone(404 if method == "GET" else {404, 422}))
                cells.append(Cell("api", method, op, url, expect=expect, writes=method == "POST"))
                continue
            if path.startswith("/api/notifications/{"):
                cells.append(Cell("api", method, op, path.replace("{notification_id}", str(NO_NOTIFICATION)),
                                  expect=everyone(404), writes=method == "POST"))
                cells += notify_object_cells(w, "api", method, path, op)       # one's own and another's
                continue
            if path.startswith("/api/registry/"):      # 基础信息登记: reg_a and reg_b
                cells += registry_api_cells(w, method, path, op)
                continue
            if path.startswith("/api/points/"):        # 积分超市: pts_a and pts_b
                cells += points_api_cells(w, method, path, op)
                continue
            if path.split("/")[2] in ("corrections", "court", "funds"):
                cells += (pillar_sent_outcome_cells(w, path, op) if "{mediation_id}" in path
                          else pillar_api_cells(w, method, path, op))
                continue
            family = "event" if "event_id" in params else path.split("/")[2]
            tail = path.split("}/", 1)[1] if "}/" in path else ""
            for obj in FAMILY_OBJECTS[family]:
                url = path.replace("{event_id}", str(w.ev[obj].id) if family == "event" else "") \
                          .replace("{case_id}", str(_object_id(obj, w)))
                file_param = next((p for p in ("{doc_id}", "{attachment_id}") if p in url), None)
                if file_param:
                    files = w.doc if file_param == "{doc_id}" else {k: a.id for k, a in w.att.items()}
                    readers = READ_DOC[obj] if file_param == "{doc_id}" else READ[obj]
                    cells.append(Cell("api", method, op, url.replace(file_param, str(files[obj])), obj,
                                      readers=readers))
                    if obj.endswith("_a"):      # the other object's file under this one: nobody
                        other = obj[:-1] + "b"
                        cells.append(Cell("api", method, op + " (other object's file)",
                                          url.replace(file_param, str(files[other])), obj, readers=set()))
                    continue
                if method == "GET":
                    cells.append(Cell("api", method, op, url, obj, readers=READ[obj]))
                    continue
                if family == "event":
                    caps, body = EVENT_OPS[tail] if tail in EVENT_OPS else EVENT_EXTRA[
                        "from-event" if path.startswith("/api/mediation/from-event") else tail]
                else:
                    caps, body = FAMILY_OPS[family][tail]
                cell = Cell("api", method, op, url, obj, body=_materialise(body, w), may=_roles_of(caps, obj),
                            writes=True)
                if body is None:
                    cell.kind = "file"
                cells.append(cell)
    assert not open_table, f"the allow-list names endpoints the API no longer has: {sorted(open_table)}"
    cells += points_extra_api_cells(w) + track_cells(w)
    # every URL the API serves is an operation of its schema (or its docs, which are pages)
    served = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route, _, name in url_patterns()
              if route.startswith("api/") and name not in {**_pages_open(w), **_pillar_pages_open(w)}}
    assert served <= set(schema["paths"]), sorted(served - set(schema["paths"]))
    return cells


def page_cells(w) -> list[Cell]:
    from gongzhi.events.operations import OPERATIONS
    from gongzhi.legalaid.operations import OPERATIONS as AID_OPS
    from gongzhi.mediation.operations import OPERATIONS as MED_OPS
    open_table = {**_pages_open(w), **_pillar_pages_open(w), **_points_pages_open(w),
                  **_registry_pages_open(w)}
    cells, seen = [], set()
    for route, _pattern, name in url_patterns():
        if route.startswith(("api/", "admin/", "open311/")) and name not in open_table:
            continue                         # the API, admin and Open311 have their own cells
        if name in seen and name in PAGE_OBJECT:
            continue                         # web:cases and the two named list aliases resolve alike
        seen.add(name)
        if name in open_table:
            for method, (body, expect) in open_table.pop(name).items():
                values = {"kind": "mediation"}
                url = _fill(route, values)
                cells.append(Cell("page", method, f"{method} {name}", url, body=body,
                                  kind="query" if method == "GET" else "form", expect=expect,
                                  writes=method == "POST"))
                if url in SEARCHES:
                    for obj in ("ev_a", "ev_b", "ev_c"):
                        cells.append(Cell("page", "GET", f"GET {name} ?q=<{obj}>", url,
                                          body={"q": DESC[obj][:4]}, kind="query", expect=expect))
                if url in AREA_ENDPOINTS:
                    for obj, area in w.area.items():
                        extra = COURT_STATS if name == "stats:report" else set()     # their courts' page
                        cells.append(Cell("page", "GET", f"GET {name} ?area=<{obj}>", url, obj=obj,
                                          body={"area": area.code}, kind="query", readers=READ[obj] | extra))
            continue
        if name in VOTES_PAGES:
            url = _fill(route, {"proposal_id": NO_PROPOSAL, "doc_id": 1, "what": "close"})
            cells += [Cell("page", method, f"{method} {name}", url, kind="form", expect=expect,
                           writes=method == "POST") for method, expect in VOTES_PAGES[name].items()]
            continue
        if name in CREDIT_PAGES:
            url = _fill(route, {k: NO_CREDIT for k in ("file_id", "entry_id", "proposal_id", "evidence_id",
                                                       "dispute_id", "repair_id")} | {"path": "approve"})
            cells += [Cell("page", method, f"{method} {name}", url, kind="form", expect=expect,
                           writes=method == "POST") for method, expect in CREDIT_PAGES[name].items()]
            continue
        if name in GRIDWORK_PAGES:
            url = _fill(route, {"task_id": NO_DUTY_TASK, "photo_id": 1, "username": "matrix-nobody"})
            cells += [Cell("page", method, f"{method} {name}", url, kind="form", expect=expect,
                           writes=method == "POST") for method, expect in GRIDWORK_PAGES[name].items()]
            continue
        if name in NO_ID_PAGES:             # an id nobody has: nobody finds anything, no 5xx
            url = _fill(route, {k: NO_ID for k in re.findall(r"<int:(\w+)>", route)})
            cells += [Cell("page", method, f"{method} {name}", url, kind="form", body=body, expect=expect,
                           writes=method == "POST") for method, (body, expect) in NO_ID_PAGES[name].items()]
            continue
        if name in NOTIFY_PAGES:
            url = _fill(route, {"notification_id": NO_NOTIFICATION})
            cells += [Cell("page", method, f"{method} {name}", url, kind="form", expect=expect,
                           writes=method == "POST") for method, expect in NOTIFY_PAGES[name].items()]
            method = "POST" if "POST" in NOTIFY_PAGES[name] else "GET"      # open: a GET that marks it read
            cells += notify_object_cells(w, "page", method, route, f"{method} {name}")
            continue
        if name in PILLAR_PAGE_OBJECT:
            cells += pillar_page_cells(w, route, name)
            continue
        if name in POINTS_PAGE_OBJECT:
            cells += points_page_cells(w, route, name)
            continue
        if name in REGISTRY_PAGE_OBJECT:
            cells += registry_page_cells(w, route, name)
            continue
        family, what = PAGE_OBJECT[name]      # KeyError: a new page — add it to one of the tables
        kinds = ["event"] if family == "event" else ["mediation", "legalaid"]
        for kind in kinds:
            ops = {"event": OPERATIONS, "mediation": MED_OPS, "legalaid": AID_OPS}[kind]
            assert set(ops) == set(FAMILY_OPS[kind]), f"{kind}: the operations table changed; update the matrix"
            for obj in FAMILY_OBJECTS[kind]:
                oid = _object_id(obj, w)
                own = f"/e/{oid}/" if kind == "event" else f"/{kind}/{oid}/"
                values = {"event_id": oid, "case_id": oid, "kind": kind, "path": next(iter(ops)),
                          "attachment_id": w.att["ev_a"].id, "doc_id": w.doc["case_a"]}
                assert resolve(_fill(route, values)).view_name == name, (route, values)
                if what == "read":
                    cells.append(Cell("page", "GET", f"GET {name}", _fill(route, values), obj, readers=READ[obj]))
                elif what == "file":
                    fid = w.att[obj].id if kind == "event" else w.doc[obj]
                    readers = READ[obj] if kind == "event" else READ_DOC[obj]
                    key = "attachment_id" if kind == "event" else "doc_id"
                    cells.append(Cell("page", "GET", f"GET {name}", _fill(route, {**values, key: fid}), obj,
                                      readers=readers))
                    if obj.endswith("_a"):
                        other = obj[:-1] + "b"
                        ofid = w.att[other].id if kind == "event" else w.doc[other]
                        cells.append(Cell("page", "GET", f"GET {name} (other object's file)",
                                          _fill(route, {**values, key: ofid}), obj, readers=set()))
                elif what == "op":
                    for i, (path, (caps, body)) in enumerate(FAMILY_OPS[kind].items()):
                        url = _fill(route, {**values, "path": path})
                        if i == 0:       # GET of a POST-only view: 405 before anything is looked up
                            cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
                        cells.append(Cell("page", "POST", f"POST {name} {path}", url, obj, kind="form",
                                          body=_form(_materialise(body, w)), may=_roles_of(caps, obj),
                                          writes=True))
                else:
                    caps, body = EVENT_EXTRA.get(what, EVENT_OPS["dispatch"])
                    if what == "from-event":
                        body = {"dispute_type": "neighbour", "respondent_name": "某住户"}
                        redirect = own
                    elif what == "desk":
                        body = {"ids": [str(oid)], "target": f"a:{w.d.grids[0].code}"}
                        redirect = "/desk/"
                    else:
                        redirect = ""
                    url = _fill(route, values)
                    refused = {r: 403 for r in NOT_STAFF} if what == "desk" else {}    # a staff page first
                    cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={**refused, "*": 405}))
                    cells.append(Cell("page", "POST", f"POST {name}", url, obj, kind="form", body=_form(body),
                                      may=_roles_of(caps, obj), writes=True, self_redirect=redirect))
    assert not open_table, f"the allow-list names pages the URL conf no longer has: {sorted(open_table)}"
    return cells + points_extra_page_cells(w) + registry_extra_page_cells(w)


def open311_cells(w) -> list[Cell]:
    cells = []
    for route, _pattern, _name in url_patterns():
        if not route.startswith("open311/"):
            continue
        groups = re.findall(r"\(\?P<(\w+)>", route)
        tail = route.removeprefix("open311/v2/").lstrip("^").split("\\.")[0].split("(")[0].rstrip("/")
        variants = {"code": [("services/<code>", "urban-appearance")],
                    "number": [("requests/<ev_a>", w.ev["ev_a"].number), ("requests/<ev_b>", w.ev["ev_b"].number)],
                    "token": [("tokens/<token>", "0123456789abcdef01234567")]}
        extra = [g for g in groups if g != "fmt"]
        assert len(extra) <= 1, route
        for fmt in ("json", "xml"):
            if extra:
                for label, value in variants[extra[0]]:    # KeyError: a new Open311 parameter
                    cells.append(Cell("open311", "GET", f"GET open311 {label}.{fmt}",
                                      _fill(route, {"fmt": fmt, extra[0]: value}), expect=OPEN311[label]))
            elif tail == "requests":
                url = _fill(route, {"fmt": fmt})
                cells.append(Cell("open311", "GET", f"GET open311 requests.{fmt}", url, expect=OPEN311["requests GET"]))
                cells.append(Cell("open311", "POST", f"POST open311 requests.{fmt}", url, kind="form", writes=True,
                                  body={"service_code": "urban-appearance", "description": "路灯不亮",
                                        "address_string": "瑞京路1号"}, expect=OPEN311["requests POST"]))
            else:
                cells.append(Cell("open311", "GET", f"GET open311 {tail}.{fmt}", _fill(route, {"fmt": fmt}),
                                  expect=OPEN311[tail]))
    return cells


# The admin site lets in staff only, at one gate (AdminSite.admin_view wraps every admin URL), and
# no demo role but the admin is staff (checked in the first test).  Every admin URL is asked by the
# anonymous visitor and the admin; the other roles ask these, plus each model's list:
ADMIN_FOR_ALL = {"admin:index", "admin:login", "admin:password_change", "admin:jsi18n", "admin:app_list",
                 "admin:autocomplete", "admin:view_on_site", None}


def admin_roles(cell: Cell) -> tuple:
    name = cell.operation.split()[1]
    if name in ADMIN_FOR_ALL or name.endswith("_changelist") or name == "None":
        return tuple(ROLES)
    return ("anon", "admin")


def admin_cells(w) -> list[Cell]:
    """Every admin URL: only the (superuser) admin gets in; everyone else is sent to its login."""
    from django.contrib.contenttypes.models import ContentType
    cells = []
    for route, pattern, name in url_patterns():
        if not route.startswith("admin/"):
            continue
        values = {}
        ma = getattr(pattern.callback, "model_admin", None)
        for g in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
            g = g[0] or g[1]
            if g in ("object_id", "id"):
                obj = ma.model.objects.order_by("pk").first() if ma else None
                values[g] = obj.pk if obj is not None else 1
            elif g == "app_label":
                values[g] = re.search(r"\(\?P<app_label>([\w|]+)\)", route).group(1).split("|")[0]
            elif g == "url":                     # the catch-all: an admin URL that does not exist
                values[g] = "no-such-page/"
            elif g == "content_type_id":
                values[g] = ContentType.objects.get_for_model(w.ev["ev_a"]).id
                values["object_id"] = w.ev["ev_a"].id
            else:
                raise AssertionError(f"admin route {route}: unknown parameter {g}")
        url = _fill(route, values)
        if name in ("admin:logout",):
            continue                        # ends the admin session; Django's own, nothing to scope
        cells.append(Cell("admin", "GET", f"GET {name}", url))
    return cells


# The login page answers everyone; a logged-in admin is sent on to the index.
ADMIN_PUBLIC = {"admin:login": {"*": 200, "admin": 302}}


# ---- judging a cell ----------------------------------------------------------------------------------


def expected(cell: Cell, role: str) -> tuple[str, set | None, bool]:
    """(label, statuses allowed — None for any below 500, whether nothing may be written)."""
    if role == "anon" and cell.surface in ("api", "page") and not (
            cell.surface == "page" and cell.operation.split()[1] in PUBLIC_PAGES) and not (
            cell.surface == "api" and cell.url in PUBLIC_API):
        return "anonymous", {401} if cell.surface == "api" else {302}, cell.writes
    if cell.surface == "admin":
        name = cell.operation.split()[1]
        if name in ADMIN_PUBLIC:
            want = ADMIN_PUBLIC[name].get(role, ADMIN_PUBLIC[name]["*"])
            return "admin login", {want}, False
        if role == "admin":     # what a superuser may do there is configuration, not scope: no 5xx
            return "admin's own", None, False
        return "not staff", {302}, False
    if cell.expect is not None:
        want = cell.expect.get(role, cell.expect.get("*"))
        name = cell.operation.split()[1] if cell.surface == "page" else ""
        if want is None:
            return "allow-listed", None, False
        want = want if isinstance(want, set) else {want}
        # a write answered only with refusals, or one these roles may not make, changes nothing
        unchanged = cell.writes and (min(want) >= 400 or name in PAGE_WRITERS and role not in PAGE_WRITERS[name])
        return "allow-listed", want, unchanged
    visible = role in READ.get(cell.obj, set())
    if cell.readers is not None:                       # a read
        if role in cell.readers:
            return "reads", {200}, False
        return ("in scope, not for them" if visible else "out of scope"), {403, 404}, False
    if not visible:
        also = OUT_OF_SCOPE_ALSO.get(cell.operation.rsplit("/", 1)[-1].split()[-1], set())
        return "out of scope", {403, 404} | also | ({302} if cell.self_redirect == "/desk/" else set()), True
    if role in cell.may:
        return "may act", None, False
    refusals = {403, 404, 409, 422}
    if cell.self_redirect:
        refusals.add(302)
    return "in scope, no capacity", refusals, True


# Refusals of an out-of-scope object that tell nothing about it, by operation:
OUT_OF_SCOPE_ALSO = {
    # 并单 looks the main order (``into``) up first, in the actor's own scope: not found there is a
    # 422 on ``into`` whatever the event named in the path, so it says nothing about that event.
    "merge": {422},
}


_FINGERPRINT_SQL: list[str] = []


def fingerprint() -> tuple:
    """Everything a write could have touched: row counts and version sums, in one query."""
    from django.db import connection
    if not _FINGERPRINT_SQL:
        from gongzhi.casework.models import CaseLog, Document
        from gongzhi.core.models import AccessLog
        from gongzhi.events.models import (
            Attachment,
            CoHandler,
            Event,
            EventAction,
            Extension,
            Supervision,
        )
        from gongzhi.legalaid.models import Application, Consultation
        from gongzhi.mediation.models import Case
        q = connection.ops.quote_name
        parts = []
        for model in (Event, Case, Application):
            parts += [f"(SELECT COUNT(*) FROM {q(model._meta.db_table)})",
                      f"(SELECT COALESCE(SUM(version), 0) FROM {q(model._meta.db_table)})"]
        for model in (EventAction, Attachment, Extension, CoHandler, Supervision, CaseLog, Document, Consultation):
            parts.append(f"(SELECT COUNT(*) FROM {q(model._meta.db_table)})")
        for model in _pillar_models() + _points_models() + _registry_models() + _notify_models():
            parts.append(f"(SELECT COUNT(*) FROM {q(model._meta.db_table)})")
            if any(f.name == "version" for f in model._meta.fields):
                parts.append(f"(SELECT COALESCE(SUM(version), 0) FROM {q(model._meta.db_table)})")
            # a decision, a hand-over, a cancel or a stock change moves one of these, not the count
            for name in ("done_at", "closed_at", "decided_at", "read_at"):
                if any(f.name == name for f in model._meta.fields):
                    parts.append(f"(SELECT COUNT({name}) FROM {q(model._meta.db_table)})")
            if any(f.name == "stock" for f in model._meta.fields):
                parts.append(f"(SELECT COALESCE(SUM(stock), 0) FROM {q(model._meta.db_table)})")
        # The access log's event rows (unmasks): a refused case action re-renders the case page,
        # and an applicant's own read of it is logged like any read; that is not a write.
        parts.append(f"(SELECT COUNT(*) FROM {q(AccessLog._meta.db_table)} WHERE kind = 'event')")
        _FINGERPRINT_SQL.append("SELECT " + ", ".join(parts))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Planning the statement's many subselects costs PostgreSQL about three times running
            # them (~5 of ~7 ms, thousands of cells): planned once per connection, then executed.
            # The plan is the statement's, its answer the data's: the same as unprepared.
            # A PREPARE is no part of the transaction: it outlives the rollbacks.
            if not _PREPARED_ON or _PREPARED_ON[0] is not connection.connection:
                cur.execute(f"PREPARE {_PREPARED_NAME} AS {_FINGERPRINT_SQL[0]}")
                _PREPARED_ON[:] = [connection.connection]
            cur.execute(f"EXECUTE {_PREPARED_NAME}")
        else:
            cur.execute(_FINGERPRINT_SQL[0])
        return tuple(cur.fetchone())


_PREPARED_NAME = "gz_matrix_fingerprint"
_PREPARED_ON: list = []              # the (database driver's) connection it is prepared on


def _forget_fingerprint() -> None:
    """The module's world is gone: so is its statement (the connection serves the next modules)."""
    from django.db import connection
    if _PREPARED_ON and _PREPARED_ON[0] is connection.connection:
        with connection.cursor() as cur:
            cur.execute(f"DEALLOCATE {_PREPARED_NAME}")
    _PREPARED_ON.clear()


def body_text(r) -> str:
    if getattr(r, "streaming", False):
        # read to the end, the test client closes the file with its connection housekeeping held
        # off; closing the response here would close the database connection (PostgreSQL)
        raw = b"".join(r.streaming_content)
    else:
        raw = r.content
    if raw[:2] == b"PK":                  # .docx / .xlsx: the words are in the zipped XML
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    text = raw.decode("utf-8", "replace")
    if "json" in r.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    return text


# Words an Open311 feed may publish by design: a public request's number and description.
def _public_words(w) -> set:
    return {x for k in ("ev_a", "ev_c") for x in (w.ev[k].number, DESC[k][:4], DESC[k][5:])}


def forbidden_words(w, role: str, surface: str) -> dict[str, str]:
    """word → the object it belongs to, for every object this role may not read."""
    out = {}
    for obj, words in w.secrets.items():
        if role in READ[obj]:
            continue
        for word in words:
            if word not in w.shown.get(role, ()):
                out[word] = obj
    if surface == "open311":
        for word in _public_words(w):
            out.pop(word, None)
    return out


def _whole(word: str, text: str) -> bool:
    """A number counts only as itself: 三金's grant JZ…0004 is not the deposit SJZ…0004 it is part of."""
    if not word.isascii() or not word.isalnum():
        return True
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text) is not None


def _strings(body) -> str:
    return json.dumps(body, ensure_ascii=False) if body is not None else ""


class Matrix:
    def __init__(self, w, clients):
        self.w, self.clients = w, clients
        self.failures: list[str] = []
        self.requests = self.allowed = self.paired = self.ncells = 0
        self.cpu = time.process_time()
        self.world_print = fingerprint()          # every cell is rolled back: the world stays this
        self.cells: set = set()           # (operation, object) asked
        self.forbidden = {(r, s): forbidden_words(w, r, s) for r in ROLES for s in ("api", "page", "open311", "admin")}

    def send(self, client: Client, cell: Cell):
        if cell.method == "GET":
            return client.get(cell.url, cell.body or {})
        if cell.kind == "json":
            return client.generic(cell.method, cell.url, json.dumps(cell.body if cell.body is not None else {}),
                                  content_type="application/json")
        if cell.kind == "file":
            from django.core.files.uploadedfile import SimpleUploadedFile
            return client.post(cell.url, {"file": SimpleUploadedFile("m.png", _png(), content_type="image/png")})
        if cell.kind == "csv":                  # a bank statement (三金)
            from django.core.files.uploadedfile import SimpleUploadedFile
            return client.post(cell.url, {"file": SimpleUploadedFile("s.csv", STATEMENT_CSV, content_type="text/csv")})
        return client.post(cell.url, cell.body or {})

    def _caught(self, sender, request=None, **kw):
        import sys
        import traceback
        exc = sys.exc_info()[1]
        frames = traceback.extract_tb(exc.__traceback__) if exc else []
        where = next((f"{f.filename.rsplit('/gongzhi/', 1)[-1]}:{f.lineno}" for f in reversed(frames)
                      if "/gongzhi/" in f.filename), "")
        self.exception = f"{type(exc).__name__}: {str(exc)[:120]} at {where}" if exc else ""

    def run(self, cells: list[Cell], roles=ROLES):
        from django.core.signals import got_request_exception
        got_request_exception.connect(self._caught)
        try:
            self._run(cells, roles)
        finally:
            got_request_exception.disconnect(self._caught)

    def _run(self, cells, roles):
        self.ncells += len(cells)
        for cell in cells:
            name = cell.operation.split()[1] if cell.surface == "page" else ""
            asked = admin_roles(cell) if cell.surface == "admin" else SAME_FOR_EVERYONE.get(name, roles)
            for role in asked:
                if cell.obj in SECOND and not READ[cell.obj] & {role} and not READ[SECOND[cell.obj]] & {role}:
                    self.paired += 1     # out of scope of both: the first object stands for the pair
                    continue
                if role in cell.may:
                    self.allowed += 1     # an allowed write is not sent: the object's read shows it in scope
                    continue
                self.one(cell, role)

    def one(self, cell: Cell, role: str):
        label, statuses, unchanged = expected(cell, role)
        client = self.clients[role]
        cookies = copy.deepcopy(client.cookies) if cell.writes else None
        self.exception = ""
        sid = transaction.savepoint()
        try:
            before = self.world_print if unchanged else None
            r = self.send(client, cell)
            text = body_text(r)
            after = fingerprint() if unchanged and r.status_code < 500 else before
        finally:
            transaction.savepoint_rollback(sid)
            # ROLLBACK TO SAVEPOINT keeps the savepoint (PostgreSQL): without the release each cell
            # nests inside the last, thousands deep, every level holding a lock until the module's
            # transaction ends (the shared lock table ran out: "out of shared memory").
            transaction.savepoint_commit(sid)
            if cookies is not None:          # a logout or a language switch must not outlive its cell
                client.cookies = cookies
        self.requests += 1
        self.cells.add((cell.operation, cell.obj))
        problems = []
        status = r.status_code
        if status >= 500 and not (statuses and status in statuses):      # only an allow-listed 503
            problems.append(f"server error ({self.exception or 'no exception'})")
        elif statuses is not None and status not in statuses:
            problems.append(f"expected {sorted(statuses)}")
        elif statuses is None and (status == 401 or (status == 302 and "/login/" in r.get("Location", ""))):
            problems.append("may act but was treated as not logged in")
        if before != after:
            problems.append("wrote although refused")
        if label == "anonymous" and cell.surface == "page" and status == 302 \
                and not r.get("Location", "").startswith("/login/"):
            problems.append(f"redirected to {r.get('Location')} instead of the login page")
        if cell.surface == "admin" and role != "admin" and status == 302 \
                and not r.get("Location", "").startswith("/admin/login/"):
            problems.append(f"redirected to {r.get('Location')} instead of the admin login")
        if cell.surface == "api" and 400 <= status < 500:
            try:
                err = json.loads(r.content)
                if not {"code", "message"} <= set(err):
                    problems.append("error body without code/message")
            except ValueError:
                problems.append(f"error body is not JSON ({r.get('Content-Type')})")
        if cell.self_redirect and status == 302 and label not in ("may act", "anonymous") \
                and not r.get("Location", "").startswith(cell.self_redirect):
            problems.append(f"refused but redirected to {r.get('Location')}")
        echoed = _strings(cell.body) + cell.url
        leaked = sorted({f"{obj}:{word}" for word, obj in self.forbidden[role, cell.surface].items()
                         if word in text and word not in echoed and _whole(word, text)})
        if leaked:
            problems.append("leaked " + ", ".join(leaked))
        if problems:
            self.failures.append(f"{cell.operation} [{cell.obj or '-'}] as {role} ({label}): {status} — "
                                 + "; ".join(problems))

    def report(self, name: str, started: float) -> str:
        ops = {c[0] for c in self.cells}
        line = (f"matrix[{name}]: {len(ops)} operations/variants × {len(ROLES)} roles, "
                f"{self.ncells} (operation, object) cells, {self.requests} requests "
                f"(+{self.allowed} allowed writes not sent, +{self.paired} second objects out of scope "
                f"like the first), "
                f"{len(self.failures)} failing, {time.monotonic() - started:.1f} s "
                f"({time.process_time() - self.cpu:.1f} s CPU)")
        print(line)
        return line


@pytest.fixture
def matrix(world, db, settings):
    settings.MEDIA_ROOT = world.media        # the conftest gives each test a fresh, empty one
    # Sessions in signed cookies: one query less per request (six thousand of them); who is logged
    # in is read the same way.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    clients = {}
    for role in ROLES:
        c = Client(raise_request_exception=False)
        if role != "anon":
            c.force_login(world.d.users[role])
        clients[role] = c
    return Matrix(world, clients)


def _verdict(m: Matrix, name: str, started: float):
    line = m.report(name, started)
    assert not m.failures, f"{line}\n" + "\n".join(m.failures)


# ---- the three pillars of issues 15 and 16: 社区矫正, 民事速裁, 三金 --------------------------------------
# Written from their scope rules (corrections/scope.py and ADR 0016, court/scope.py, funds/scope.py),
# not from what the code answers:
# - 社区矫正: a file is read by the subject's 司法所 and county agency staff and the county's
#   prosecutors only — everyone else, the system administrator too, gets a 404 on every surface;
#   a prosecutor writes only the 检察建议 / 纠正违法通知书 (issue, accept the answer, reopen) and
#   every other write of theirs is a 403; a grid team sees its grid's 帮教 task, never the file.
# - 民事速裁: a case is the court's staff's (its judges and clerks) only; the committee that sent a
#   failed mediation case over reads that case's outcome, never the file; no administrator.
# - 三金: a fund's deposits, grants and statements are its makers' and checkers' only; the committee
#   of the mediation case a deposit secures reads that deposit (and may report the agreement
#   performed); nobody else, the administrator included.
# Who may act within a file (the township's, the county's, the head's share; a judge's or a
# clerk's; a maker's or a checker's) is the pillars' own tests' business (tests/corrections,
# tests/court, tests/funds): here every staff member of the object is counted as able to act, so
# their writes are not sent, and the matrix checks the wall around the object.

# The subjects' words (names, ID numbers, phones, addresses, crimes) that must not leak.
SUBJ = {"subj_a": ("慕容矫甲", "350602198506061236", "13700005501", "瑞京路矩阵甲苑8号", "矩阵甲罪名危险驾驶"),
        "subj_b": ("慕容矫乙", "350602198607071235", "13700006601", "西桥路矩阵乙苑9号", "矩阵乙罪名盗窃")}
CIVIL = {"civ_a": ("诸葛诉甲", "诸葛被甲", "矩阵速甲：原告出借被告人民币两万元到期未还"),
         "civ_b": ("诸葛诉乙", "诸葛被乙", "矩阵速乙：原告承租被告房屋押金未予退还")}
MONEY = {"dep_a": ("皇甫缴甲", "皇甫受甲"), "dep_b": ("皇甫缴乙", "皇甫受乙"),
         "grant_a": ("东方助甲", "东方赔甲"), "grant_b": ("东方助乙", "东方赔乙")}

PILLAR_READ = {
    # subj_a: 司法所 of township 1 (sfs1), the county agency (sqjz) and the county's prosecutor;
    # subj_b lives in township 2 (its 司法所's staff are not among the roles)
    "subj_a": {"sfs1", "sqjz", "jcg1"}, "subj_b": {"sqjz", "jcg1"},
    # 帮教 tasks: task_a in grid 0 (grid111's team), task_b in grid 4
    "task_a": {"grid111", "police11", "nteam"}, "task_b": set(),
    # civ_a in the county's court (judge1, clerk1), civ_b in another court
    "civ_a": {"judge1", "clerk1"}, "civ_b": set(),
    "series_a": {"judge1", "clerk1"}, "series_b": set(),
    # dep_a secures a case of sjtj1's committee, in the funds of sanjin1 (maker) and sanjin2 (checker);
    # dep_b and grant_b are another fund's, whose staff are not among the roles
    "dep_a": {"sanjin1", "sanjin2", "sjtj1"}, "dep_b": set(),
    "grant_a": {"sanjin1", "sanjin2"}, "grant_b": set(),
    "fund_a": {"sanjin1", "sanjin2"}, "fund_b": set(),
}
READ.update(PILLAR_READ)
# Documents: whoever reads the file reads its documents (a prosecutor too: ADR 0016), the fund's
# and the court's staff theirs.
READ_DOC.update({k: PILLAR_READ[k] for k in ("subj_a", "subj_b", "civ_a", "civ_b", "dep_a", "dep_b", "grant_a",
                                             "grant_b")})
SECOND.update({"subj_b": "subj_a", "task_b": "task_a", "civ_b": "civ_a", "series_b": "series_a", "dep_b": "dep_a",
               "grant_b": "grant_a", "fund_b": "fund_a"})
PILLAR_OBJECTS = {"corrections": ("subj_a", "subj_b"), "task": ("task_a", "task_b"), "court": ("civ_a", "civ_b"),
                  "series": ("series_a", "series_b"), "deposit": ("dep_a", "dep_b"), "grant": ("grant_a", "grant_b"),
                  "fund": ("fund_a", "fund_b")}
CORR_STAFF = {"subj_a": {"sfs1", "sqjz"}, "subj_b": {"sqjz"}}
PROSECUTORS = {"jcg1"}
COURT_STAFF = {"civ_a": {"judge1", "clerk1"}, "civ_b": set(), "series_a": {"judge1", "clerk1"}, "series_b": set()}
FUND_STAFF = {"dep_a": {"sanjin1", "sanjin2"}, "dep_b": set(), "grant_a": {"sanjin1", "sanjin2"}, "grant_b": set(),
              "fund_a": {"sanjin1", "sanjin2"}, "fund_b": set()}
COMMITTEE = {"dep_a": {"sjtj1"}, "dep_b": set()}
# The mediation case of med11's committee that failed and was taken to court: its outcome is med11's.
SENT_OUTCOME = {"med11"}

_NOTE, _REASON = {"note": "矩阵记录"}, {"reason": "矩阵测试理由"}
CORR_SUBJECT_OPS = {
    "documents": _NOTE, "report-in": _NOTE, "announce": _NOTE, "found": _NOTE, "release": _NOTE, "note": _NOTE,
    "team": {"members": [{"role": "township", "name": "司法所干事", "phone": "", "org": "司法所"},
                         {"role": "family", "name": "家属", "phone": "", "org": "配偶"}]},
    "plan": {"plan": "一、每周到司法所报告一次；二、每月教育学习和公益活动各不少于八小时。"},
    "checkin": {"way": "in_person", "result": "按时报告"}, "schedule": {"due_on": "2026-11-09", "way": "in_person"},
    "visit": {"place": "家中", "result": "见到本人，情况稳定"},
    "activity": {"kind": "service", "on": "2026-11-01", "hours": "2", "content": "社区志愿服务"},
    "score": {"month": "2026-10-01", "score": 90}, "level": {"level": "normal", "reason": "表现良好"},
    "unreachable": _REASON, "abscond": _REASON, "transfer-out": {"to": "sqjz-350603", "reason": "随家人迁居"},
    "transfer-in": {"township": "<sfs-2>", "address": "新居住地址1号"}, "transfer-refuse": _REASON,
    "terminate": {"end_reason": "other", "reason": "矩阵测试理由"},
}
CORR_CHILD_OPS = {
    "sanction": {"decide": {"outcome": ""}, "submit": {"outcome": ""}, "reject": _REASON, "adopt": {"outcome": ""},
                 "decline": _REASON, "correct": _REASON},
    "leave": {"approve": _NOTE, "refuse": _REASON, "return": _NOTE, "withdraw": _REASON},
    "monitor": {"approve": _NOTE, "refuse": _REASON, "renew": {"months": 1, "reason": "矩阵测试理由"}, "end": _REASON},
    "oversight": {"answer": {"answer": "已按检察建议整改完毕并建立长效机制"}, "accept": _NOTE, "reopen": _REASON},
}
CORR_CREATE = {
    "sanction": {"step": "admonish", "facts": "未按时报告一次，情节轻微", "evidence": "报告记录"},
    "leave": {"kind": "trip", "start": "2026-11-05", "end": "2026-11-07", "destination": "厦门市", "reason": "探亲"},
    "monitor": {"ground": "left_area", "facts": "未经批准离开本县", "months": 1, "device": "MX-NEW"},
    "oversight": {"kind": "suggestion", "omission": "other", "facts": "矩阵发现的问题", "demand": "矩阵检察意见"},
}
# The prosecutor's own writes (ADR 0016): issue, accept the county's answer, reopen it.
PROSECUTOR_WRITES = {("create", "oversight"), ("oversight", "accept"), ("oversight", "reopen")}
COURT_OPS = {
    "triage": {}, "override": {"track": "ordinary", "reason": "案情复杂"}, "mediation-failed": _NOTE,
    "book": {"start": "2026-11-10T09:30:00+08:00", "room": "第一速裁法庭"}, "hear": _NOTE,
    "judge": {"terms": "被告于十日内归还借款", "awarded": "20000"},
    "mediate": {"terms": "被告分期归还借款", "awarded": "20000"},
    "withdraw": _REASON, "note": _NOTE,
}
FUND_DEPOSIT_OPS = {
    "receive": {"amount": 100000, "bank_reference": "MX-REF-1"}, "confirm": _NOTE, "performed": _NOTE,
    "decided": {"decision_ref": "矩阵决〔2026〕1号"},
    "propose": {"to_victim": 100000, "decision_ref": "矩阵决〔2026〕1号", "reason": "依决定处置"},
    "approve": _NOTE, "reject": _REASON, "lapse": _REASON, "note": _NOTE,
}
FUND_GRANT_OPS = {"approve": _NOTE, "refuse": _REASON, "pay": {"reference": "MX-PAY-1"}}


def _who_may(family: str, obj: str, what: tuple) -> set:
    """The roles counted as able to make this write on obj (their writes are not sent)."""
    if family == "corrections":
        if what in PROSECUTOR_WRITES:
            return set(PROSECUTORS)
        if what == ("oversight", "answer"):            # the county answers
            return {"sqjz"} & CORR_STAFF[obj]
        return set(CORR_STAFF[obj])
    if family == "task":
        return set(PILLAR_READ[obj])
    if family in ("court", "series"):
        return set(COURT_STAFF[obj])
    if family == "deposit" and what == ("deposit", "performed"):
        return FUND_STAFF[obj] | COMMITTEE[obj]
    return set(FUND_STAFF[obj])


def _pillar_expect(family: str, obj: str, what: tuple, surface: str, writes: bool) -> dict:
    """role → statuses for a cell on a pillar's object, as the scope rules state them."""
    out = {}
    for role in LOGGED_IN:
        if not writes:
            out[role] = {200} if role in PILLAR_READ[obj] else {404}
        elif role not in PILLAR_READ[obj]:
            out[role] = {404}                      # out of scope: not a word, not even a 403
        elif family == "corrections" and role in PROSECUTORS:
            out[role] = {403}                      # a prosecutor's write on the file itself
        else:
            out[role] = {403, 404, 409, 422} | ({302} if surface == "page" and family == "series" else set())
    return out


def _pillar_ids(w) -> dict:
    """The ids a URL of the pillars is filled with, per object."""
    ids = {}
    for obj, subject in w.subj.items():
        ids[obj] = {"subject_id": subject.id, "row_id": subject.id, "case_id": subject.id, "doc_id": w.pdoc[obj]}
    for obj, task in w.task.items():
        ids[obj] = {"task_id": task.id}
    for obj, case in w.civ.items():
        ids[obj] = {"case_id": case.id, "doc_id": w.pdoc[obj]}
    for obj, series in w.series.items():
        ids[obj] = {"series_id": series.id}
    for obj, dep in w.dep.items():
        ids[obj] = {"deposit_id": dep.id, "row_id": dep.id, "case_id": dep.id, "doc_id": w.pdoc[obj]}
    for obj, grant in w.grant.items():
        ids[obj] = {"grant_id": grant.id, "row_id": grant.id, "case_id": grant.id, "doc_id": w.pdoc[obj]}
    for obj, fund in w.fund.items():
        ids[obj] = {"fund_id": fund.id}
    return ids


def _pillar_body(body, w):
    if isinstance(body, dict):
        return {k: _pillar_body(v, w) for k, v in body.items()}
    if isinstance(body, list):
        return [_pillar_body(v, w) for v in body]
    if body == "<sfs-2>":
        return w.sfs2_code
    return body


def _pillar_route(pillar: str, path: str) -> tuple[str, tuple]:
    """A pillar's API path (under /api/<pillar>) → (family, what): what the operation does there.
    AssertionError: a path these tables do not know — add it."""
    from gongzhi.corrections import operations as cops
    from gongzhi.court import operations as kops
    from gongzhi.funds import operations as fops
    parts = path.split("/")[3:]
    children = {"sanctions": ("sanction", cops.SANCTION_OPERATIONS), "leaves": ("leave", cops.LEAVE_OPERATIONS),
                "monitors": ("monitor", cops.MONITOR_OPERATIONS),
                "oversights": ("oversight", cops.OVERSIGHT_OPERATIONS)}
    if pillar == "corrections":
        if parts == ["{subject_id}"]:
            return "corrections", ("read",)
        if parts == ["{case_id}", "documents", "{doc_id}"]:
            return "corrections", ("file",)
        if parts[:1] == ["tasks"] and parts[2:] == ["done"]:
            return "task", ("task", "done")
        if len(parts) == 2 and parts[0] == "{subject_id}" and parts[1] in children:
            return "corrections", ("create", children[parts[1]][0])
        if len(parts) == 3 and parts[0] in children and parts[2] in children[parts[0]][1]:
            return "corrections", (children[parts[0]][0], parts[2])
        if len(parts) == 2 and parts[0] == "{row_id}" and parts[1] in cops.SUBJECT_OPERATIONS:
            return "corrections", ("subject", parts[1])
    elif pillar == "court":
        if parts == ["{case_id}"]:
            return "court", ("read",)
        if parts == ["{case_id}", "documents", "{doc_id}"]:
            return "court", ("file",)
        if parts == ["{case_id}", "elements"]:
            return "court", ("court", "elements")
        if len(parts) == 2 and parts[0] == "{case_id}" and parts[1] in kops.OPERATIONS:
            return "court", ("court", parts[1])
        if parts[:1] == ["series"] and parts[1:2] == ["{series_id}"] and parts[2] in ("lead", "follow"):
            return "series", ("series", parts[2])
    elif pillar == "funds":
        kinds = {"deposits": ("deposit", fops.DEPOSIT_OPERATIONS), "grants": ("grant", fops.GRANT_OPERATIONS)}
        if len(parts) == 2 and parts[0] in kinds and parts[1] in ("{deposit_id}", "{grant_id}"):
            return kinds[parts[0]][0], ("read",)
        if len(parts) == 4 and parts[0] in kinds and parts[2] == "documents":
            return kinds[parts[0]][0], ("file",)
        if len(parts) == 3 and parts[0] in kinds and parts[1] == "{row_id}" and parts[2] in kinds[parts[0]][1]:
            return kinds[parts[0]][0], (kinds[parts[0]][0], parts[2])
        if parts[:1] == ["{fund_id}"] and parts[1] in ("reconciliation", "verify", "statement.xlsx"):
            return "fund", ("read",)
        if parts == ["{fund_id}", "statements"]:
            return "fund", ("fund", "statements")
    raise AssertionError(f"{path}: a pillar operation the matrix does not know — add it to _pillar_route")


def _pillar_op_body(family: str, what: tuple, w):
    kind, name = what[0], what[-1]
    if family == "corrections":
        table = CORR_CREATE if kind == "create" else CORR_SUBJECT_OPS if kind == "subject" else CORR_CHILD_OPS[kind]
        return _pillar_body(table[name], w)
    if family == "task":
        return {"note": "走访见到本人"}
    if family == "court":
        return {"values": {"lender": "诸葛诉甲"}} if name == "elements" else COURT_OPS[name]
    if family == "series":
        return {"case": w.civ["civ_a"].id} if name == "lead" else {}
    if family == "deposit":
        return FUND_DEPOSIT_OPS[name]
    if family == "grant":
        return FUND_GRANT_OPS[name]
    return None                                    # a bank statement: a file


def pillar_api_cells(w, method: str, path: str, op: str) -> list[Cell]:
    pillar = path.split("/")[2]
    family, what = _pillar_route(pillar, path)
    ids = _pillar_ids(w)
    cells = []
    for obj in PILLAR_OBJECTS[family]:
        v = ids[obj]
        if family == "corrections" and what[0] in CORR_CHILD_OPS:
            # A child row's own id (its sanction, leave, …), never the subject's: the two only
            # coincide on a fresh database, where every sequence starts at 1.
            v = {**v, "row_id": w.child[obj][what[0]].id}
        url = re.sub(r"{(\w+)}", lambda m, v=v: str(v[m.group(1)]), path)  # KeyError: a new parameter
        if what == ("file",):
            readers = READ_DOC[obj] if obj in READ_DOC else READ[obj]
            cells.append(Cell("api", method, op, url, obj, expect=_doc_expect(readers)))
            if obj.endswith("_a") and obj in w.pdoc:    # the other object's document under this one: nobody
                other = url.replace(f"/{w.pdoc[obj]}", f"/{w.pdoc[obj[:-1] + 'b']}")
                cells.append(Cell("api", method, op + " (other object's file)", other, obj,
                                  expect={r: {403, 404} for r in LOGGED_IN}))
            continue
        if method == "GET":
            query = {"year": 2026, "month": 11} if path.endswith("statement.xlsx") else None
            cells.append(Cell("api", method, op, url, obj, body=query, kind="query",
                              expect=_pillar_expect(family, obj, what, "api", False)))
            continue
        body = _pillar_op_body(family, what, w)
        cell = Cell("api", method, op, url, obj, body=body, may=_who_may(family, obj, what), writes=True,
                    expect=_pillar_expect(family, obj, what, "api", True))
        if body is None:
            cell.kind = "csv"
        cells.append(cell)
    return cells


def _doc_expect(readers: set) -> dict:
    return {r: ({200} if r in readers else {404}) for r in LOGGED_IN}


def pillar_sent_outcome_cells(w, path: str, op: str) -> list[Cell]:
    """What a committee reads of the court case it sent: its own case's outcome only."""
    url = path.replace("{mediation_id}", str(w.med_sent.id))
    other = path.replace("{mediation_id}", str(w.case["case_a"].id))      # never taken to court
    court = COURT_STAFF["civ_a"]
    return [Cell("api", "GET", op, url, None, expect={**{r: {200} for r in SENT_OUTCOME},
                                                      **{r: {200, 404} for r in court},
                                                      **{r: {404} for r in LOGGED_IN - SENT_OUTCOME - court}}),
            Cell("api", "GET", op + " (a case not sent)", other, None, expect={r: {404} for r in LOGGED_IN})]


def _pillar_api_open(w) -> dict:
    t1 = w.sfs1_code
    receive = {"township": t1, "grid": w.d.grids[0].code, "name": "某矫正对象", "gender": "男",
               "id_number": "350602198801011237", "phone": "13800002222", "address": "瑞京路20号",
               "kind": "probation", "decider": "court", "decision_body": "漳州市芗城区人民法院",
               "decision_no": "（2026）闽0602刑初999号", "crime": "危险驾驶罪", "decided_on": "2026-10-30",
               "term_start": "2026-10-30", "term_end": "2027-04-29"}
    register = {"cause": "loan", "facts": "原告出借被告五千元到期未还", "claim": "归还借款", "amount": "5000",
                "parties": [{"side": "plaintiff", "name": "某原告"}, {"side": "defendant", "name": "某被告"}]}
    corr_users = {"sfs1", "sqjz", "jcg1"}
    court = {"judge1", "clerk1"}
    return {
        # lists and counts: each reads their own scope (nothing, for most)
        ("GET", "/api/corrections"): (None, everyone(200)),
        ("GET", "/api/corrections/counts"): (None, everyone(200)),
        ("GET", "/api/corrections/tasks"): (None, everyone(200)),
        ("GET", "/api/corrections/oversight"): (None, {**{r: 200 for r in corr_users}, "*": 404}),
        # 接收 is the agency's: a prosecutor's write is a 403; everyone else finds no such township
        ("POST", "/api/corrections"): (receive, {"sfs1": 201, "sqjz": 201, "jcg1": 403, "*": {403, 404}}),
        # the device adapter: the county agency's, for a positioning it approved (this one is not)
        ("POST", "/api/corrections/positions"): ({"device": "MX-DEV-A", "at": "2026-11-02T08:00:00+08:00",
                                                  "lon": 117.65, "lat": 24.51},
                                                 {"sqjz": {404, 409, 422}, "jcg1": 403, "*": {403, 404}}),
        ("GET", "/api/court"): (None, everyone(200)),
        ("GET", "/api/court/counts"): (None, everyone(200)),
        ("GET", "/api/court/shares"): (None, everyone(200)),
        ("GET", "/api/court/series/suggest"): (None, everyone(200)),
        ("POST", "/api/court"): (register, {**{r: 201 for r in court}, "*": {403, 404}}),
        # 诉调对接 of a case already taken in: the same case again, for its court and its committee
        ("POST", "/api/court/intake"): ({"mediation_case": w.med_sent.id},
                                        {**{r: 200 for r in court | SENT_OUTCOME}, "*": {403, 404}}),
        ("POST", "/api/court/series"): ({"cases": [w.civ["civ_a"].id, w.civ2.id]},
                                        {**{r: {201, 409} for r in court}, "*": {403, 404}}),
        ("GET", "/api/funds"): (None, everyone(200)),
        ("GET", "/api/funds/deposits"): (None, everyone(200)),
        ("POST", "/api/funds/deposits"): ({"kind": "criminal", "secured_kind": "criminal", "case_ref": "矩阵刑和1号",
                                           "depositor": "某缴存人", "beneficiary": "某被害人", "amount": 100000,
                                           "loss": 40000}, {"sanjin1": 201, "*": {403, 404}}),
        ("POST", "/api/funds/grants"): ({"case_ref": "矩阵案1号", "applicant": "某申请人", "payer": "某赔偿义务人",
                                         "amount": 100000, "facts": "赔偿义务人确无赔偿能力", "agreement": True,
                                         "payer_cannot_pay": True, "assets_checked": True, "applicant_hardship": True},
                                        {"sanjin1": 201, "*": {403, 404}}),
        ("POST", "/api/funds/donations"): ({"donor": "某捐赠人", "amount": 100000, "received_on": "2026-11-02",
                                            "key": "mx-don-1"}, {"sanjin1": 201, "*": {403, 404}}),
        # 网格员外业 (api.field): each reads their own day and the patrols in their scope; the sync takes
        # a multipart form, so a JSON body is a 422 whoever sends it (tests/patrols: the real sends)
        ("GET", "/api/field/state"): (None, everyone(200)),
        ("GET", "/api/field/patrols"): (None, everyone(200)),
        ("POST", "/api/field/sync"): ({}, everyone(422)),
        # 消息通知 (api.notify): one's own inbox and settings; the dead-letter list is the admins'.
        # PUT /preferences: one's own settings (an empty body changes nothing, or is refused)
        ("GET", "/api/notifications"): (None, everyone(200)),
        ("GET", "/api/notifications/unread"): (None, everyone(200)),
        ("POST", "/api/notifications/read-all"): (None, everyone(200)),
        ("GET", "/api/notifications/preferences"): (None, everyone(200)),
        ("PUT", "/api/notifications/preferences"): ({}, {"*": {200, 422}}),
        ("GET", "/api/notifications/dead"): (None, {"admin": 200, "*": 403}),
        # 出卷票决 (api.votes): each lists the proposals of their areas; an empty proposal is a 422
        ("GET", "/api/votes"): (None, everyone(200)),
        ("POST", "/api/votes"): ({}, everyone(422)),
        ("POST", "/api/notifications/dead/retry"): ({"ids": [NO_NOTIFICATION]}, {"admin": 200, "*": 403}),
        # 信用档案 (api.credit): nobody here is a credit officer or has a file; lists are empty, bodies 422
        ("GET", "/api/credit/files"): (None, everyone(200)),
        ("POST", "/api/credit/files"): ({}, everyone(422)),
        ("GET", "/api/credit/queue"): (None, everyone(200)),
        ("GET", "/api/credit/me"): (None, everyone(404)),
        ("GET", "/api/credit/me/code"): (None, everyone(404)),
        ("POST", "/api/credit/disputes"): ({}, everyone(422)),
        ("POST", "/api/credit/repairs"): ({}, everyone(422)),
        # 清单化与量化考核 (api.gridwork): one's own 待办 and month (empty for most); generation is the
        # centres' and the admin's; completion and scorecards their readers' (centres, 督查, admin)
        ("GET", "/api/gridwork/today"): (None, everyone(200)),
        ("GET", "/api/gridwork/month"): (None, everyone(200)),
        ("POST", "/api/gridwork/generate"): ({"year": 2026, "month": 11},
                                             {**{r: 200 for r in ("comm11", "town1", "county", "admin")}, "*": 403}),
        ("GET", "/api/gridwork/completion"): (None, {**{r: 200 for r in BOARD_READERS}, "*": 403}),
        ("GET", "/api/gridwork/scorecards"): (None, {**{r: 200 for r in BOARD_READERS}, "*": 403}),
        ("GET", "/api/gridwork/scorecards.xlsx"): (None, {**{r: 200 for r in BOARD_READERS}, "*": 403}),
    }


# A proposal id nobody has: every role finds nothing under it and no 5xx (a proposal's own readers,
# organisers, helpers and residents, and outsiders' 404s are tested in tests/votes).
NO_PROPOSAL = 2_000_000_001
VOTES_PAGES = {"web:votes_proposal": {"GET": everyone(404)}, "web:votes_receipts": {"GET": everyone(404)},
               "web:votes_notice": {"GET": everyone(404)}, "web:votes_document": {"GET": everyone(404)},
               "web:votes_ballot": {"GET": everyone(405), "POST": everyone(404)},
               "web:votes_comment": {"GET": everyone(405), "POST": everyone(404)},
               "web:votes_do": {"GET": everyone(405), "POST": everyone(404)}}
# A notification id nobody has: one's own are tested in tests/notify (another's is a 404 there too).
# 信用档案: an id nobody has (a file's person, its officers and everyone else's 404s: tests/credit's matrix).
NO_CREDIT = 2_000_000_002
CREDIT_PAGES = {"web:credit_file": {"GET": everyone(404)}, "web:credit_evidence": {"GET": everyone(404)},
                "web:credit_dispute": {"GET": everyone(404)}, "web:credit_repair": {"GET": everyone(404)},
                **{n: {"GET": everyone(405), "POST": everyone(404)} for n in (
                    "web:credit_propose", "web:credit_withdraw", "web:credit_proposal_do", "web:credit_dispute_do",
                    "web:credit_repair_do")}}
NO_NOTIFICATION = 2_000_000_000
# 清单任务: a task id nobody has (its worker's, the managers' and everyone else's reads and writes
# are tested in tests/gridwork); the drill-down of a worker nobody is: its readers' 404, others' 403.
NO_DUTY_TASK = 2_000_000_003
GRIDWORK_PAGES = {"web:grid_task": {"GET": everyone(404)}, "web:grid_task_photo": {"GET": everyone(404)},
                  **{n: {"GET": everyone(405), "POST": everyone(404)} for n in (
                      "web:grid_task_complete", "web:grid_task_carry", "web:grid_task_finding")},
                  "web:grid_score_evidence": {"GET": {**{r: 404 for r in BOARD_READERS}, "*": 403}}}
# Pages about an object the matrix has none of (yet): an id nobody has.  随机抽查回访's picks are
# drawn by a command (tests/events: the draw and the call); a centre's list page is above.
NO_ID = 2_000_000_004
NO_ID_PAGES = {"web:revisit_record": {"GET": (None, everyone(405)), "POST": ({"satisfaction": "5"}, everyone(404))},
               # a background 台账 export is its owner's only (tests/events/test_export); staff pages first
               "web:desk_export_job": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 404})},
               "web:desk_export_file": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 404})},
               "web:desk_export_retry": {"GET": (None, {**{r: 403 for r in NOT_STAFF}, "*": 405}),
                                         "POST": ({}, {**{r: 403 for r in NOT_STAFF}, "*": 404})}}
NOTIFY_PAGES = {"web:notification_read": {"GET": everyone(405), "POST": everyone(404)},
                "web:notification_open": {"GET": everyone(404)}}


# Lists searched for each pillar object's name: a role that may not read the object finds nothing.
PILLAR_SEARCHES = {"/api/corrections": ("q", "subj"), "/api/court": ("q", "civ")}


def pillar_search_cells(w, path: str, op: str, expect: dict) -> list[Cell]:
    if path not in PILLAR_SEARCHES:
        return []
    param, which = PILLAR_SEARCHES[path]
    names = SUBJ if which == "subj" else CIVIL
    return [Cell("api", "GET", op + f" ?{param}=<{obj}>", path, body={param: words[0]}, kind="query", expect=expect)
            for obj, words in names.items()]


# ---- the pillars' pages --------------------------------------------------------------------------

def _pillar_pages_open(w) -> dict:
    corr_users, corr_staff = {"sfs1", "sqjz", "jcg1"}, {"sfs1", "sqjz"}
    court = {"judge1", "clerk1"}
    # 三金's pages are for the funds' staff and for mediators (their committees' deposits)
    fund_users = {"sanjin1", "sanjin2", "sjtj1", "med11"}
    receive = {k: str(v) for k, v in _pillar_api_open(w)[("POST", "/api/corrections")][0].items()}
    return {
        "web:corr_list": {"GET": (None, {**{r: 200 for r in corr_users}, "*": 404})},
        "web:corr_new": {"GET": (None, {**{r: 200 for r in corr_staff}, "*": 404}),
                         "POST": (receive, {**{r: 302 for r in corr_staff}, "*": 404})},
        "web:corr_oversight": {"GET": (None, {**{r: 200 for r in corr_users}, "*": 404})},
        "web:court_desk": {"GET": (None, {**{r: 200 for r in court}, "*": 404})},
        # back to where it came from with a message, whoever sends it (checked: unchanged)
        "web:court_intake": {"GET": (None, everyone(405)),
                             "POST": ({"mediation_case": str(w.med_sent.id)}, everyone(302))},
        "web:court_series": {"GET": (None, everyone(405)),
                             "POST": ({"cases": [str(w.civ["civ_a"].id), str(w.civ2.id)]},
                                      {**{r: 302 for r in court}, "*": 404})},
        "web:funds_home": {"GET": (None, {**{r: 200 for r in fund_users}, "*": 404})},
        # the charity fund's maker files aid applications and donations; nobody else finds the pages
        "web:funds_grant_new": {"GET": (None, {"sanjin1": 200, "*": 404})},
        "web:funds_donation_new": {"GET": (None, {"sanjin1": 200, "*": 404})},
        "web:funds_deposit_new": {"GET": (None, {"sanjin1": 200, "*": 404})},
        # 出卷票决: the area's staff and registered residents; proposals are drafted by the centres
        "web:votes_home": {"GET": (None, {**{r: 200 for r in ("grid111", "police11", "nteam", "comm11", "town1",
                                                                "county", "supervisor")}, "*": {200, 404}})},
        "web:votes_new": {"GET": (None, {"comm11": 200, "town1": 200, "county": 200, "*": 404}),
                          "POST": ({"title": ""}, {"comm11": 422, "town1": 422, "county": 422, "*": 404})},
        # the field app: the grid's 2+N team; its service worker and manifest hold no data (public)
        "web:field_home": {"GET": (None, {"grid111": 200, "police11": 200, "nteam": 200, "*": 404})},
        "web:field_sw": {"GET": (None, {"anon": 200, "*": 200})},
        "web:field_manifest": {"GET": (None, {"anon": 200, "*": 200})},
        # 消息通知 (web.notify): every role has its centre; the dead-letter page is the admins'
        # 信用档案 (web.credit): officers, scene operators and residents with a file only — none here
        "web:credit_home": {"GET": (None, everyone(404))},
        "web:credit_me": {"GET": (None, everyone(404))},
        **{n: {"GET": (None, everyone(405)), "POST": ({}, everyone(404))}
           for n in ("web:credit_me_dispute", "web:credit_me_repair", "web:credit_scene_check")},
        # 居民参与统计: the statistics' readers (centres, 督查, the admin) of their areas
        "stats:participation": {"GET": (None, {**{r: 200 for r in STATS_READERS}, "*": 404})},
        # 清单化 (web.gridwork): 今日待办 is the grid team's; the month is anyone's own (empty for most);
        # the duty list and the scorecards are their readers' (centres, 督查, the admin)
        "web:grid_today": {"GET": (None, {**{r: 200 for r in ("grid111", "police11", "nteam")}, "*": 403})},
        "web:grid_month": {"GET": (None, everyone(200))},
        "web:grid_duties": {"GET": (None, {**{r: 200 for r in BOARD_READERS}, "*": 403})},
        "web:grid_scores": {"GET": (None, {**{r: 200 for r in BOARD_READERS}, "*": 403})},
        "web:grid_scores_xlsx": {"GET": (None, {**{r: 200 for r in BOARD_READERS}, "*": 403})},
        "web:notifications": {"GET": (None, everyone(200))},
        "web:notifications_bell": {"GET": (None, everyone(200))},
        "web:notifications_read_all": {"GET": (None, everyone(405)), "POST": ({}, everyone(302))},
        "web:notification_settings": {"GET": (None, everyone(200))},
        "web:notification_dead": {"GET": (None, {"admin": 200, "*": 404}),
                                  "POST": ({"ids": [str(NO_NOTIFICATION)]}, {"admin": 302, "*": 404})},
    }


PILLAR_PAGE_WRITERS = {"web:court_intake": {"judge1", "clerk1", "med11"}}

# Pages about one object of a pillar: URL name → (family, what).
PILLAR_PAGE_OBJECT = {
    "web:corr_file": ("corrections", "read"), "web:corr_document": ("corrections", "file"),
    "web:corr_do": ("corrections", "subject"), "web:corr_create": ("corrections", "create"),
    "web:corr_child_do": ("corrections", "child"), "web:corr_task_done": ("task", "done"),
    "web:court_case": ("court", "read"), "web:court_elements": ("court", "elements"),
    "web:court_book": ("court", "book"), "web:court_do": ("court", "op"), "web:court_series_do": ("series", "op"),
    "web:funds_deposit": ("deposit", "read"), "web:funds_do": ("deposit", "op"),
    "web:funds_document": ("deposit", "file"), "web:funds_reconcile": ("fund", "read"),
    "web:funds_statement": ("fund", "read"), "web:funds_grant": ("grant", "read"),
    "web:funds_grant_do": ("grant", "op"), "web:funds_grant_document": ("grant", "file"),
}


def pillar_page_cells(w, route: str, name: str) -> list[Cell]:
    from gongzhi.corrections import operations as cops
    from gongzhi.court import operations as kops
    from gongzhi.funds import operations as fops
    family, what = PILLAR_PAGE_OBJECT[name]      # KeyError: a new page of a pillar — add it here
    ids = _pillar_ids(w)
    assert set(CORR_SUBJECT_OPS) == set(cops.SUBJECT_OPERATIONS), "corrections: the operations table changed"
    assert set(COURT_OPS) == set(kops.OPERATIONS), "court: the operations table changed"
    assert set(FUND_DEPOSIT_OPS) == set(fops.DEPOSIT_OPERATIONS), "funds: the operations table changed"
    assert set(FUND_GRANT_OPS) == set(fops.GRANT_OPERATIONS), "funds: the grant operations changed"
    for kind, table in (("sanction", cops.SANCTION_OPERATIONS), ("leave", cops.LEAVE_OPERATIONS),
                        ("monitor", cops.MONITOR_OPERATIONS), ("oversight", cops.OVERSIGHT_OPERATIONS)):
        assert set(CORR_CHILD_OPS[kind]) == set(table), f"corrections {kind}: the operations table changed"
    cells = []
    for obj in PILLAR_OBJECTS[family]:
        values = dict(ids[obj])
        if what == "read":
            query = {"year": "2026", "month": "11"} if name == "web:funds_statement" else None
            cells.append(Cell("page", "GET", f"GET {name}", _fill(route, values), obj, body=query, kind="query",
                              expect=_pillar_expect(family, obj, ("read",), "page", False)))
            continue
        if what == "file":
            values["doc_id"] = w.pdoc[obj]
            cells.append(Cell("page", "GET", f"GET {name}", _fill(route, values), obj,
                              expect=_doc_expect(READ_DOC[obj])))
            if obj.endswith("_a"):
                cells.append(Cell("page", "GET", f"GET {name} (other object's file)",
                                  _fill(route, {**values, "doc_id": w.pdoc[obj[:-1] + "b"]}), obj,
                                  expect={r: {403, 404} for r in LOGGED_IN}))
            continue
        if family == "corrections" and what == "subject":
            ops = [(("subject", p), {**values, "path": p}) for p in CORR_SUBJECT_OPS]
        elif what == "create":
            ops = [(("create", k), {**values, "kind": k}) for k in CORR_CREATE]
        elif what == "child":
            ops = [((kind, p), {"kind": kind, "row_id": w.child[obj][kind].id, "path": p})
                   for kind, table in CORR_CHILD_OPS.items() for p in table]
        elif family == "task":
            ops = [(("task", "done"), values)]
        elif family == "court" and what == "op":
            ops = [(("court", p), {**values, "path": p}) for p in COURT_OPS]
        elif family == "court":
            ops = [(("court", what), values)]
        elif family == "series":
            ops = [(("series", p), {**values, "what": p}) for p in ("lead", "follow")]
        elif family == "grant":
            ops = [(("grant", p), {**values, "path": p}) for p in FUND_GRANT_OPS]
        else:
            ops = [(("deposit", p), {**values, "path": p}) for p in FUND_DEPOSIT_OPS]
        for i, (op_what, vals) in enumerate(ops):
            url = _fill(route, vals)
            assert resolve(url).view_name == name, (route, vals)
            if i == 0:                   # GET of a POST-only view: 405 before anything is looked up
                cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
            if family == "court" and op_what[1] == "book":
                body = {"start": "2026-11-10T09:30", "room": "第一速裁法庭"}
            elif family == "court" and op_what[1] == "elements":
                body = {"el-lender": "诸葛诉甲"}
            else:
                body = _form(_pillar_op_body(family, op_what, w) or {})
            label = f"POST {name} {'/'.join(op_what[:1] if op_what[0] == op_what[1] else op_what)}"
            cells.append(Cell("page", "POST", label, url, obj, kind="form", body=body,
                              may=_who_may(family, obj, op_what), writes=True,
                              expect=_pillar_expect(family, obj, op_what, "page", True)))
    return cells


def _build_pillars(w, media) -> None:
    """社区矫正 files, civil cases, deposits and grants, each in and out of the matrix's roles' scope."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from gongzhi.casework.models import Document
    from gongzhi.corrections import inputs as ci, services as cs
    from gongzhi.corrections.models import Agency, AgencyKind, VisitTask
    from gongzhi.court import inputs as ki, services as ks
    from gongzhi.court.models import Court, Member
    from gongzhi.demo.corrections import build_corrections
    from gongzhi.demo.court import build_court
    from gongzhi.demo.funds import build_funds
    from gongzhi.domain import court as kc, ledger as dl
    from gongzhi.domain.enums import CaseKind
    from gongzhi.domain.mediation import CaseStatus, Referral
    from gongzhi.funds import inputs as fi, services as fs
    from gongzhi.funds.models import Account, Fund
    from gongzhi.mediation.models import Case
    d, u = w.d, w.d.users
    User = get_user_model()

    # ---- 社区矫正: agencies, sfs1/sfs2, sqjz (the county's head), jcg1/jcg2; two files
    build_corrections(d, subjects=0)
    twp = {a.area_id: a for a in Agency.objects.filter(kind=AgencyKind.TOWNSHIP)}
    w.sfs1_code, w.sfs2_code = twp[d.townships[0].id].code, twp[d.townships[1].id].code
    for obj, grid, who in (("subj_a", 0, "sfs1"), ("subj_b", 4, "sfs2")):
        name, idn, phone, address, crime = SUBJ[obj]
        staff = u[who]
        subject, _ = cs.receive(actor=staff, data=ci.ReceiveIn(
            township=twp[d.townships[0 if obj == "subj_a" else 1].id].code, grid=d.grids[grid].code, name=name,
            gender="男", id_number=idn, phone=phone, address=address, kind="probation", decider="court",
            decision_body="漳州市芗城区人民法院", decision_no=f"（2026）闽0602刑初{grid + 100}号", crime=crime,
            decided_on=date(2026, 10, 28), term_start=date(2026, 10, 28), term_end=date(2027, 10, 27)))
        cs.documents_received(actor=staff, subject_id=subject.pk)
        cs.report_in(actor=staff, subject_id=subject.pk)
        cs.form_team(actor=staff, subject_id=subject.pk, data=ci.TeamIn(members=[
            ci.Member(role="township", name="司法所干事", org="司法所"),
            ci.Member(role="family", name="家属", org="配偶")]))
        cs.write_plan(actor=staff, subject_id=subject.pk, data=ci.PlanIn(
            plan="一、每周到司法所报告一次；二、每月教育学习和公益活动各不少于八小时。"))
        cs.announce(actor=staff, subject_id=subject.pk)
        sanction, _ = cs.sanction_propose(actor=staff, subject_id=subject.pk, data=ci.SanctionIn(
            step="admonish", facts="未按时报告一次，情节轻微", evidence="报告记录"))
        leave, _ = cs.leave_apply(actor=staff, subject_id=subject.pk, data=ci.LeaveIn(
            start=date(2026, 11, 4), end=date(2026, 11, 5), destination="厦门市", reason="探望住院的母亲"))
        monitor, _ = cs.monitor_propose(actor=staff, subject_id=subject.pk, data=ci.MonitorIn(
            ground="left_area", facts="未经批准离开本县一日", months=1, device=f"MX-DEV-{obj[-1].upper()}"))
        oversight, _ = cs.oversight_issue(actor=u["jcg1"], subject_id=subject.pk, data=ci.OversightIn(
            kind="suggestion", omission="other", facts="矩阵发现的问题", demand="矩阵检察意见"))
        w.subj[obj] = subject
        w.child[obj] = {"sanction": sanction, "leave": leave, "monitor": monitor, "oversight": oversight}
        w.pdoc[obj] = Document.objects.filter(kind=CaseKind.CORRECTION, case_id=subject.pk).order_by("id").first().id
        w.task["task_" + obj[-1]] = VisitTask.objects.filter(subject=subject).order_by("id").first()
        w.secrets[obj] = {subject.number, name, idn, phone, address, crime}
    assert w.task["task_a"].grid_id == d.grids[0].id and w.task["task_b"].grid_id == d.grids[4].id
    # A 帮教 task shows its grid team the person masked and "the address to find them"
    # (corrections.selectors.grid_tasks): the address is theirs to read, nothing else of the file.
    for role in PILLAR_READ["task_a"]:
        w.shown.setdefault(role, set()).add(SUBJ["subj_a"][3])

    # ---- 民事速裁: the county's court (judge1, judge2, clerk1, clerk2) and another court with its own team
    build_court(d, small=True)
    court = Court.objects.get(code="fy-350602")
    other = Court.objects.create(code="fy-matrix", name="矩阵另一人民法院", area=d.county, avg_wage_fen=10_000_000,
                                 wage_year=2025)
    oclerk = User.objects.create(username="mx_clerk", password=u["admin"].password)
    Member.objects.create(court=other, user=oclerk, role=kc.Cap.CLERK)
    Member.objects.create(court=other, user=User.objects.create(username="mx_judge", password=u["admin"].password),
                          role=kc.Cap.JUDGE)

    def civil(key, clerk, court_code, plaintiff, defendant, facts, cause="loan"):
        case, _ = ks.register(actor=clerk, data=ki.RegisterIn(
            court=court_code, cause=cause, facts=facts, claim="请求依法判决", amount="20000",
            parties=[ki.PartyIn(side=kc.Litigant.PLAINTIFF, name=plaintiff, phone="13700007701"),
                     ki.PartyIn(side=kc.Litigant.DEFENDANT, name=defendant)], client_key=key, mediated=True))
        return ks.triage(actor=clerk, case_id=case.pk)

    for obj, clerk, code in (("civ_a", u["clerk1"], court.code), ("civ_b", oclerk, other.code)):
        plaintiff, defendant, facts = CIVIL[obj]
        case = civil(obj, clerk, code, plaintiff, defendant, facts)
        twin = civil(obj + "2", clerk, code, plaintiff + "二", defendant, facts + "（二）")
        w.series["series_" + obj[-1]] = ks.confirm_series(actor=clerk, case_ids=[case.pk, twin.pk])
        ks.mediate(actor=clerk, case_id=case.pk, data=ki.MediateIn(terms="被告分期归还借款", awarded="20000"))
        w.civ[obj] = case
        if obj == "civ_a":
            w.civ2 = twin
        w.pdoc[obj] = Document.objects.filter(kind=CaseKind.CIVIL, case_id=case.pk).order_by("id").first().id
        w.secrets[obj] = {case.number, plaintiff, defendant, facts[:5], facts[6:]}
    from gongzhi.court.models import CivilCase
    w.civ = {k: CivilCase.objects.get(pk=c.pk) for k, c in w.civ.items()}
    # the failed mediation case of med11's committee, taken to court (诉调对接): its outcome is med11's
    # (its own parties and facts: the court's staff read them in the case they took in)
    from gongzhi.mediation.models import Party
    sent = Case.objects.get(pk=w.case["case_a"].pk)
    sent.pk = sent.number = None
    sent.facts = "某甲与某乙因借款纠纷调解不成，申请转入法院"
    sent.status, sent.succeeded, sent.referral = CaseStatus.FAILED, False, Referral.LITIGATION
    sent.save()
    for role, name in (("applicant", "某甲"), ("respondent", "某乙")):
        Party.objects.create(case=sent, role=role, name=name)
    ks.intake_from_mediation(actor=u["clerk1"], data=ki.IntakeIn(mediation_case=sent.pk))
    w.med_sent = sent

    # ---- 三金: the funds of sanjin1 (maker), sanjin2/sanjin3 (checkers), sjtj1's committee; another
    # set of funds with its own staff
    made = build_funds(d)
    omaker, oc1, oc2 = (User.objects.create(username=f"mx_fund{i}", password=u["admin"].password) for i in (1, 2, 3))
    for kind, code in ((dl.FundKind.CRIMINAL, "MX-XS"), (dl.FundKind.CHARITY, "MX-JZ")):
        f = Fund.objects.create(code=code, name=f"矩阵{kind.label}", kind=kind)
        Account.objects.create(fund=f, code=f"{code}-bank", name="银行专户", kind=dl.AccountKind.BANK)
        f.makers.add(omaker)
        f.checkers.add(oc1, oc2)
    for obj, maker, checkers, secured in (("dep_a", u["sanjin1"], (u["sanjin2"], u["sanjin3"]), "mediation"),
                                          ("dep_b", omaker, (oc1, oc2), "criminal")):
        depositor, beneficiary = MONEY[obj]
        if secured == "mediation":
            data = fi.PledgeIn(kind="pledge", secured_kind="mediation", case_id=made["case"](90).pk,
                               depositor=depositor, beneficiary=beneficiary, amount=100000,
                               depositor_phone="13700008801")
        else:
            data = fi.PledgeIn(kind="criminal", secured_kind="criminal", case_ref="矩阵刑和〔2026〕1号",
                               depositor=depositor, beneficiary=beneficiary, amount=100000, loss=40000,
                               depositor_phone="13700008802")
        dep = fs.pledge(actor=maker, data=data)[0]
        fs.receive(actor=maker, deposit_id=dep.pk, data=fi.ReceiveIn(amount=100000, bank_reference=f"MX-{obj}"))
        fs.confirm(actor=checkers[0], deposit_id=dep.pk)
        if secured == "mediation":
            fs.condition_met(actor=u["sjtj1"], deposit_id=dep.pk, data=fi.ConditionIn(note="双方确认协议已履行"))
        else:
            fs.condition_met(actor=maker, deposit_id=dep.pk, data=fi.ConditionIn(decision_ref="矩阵决〔2026〕2号"))
        fs.propose(actor=maker, deposit_id=dep.pk, data=fi.ProposeIn(to_victim=100000, decision_ref="矩阵决〔2026〕3号",
                                                                      reason="依决定处置"))
        for c in checkers:
            fs.approve(actor=c, deposit_id=dep.pk)
        w.dep[obj] = dep
        w.pdoc[obj] = Document.objects.filter(kind=CaseKind.DEPOSIT, case_id=dep.pk).order_by("id").first().id
        w.secrets[obj] = {dep.number, depositor, beneficiary}
        gobj = "grant_" + obj[-1]
        applicant, payer = MONEY[gobj]
        fs.donate(actor=maker, data=fi.DonationIn(donor="矩阵捐赠", amount=10_000_000, received_on=date(2026, 11, 1),
                                                  key=f"mx-{obj}"))
        grant = fs.grant_apply(actor=maker, data=fi.GrantIn(
            case_ref=f"矩阵案〔2026〕{obj}号", applicant=applicant, payer=payer, amount=100000,
            facts="赔偿义务人确无赔偿能力", agreement=True, payer_cannot_pay=True, assets_checked=True,
            applicant_hardship=True))[0]
        fs.grant_approve(actor=checkers[0], grant_id=grant.pk)
        w.grant[gobj] = grant
        w.pdoc[gobj] = Document.objects.filter(kind=CaseKind.GRANT, case_id=grant.pk).order_by("id").first().id
        w.secrets[gobj] = {grant.number, applicant, payer}
    from gongzhi.funds.models import Deposit
    w.dep = {k: Deposit.objects.get(pk=v.pk) for k, v in w.dep.items()}
    w.fund = {"fund_a": w.dep["dep_a"].fund, "fund_b": w.dep["dep_b"].fund}
    # 社区矫正 files (SJ…) and 三金 deposits (SJZ…) are numbered apart: a file's number is watched.
    assert not set(Deposit.objects.values_list("number", flat=True)) & {sb.number for sb in w.subj.values()}
    assert w.fund["fund_a"].makers.filter(pk=u["sanjin1"].pk).exists()


# A two-line bank statement (三金's import), refused or not, never written by a role out of scope.
STATEMENT_CSV = "交易日期,金额,流水号,摘要\n2026-11-01,1000.00,MX-CSV-1,矩阵测试\n".encode()


def _pillar_models() -> list:
    from gongzhi.corrections import models as cm
    from gongzhi.court import models as km
    from gongzhi.funds import models as fm
    return [cm.Subject, cm.Sanction, cm.Leave, cm.Monitor, cm.Oversight, cm.VisitTask, cm.Checkin, cm.Visit,
            km.CivilCase, km.Series, fm.Deposit, fm.Grant, fm.Donation, fm.Posting]


# ---- 积分超市 (points) and the chains' verifier -----------------------------------------------------
# Written from the pillar's rules (points/scope.py's docstring, the pillar's brief), not from what the
# code answers: a resident reads their own account and spends in the shop of their community; a
# shop's managers read the accounts and decide the claims of the residents of the shop's area
# (never their own, never one they entered: two people per hour that becomes points), reverse
# postings and change the stock; a redemption point's staff look up and hand over the codes brought
# to their counter (what to hand over and a masked name, not the history); the administrator is
# everyone's manager and counter.  The pages 404 for whoever has no registry record and is no shop
# staff.  /chains/ is for the administrator and 督查 only.
# pts_a: resident1's account in community 1-1's shop (jfgl1 its manager, dhd1 at its counter);
# pts_b: resident2's, in community 2-1's shop whose staff are not among the roles.
PTS_NAME = {"pts_a": "令狐积甲", "pts_b": "令狐积乙"}
PTS_ACTIVITY = {"pts_a": "矩阵积甲：敬老院陪护老人志愿服务", "pts_b": "矩阵积乙：河道清理志愿服务"}
PTS_OWNER = {"pts_a": {"resident1"}, "pts_b": {"resident2"}}
PTS_MANAGE = {"pts_a": {"jfgl1", "admin"}, "pts_b": {"admin"}}
PTS_COUNTER = {"pts_a": {"dhd1", "admin"}, "pts_b": {"admin"}}
READ.update({k: PTS_OWNER[k] | PTS_MANAGE[k] for k in PTS_OWNER})
SECOND.update({"pts_b": "pts_a"})
PTS_PAGE_USERS = {"resident1", "resident2", "jfgl1", "dhd1", "admin"}     # a registry record or shop staff
CHAIN_READERS = {"admin", "supervisor"}


def _pts_refused(obj: str, may: set, in_scope_refusal: dict | None = None) -> dict:
    """Everyone not counted in ``may`` finds nothing (404) unless told otherwise."""
    return {**{r: {404} for r in LOGGED_IN - may}, **(in_scope_refusal or {})}


def _build_points(w) -> None:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gongzhi.domain.points import Source
    from gongzhi.points import services as ps, shop as psh
    from gongzhi.points.models import Item, Posting, Redemption, RedemptionPoint, Shop
    from gongzhi.points.reference import ensure_rules
    from gongzhi.registry.models import Person
    d, u = w.d, w.d.users
    User = get_user_model()
    ensure_rules()
    for name in ("jfgl1", "dhd1"):
        u[name] = User.objects.create(username=name, password=u["admin"].password)
    other_mgr, other_dhd = (User.objects.create(username=n, password=u["admin"].password)
                            for n in ("mx_jfgl", "mx_dhd"))
    today = timezone.localdate()
    for obj, who, grid, community, mgr, dhd in (("pts_a", "resident1", 0, 0, u["jfgl1"], u["dhd1"]),
                                               ("pts_b", "resident2", 4, 2, other_mgr, other_dhd)):
        person = Person.objects.create(name=PTS_NAME[obj], grid=d.grids[grid], user=u[who])
        shop = Shop.objects.create(name=f"矩阵积分超市{obj[-1]}", area=d.communities[community])
        shop.managers.add(mgr)
        counter = RedemptionPoint.objects.create(shop=shop, name=f"矩阵兑换点{obj[-1]}", address="矩阵路1号")
        counter.staff.add(dhd)
        item = Item.objects.create(shop=shop, name=f"矩阵洗衣液{obj[-1]}", price=5, stock=20)
        posting = ps.award(person=person, rule=Source.PATROL, key=f"mx:patrol:{obj}", actor=mgr, reason="平安巡防")
        ps.award(person=person, rule=Source.VOTE, key=f"mx:vote:{obj}", actor=None, reason="参与社区票决")
        ps.award(person=person, rule=Source.REPORT, key=f"mx:report:{obj}", actor=None, reason="有效报事")
        claim, _ = ps.claim_hours(actor=u[who], person_id=None, shop_id=shop.pk, rule_code=Source.VOLUNTEER.value,
                                  hours=2, worked_on=today - timedelta(days=1), activity=PTS_ACTIVITY[obj])
        redemption, _ = psh.redeem(actor=u[who], item_id=item.pk, counter_id=counter.pk)
        w.pts[obj] = {"person": person, "shop": shop, "counter": counter, "item": item, "claim": claim,
                      "redemption": redemption, "account": redemption.account,
                      "posting": Posting.objects.get(pk=posting.pk)}
        w.secrets[obj] = {PTS_ACTIVITY[obj]}        # the name is the registry's (reg_*)
    # the codes are asked in real time, long after the world's 2 November: keep them valid
    Redemption.objects.filter(pk__in=[p["redemption"].pk for p in w.pts.values()]).update(
        valid_until=timezone.now() + timedelta(days=3650))


def _pts_worked_on() -> str:
    from django.utils import timezone
    return str(timezone.localdate() - __import__("datetime").timedelta(days=1))


def _points_api_open(w) -> dict:
    a = w.pts["pts_a"]
    redeem = {"item_id": a["item"].pk, "counter_id": a["counter"].pk, "qty": 1}
    claim = {"shop_id": a["shop"].pk, "person_id": a["person"].pk, "rule": "volunteer", "hours": 2,
             "worked_on": _pts_worked_on(), "activity": "矩阵申报：社区义诊志愿服务"}
    code = {"code": a["redemption"].code}
    return {
        # one's own points, the rules, the shop, one's claims queue and stock, one's staff flags:
        # everyone alike (empty lists for who has no registry record and is no shop staff)
        **{("GET", f"/api/points/{p}"): (None, everyone(200)) for p in ("me", "rules", "items", "claims", "stock",
                                                                        "staff")},
        # a resident of the shop's area spends there; resident2 lives elsewhere; the rest have no record
        ("POST", "/api/points/redemptions"): (redeem, {"resident1": 201, "*": {403, 404}}),
        # hours for resident1: by themselves or by the shop's managers (the admin: every shop's)
        ("POST", "/api/points/claims"): (claim, {"resident1": 201, "jfgl1": 201, "admin": 201, "*": {403, 404}}),
        # the counter: its staff (and the admin) only
        ("POST", "/api/points/counter/lookup"): (code, {"dhd1": 200, "admin": 200, "*": 403}),
        ("POST", "/api/points/counter/hand-over"): (code, {"dhd1": 200, "admin": 200, "*": 403}),
    }


def _points_pages_open(w) -> dict:
    a = w.pts["pts_a"]
    redeem = {"item_id": str(a["item"].pk), "counter_id": str(a["counter"].pk), "qty": "1"}
    claim = {"shop_id": str(a["shop"].pk), "person_id": str(a["person"].pk), "rule": "volunteer", "hours": "2",
             "worked_on": _pts_worked_on(), "activity": "矩阵申报：社区义诊志愿服务"}
    resident_pages = {**{r: 200 for r in PTS_PAGE_USERS}, "*": 404}
    return {
        "web:points_home": {"GET": (None, resident_pages)},
        "web:points_shop": {"GET": (None, resident_pages)},
        # the shop page comes back with the service's refusal: elsewhere (404), no record (403)
        "web:points_redeem": {"GET": (None, everyone(405)),
                              "POST": (redeem, {"resident1": 302, "resident2": 404, "jfgl1": 403, "dhd1": 403,
                                                "admin": 403, "*": 404})},
        "web:points_claim": {"GET": (None, everyone(405)),
                             "POST": (claim, {"resident1": 302, "jfgl1": 302, "admin": 302, "resident2": 403,
                                              "dhd1": 403, "*": 404})},
        "web:points_desk": {"GET": (None, {"jfgl1": 200, "admin": 200, "*": 404})},
        "web:points_counter": {"GET": (None, {"dhd1": 200, "admin": 200, "*": 404})},
        "web:points_hand_over": {"GET": (None, everyone(405)),
                                 "POST": ({"code": a["redemption"].code}, {"dhd1": 302, "admin": 302, "*": 404})},
        "web:chains": {"GET": (None, {**{r: 200 for r in CHAIN_READERS}, "*": 404})},
    }


def points_api_cells(w, method: str, path: str, op: str) -> list[Cell]:
    """The points operations on one object, for pts_a and pts_b."""
    cells = []
    for obj in ("pts_a", "pts_b"):
        p = w.pts[obj]
        ids = {"account_id": p["account"].pk, "redemption_id": p["redemption"].pk, "claim_id": p["claim"].pk,
               "posting_id": p["posting"].pk, "item_id": p["item"].pk}
        url = re.sub(r"{(\w+)}", lambda m, v=ids: str(v[m.group(1)]), path)   # KeyError: a new parameter
        tail = path.split("/")[3]
        if path == "/api/points/accounts/{account_id}":
            cells.append(Cell("api", "GET", op, url, obj, expect=_doc_expect(READ[obj])))
            continue
        if path.endswith("/cancel"):                   # the resident themselves or the shop's managers
            may, body, refusal = PTS_OWNER[obj] | PTS_MANAGE[obj], {}, None
        elif path.endswith("/decide"):                 # never one's own claim
            may, body, refusal = PTS_MANAGE[obj], {"confirm": True, "reason": ""}, {r: {403} for r in PTS_OWNER[obj]}
        elif path.endswith("/reverse"):                # managers; a resident's own points: in scope, refused
            may, body, refusal = PTS_MANAGE[obj], {"reason": "矩阵冲正"}, {r: {403, 404} for r in PTS_OWNER[obj]}
        elif tail == "stock":
            may, body, refusal = PTS_MANAGE[obj], {"add": 5}, None
        else:
            raise AssertionError(f"{path}: a points operation the matrix does not know — add it")
        cells.append(Cell("api", method, op, url, obj, body=body, may=may, writes=True,
                          expect=_pts_refused(obj, may, refusal)))
    return cells


def track_cells(w) -> list[Cell]:
    """The right pair: the record's public view, to anyone — never a reporter, a phone or a party."""
    last4 = REPORTER["ev_a"][1][-4:]
    return [Cell("api", "POST", "POST /api/track (the right pair)", "/api/track", writes=True,
                 body={"number": w.ev["ev_a"].number, "last4": last4}, expect={"anon": {200, 429}, "*": {200, 429}}),
            Cell("page", "POST", "POST web:track (the right pair)", "/track/", kind="form", writes=True,
                 body={"number": w.ev["ev_a"].number, "last4": last4}, expect={"anon": {200, 429}, "*": {200, 429}})]


def points_extra_api_cells(w) -> list[Cell]:
    """Another shop's code at this counter: only the administrator (every counter's) finds it."""
    code = {"code": w.pts["pts_b"]["redemption"].code}
    return [Cell("api", "POST", f"POST /api/points/counter/{p} (another shop's code)", f"/api/points/counter/{p}",
                 body=code, writes=True, expect={"dhd1": {404}, "admin": {200}, "*": {403}})
            for p in ("lookup", "hand-over")]


POINTS_PAGE_OBJECT = {"web:points_cancel": "cancel", "web:points_decide": "decide", "web:points_restock": "stock",
                      "web:points_account": "account", "web:points_reverse": "reverse"}


def points_page_cells(w, route: str, name: str) -> list[Cell]:
    what = POINTS_PAGE_OBJECT[name]           # KeyError: a new points page — add it here
    cells = []
    for obj in ("pts_a", "pts_b"):
        p = w.pts[obj]
        values = {"account_id": p["account"].pk, "redemption_id": p["redemption"].pk, "claim_id": p["claim"].pk,
                  "posting_id": p["posting"].pk, "item_id": p["item"].pk}
        url = _fill(route, values)
        assert resolve(url).view_name == name, (route, values)
        if what == "account":                  # the managers' page (a resident has /points/)
            cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect=_doc_expect(PTS_MANAGE[obj])))
            continue
        may = PTS_OWNER[obj] | PTS_MANAGE[obj] if what == "cancel" else PTS_MANAGE[obj]
        body = {"decide": {"confirm": "1"}, "stock": {"add": "5"}, "reverse": {"reason": "矩阵冲正"}}.get(what, {})
        if obj == "pts_a":
            cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
        cells.append(Cell("page", "POST", f"POST {name}", url, obj, kind="form", body=body, may=may, writes=True,
                          expect=_pts_refused(obj, may)))
    return cells


def points_extra_page_cells(w) -> list[Cell]:
    """The counter page looking a code up: its own counter's (dhd1) or another shop's (the admin's only)."""
    a, b = (w.pts[k]["redemption"].code for k in ("pts_a", "pts_b"))
    return [Cell("page", "GET", "GET web:points_counter ?code=<pts_a>", "/points/counter/", body={"code": a},
                 kind="query", expect={"dhd1": {200}, "admin": {200}, "*": {404}}),
            Cell("page", "GET", "GET web:points_counter ?code=<pts_b>", "/points/counter/", body={"code": b},
                 kind="query", expect={"dhd1": {404}, "admin": {200}, "*": {404}})]


def _points_models() -> list:
    from gongzhi.points import models as pm
    return [pm.Account, pm.Posting, pm.Claim, pm.Redemption, pm.Item]


# ---- 基础信息登记 (registry: 人房物事情组织) --------------------------------------------------------------
# Written from registry/scope.py's docstring and domain.registry's tables: the area's registry roles
# (the grid team, the centres, N类力量 and 督查 over the area) read its people, houses and units,
# masked; the administrator all of it, masked; a resident their own row and household.  Writes
# (register, correct, move out) are the writers' (grid worker, police, community staff, centres)
# over the row's grid; marks the mark writers' (police, community staff, centres); claims are
# verified by community staff and centres; unmasking (事由, logged) is for the handlers, 督查 and
# the administrator (the one policy's UNMASKERS) and the person themselves; an import run is its
# importer's.  Department staff, residents and the pillars' people are no registry staff.
# reg_a: resident1's row (the points' person) in grid 0, its house, household, a shop (unit), a
# pending claim and a mark; reg_b the same in grid 4.
REG_ID = {"reg_a": ("350602199101011232", "13700009911"), "reg_b": ("350602199202021237", "13700009922")}
REG_HOUSE = {"reg_a": "矩阵登甲路8号", "reg_b": "矩阵登乙路9号"}
REG_UNIT = {"reg_a": "矩阵甲号便利店", "reg_b": "矩阵乙号五金店"}
REG_CLAIMANT = {"reg_a": "司徒认甲", "reg_b": "司徒认乙"}
REG_STAFF = {"reg_a": {"grid111", "police11", "nteam", "comm11", "town1", "county", "supervisor", "admin"},
             "reg_b": {"county", "supervisor", "admin"}}
REG_WRITERS = {"reg_a": {"grid111", "police11", "comm11", "town1", "county"}, "reg_b": {"county"}}
REG_MARKERS = {"reg_a": {"police11", "comm11", "town1", "county"}, "reg_b": {"county"}}
REG_VERIFIERS = {"reg_a": {"comm11", "town1", "county"}, "reg_b": {"county"}}
REG_SELF = {"reg_a": {"resident1"}, "reg_b": {"resident2"}}
REG_UNMASKERS = {k: REG_WRITERS[k] | {"supervisor", "admin"} for k in REG_WRITERS}
REG_ANY_STAFF = REG_STAFF["reg_a"]                                  # registry staff somewhere
REG_ANY_WRITER = REG_WRITERS["reg_a"]
REG_IMPORTER = {"reg_a": {"comm11"}, "reg_b": set()}
READ.update({k: REG_STAFF[k] | REG_SELF[k] for k in REG_STAFF})                  # the person: name, house
READ.update({f"{k}_id": set(REG_SELF[k]) for k in REG_STAFF})                   # full ID number and phone
READ.update({f"{k}_unit": set(REG_STAFF[k]) for k in REG_STAFF})
# a claim: its verifiers; the administrator "sees it all" (the Django admin lists it; not a verifier)
READ.update({f"{k}_claim": REG_VERIFIERS[k] | {"admin"} for k in REG_STAFF})
SECOND.update({"reg_b": "reg_a", "reg_b_id": "reg_a_id", "reg_b_unit": "reg_a_unit", "reg_b_claim": "reg_a_claim"})


def _build_registry(w) -> None:
    from datetime import date

    from django.contrib.auth import get_user_model

    from gongzhi.domain.registry import HouseUse, ImportKind, SpecialGroup, UnitKind
    from gongzhi.registry.models import Claim, House, Household, ImportRun, PersonMark, Unit
    d, u = w.d, w.d.users
    User = get_user_model()
    outsider = User.objects.create(username="mx_reg_importer", password=u["admin"].password)
    w.reg = {}
    for obj, pts, grid in (("reg_a", "pts_a", 0), ("reg_b", "pts_b", 4)):
        person = w.pts[pts]["person"]
        idn, phone = REG_ID[obj]
        house = House.objects.create(grid=d.grids[grid], address=REG_HOUSE[obj], use=HouseUse.OWNER)
        household = Household.objects.create(house=house, head=person)
        person.id_number, person.phone, person.house, person.household = idn, phone, house, household
        person.save()
        unit = Unit.objects.create(name=REG_UNIT[obj], kind=UnitKind.SHOP, grid=d.grids[grid], address="矩阵路2号")
        claimant = User.objects.create(username=f"mx_claim_{obj[-1]}", password=u["admin"].password)
        claim = Claim.objects.create(user=claimant, name=REG_CLAIMANT[obj], id_number="350602198801011239",
                                     grid=d.grids[grid], address="矩阵认证路3号")
        mark = PersonMark.objects.create(person=person, group=SpecialGroup.MENTAL, since=date(2026, 10, 1))
        run = ImportRun.objects.create(kind=ImportKind.PEOPLE, by=u["comm11"] if obj == "reg_a" else outsider,
                                       area=d.grids[grid], filename=f"矩阵导入{obj[-1]}.csv", sha256="0" * 64,
                                       rejected=[{"row": 2, "reason": "矩阵原因", "values": {}}])
        w.reg[obj] = {"person": person, "house": house, "household": household, "unit": unit, "claim": claim,
                      "mark": mark, "run": run}
        w.secrets[obj] = {PTS_NAME[pts], REG_HOUSE[obj]}
        w.secrets[f"{obj}_id"] = {idn, phone}
        w.secrets[f"{obj}_unit"] = {REG_UNIT[obj]}
        w.secrets[f"{obj}_claim"] = {REG_CLAIMANT[obj]}
    # a shop's manager reads the names of the residents it serves; its counter a masked one
    w.shown.setdefault("jfgl1", set()).add(PTS_NAME["pts_a"])


def _reg_ids(w, obj: str) -> dict:
    r = w.reg[obj]
    return {"person_id": r["person"].pk, "house_id": r["house"].pk, "household_id": r["household"].pk,
            "unit_id": r["unit"].pk, "claim_id": r["claim"].pk, "mark_id": r["mark"].pk, "run_id": r["run"].pk}


def _reg_write(obj: str, may: set, in_scope: set) -> dict:
    """Out of scope: 404; in scope without the capacity: refused, nothing written."""
    return {r: ({403, 404, 409, 422} if r in in_scope else {404}) for r in LOGGED_IN - may}


def _registry_api_open(w) -> dict:
    g0 = w.d.grids[0].code
    writers = {**{r: 201 for r in REG_ANY_WRITER}, "*": {403, 404}}
    link = {"case_kind": "event", "case_id": w.ev["ev_a"].id, "target": "person",
            "target_id": w.reg["reg_a"]["person"].pk, "note": ""}
    return {
        # lists: each their own scope (a resident their own row, nothing for who has none)
        **{("GET", f"/api/registry/{p}"): (None, everyone(200)) for p in ("people", "houses", "units", "me")},
        ("POST", "/api/registry/people"): ({"name": "矩阵新登记", "grid": g0, "address": "矩阵新址1号"}, writers),
        ("POST", "/api/registry/houses"): ({"grid": g0, "address": "矩阵新房屋1号"}, writers),
        ("POST", "/api/registry/units"): ({"name": "矩阵新单位", "kind": "shop", "grid": g0}, writers),
        # anyone logged in may declare where they live (a resident already registered: refused)
        ("POST", "/api/registry/claims"): ({"name": "矩阵申报人", "id_number": "350602198506061233", "grid": g0,
                                            "address": "矩阵申报路5号"}, {"*": {200, 201, 403, 409}}),
        ("GET", "/api/registry/claims"): (None, {**{r: 200 for r in REG_VERIFIERS["reg_a"]}, "*": 403}),
        # a case linked to a row: who writes the row and reads the case (ev_a: grid 0's)
        ("POST", "/api/registry/links"): (link, {**{r: {200, 201} for r in REG_WRITERS["reg_a"]}, "*": {403, 404}}),
        ("POST", "/api/registry/imports"): ({}, everyone(422)),             # a sheet is a multipart upload
        ("GET", "/api/registry/export.xlsx"): (None, {**{r: 200 for r in REG_ANY_STAFF}, "*": {403, 404}}),
    }


def registry_api_cells(w, method: str, path: str, op: str) -> list[Cell]:
    tail = path.removeprefix("/api/registry/")
    cells = []
    for obj in ("reg_a", "reg_b"):
        ids = _reg_ids(w, obj)
        url = re.sub(r"{(\w+)}", lambda m, v=ids: str(v[m.group(1)]), path)   # KeyError: a new parameter
        staff, mine = REG_STAFF[obj], REG_SELF[obj]
        if method == "PUT":                 # 更正: the row's writers
            body = {"name": PTS_NAME["pts" + obj[3:]], "grid": w.reg[obj]["person"].grid.code, "address": "矩阵更正1号"}
            # the body's grid is checked first: one not theirs is a 403 whatever the id (it tells nothing)
            cells.append(Cell("api", "PUT", op, url, obj, body=body, may=REG_WRITERS[obj], writes=True,
                              expect={r: {403, 404} | e for r, e in
                                      _reg_write(obj, REG_WRITERS[obj], staff | mine).items()}))
            continue
        if tail == "people/{person_id}":
            cells.append(Cell("api", "GET", op, url, obj, expect=_doc_expect(staff | mine)))
            continue
        if tail == "houses/{house_id}":      # the area's staff and the household's members
            cells.append(Cell("api", "GET", op, url, obj, expect=_doc_expect(staff | mine)))
            continue
        if tail == "units/{unit_id}":
            cells.append(Cell("api", "GET", op, url, obj + "_unit", expect=_doc_expect(staff)))
            continue
        if tail.startswith("imports/"):
            cells.append(Cell("api", "GET", op, url, obj, expect=_doc_expect(REG_IMPORTER[obj])))
            continue
        if tail == "people/{person_id}/unmask":
            may, body = REG_UNMASKERS[obj] | mine, {"reason": "矩阵核实身份"}
        elif tail in ("people/{person_id}/move-out", "households/{household_id}/move-out"):
            may, body = REG_WRITERS[obj], {"on": "2026-11-01", "note": ""}
        elif tail == "people/{person_id}/marks":
            may, body = REG_MARKERS[obj], {"group": "drug", "since": "2026-10-01"}
        elif tail == "marks/{mark_id}/end":
            may, body = REG_MARKERS[obj], {"until": "2026-11-01"}
        elif tail.startswith("claims/"):
            may, body = REG_VERIFIERS[obj], {"reason": "矩阵：地址不符"} if tail.endswith("reject") else {}
            cells.append(Cell("api", method, op, url, obj + "_claim", body=body, may=may, writes=True,
                              expect={r: {403, 404} for r in LOGGED_IN - may}))
            continue
        else:
            raise AssertionError(f"{path}: a registry operation the matrix does not know — add it")
        cells.append(Cell("api", method, op, url, obj, body=body, may=may, writes=True,
                          expect=_reg_write(obj, may, staff | mine)))
    return cells


REGISTRY_PAGE_OBJECT = {"web:registry_person": "person", "web:registry_unmask": "unmask",
                        "web:registry_person_do": "do", "web:registry_house": "house", "web:registry_unit": "unit",
                        "web:registry_link": "link", "web:registry_claim_do": "claim",
                        "web:registry_import_result": "run", "web:registry_import_rejected": "run"}


def _registry_pages_open(w) -> dict:
    staff = {**{r: 200 for r in REG_ANY_STAFF}, "*": 404}
    return {
        "web:registry_home": {"GET": (None, staff)},
        "web:registry_me": {"GET": (None, everyone(200))},
        "web:registry_pending": {"GET": (None, {**{r: 200 for r in REG_VERIFIERS["reg_a"]}, "*": 404})},
        "web:registry_import": {"GET": (None, {**{r: 200 for r in REG_ANY_WRITER}, "*": 404})},
        "web:registry_export": {"GET": (None, staff)},        # POST (unmasked, with 事由): registry_extra_page_cells
    }


def registry_page_cells(w, route: str, name: str) -> list[Cell]:
    what = REGISTRY_PAGE_OBJECT[name]           # KeyError: a new registry page — add it here
    cells = []
    for obj in ("reg_a", "reg_b"):
        ids = _reg_ids(w, obj)
        staff, mine = REG_STAFF[obj], REG_SELF[obj]
        if what in ("person", "house"):         # the area's staff; the person themselves, their household
            cells.append(Cell("page", "GET", f"GET {name}", _fill(route, ids), obj, expect=_doc_expect(staff | mine)))
        elif what == "unit":
            cells.append(Cell("page", "GET", f"GET {name}", _fill(route, ids), obj + "_unit",
                              expect=_doc_expect(staff)))
        elif what == "run":
            cells.append(Cell("page", "GET", f"GET {name}", _fill(route, ids), obj,
                              expect=_doc_expect(REG_IMPORTER[obj])))
        elif what == "unmask":                  # a staff page: the person reads their own row in full anyway
            url = _fill(route, ids)
            if obj == "reg_a":
                cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
            cells.append(Cell("page", "POST", f"POST {name}", url, obj, kind="form", body={"reason": "矩阵核实身份"},
                              may=REG_UNMASKERS[obj], writes=True, expect=_reg_write(obj, REG_UNMASKERS[obj], staff)))
        elif what == "do":
            for i, (path, may, body) in enumerate((("move-out", REG_WRITERS[obj], {"on": "2026-11-01"}),
                                                   ("mark", REG_MARKERS[obj], {"group": "drug",
                                                                               "since": "2026-10-01"}))):
                url = _fill(route, {**ids, "path": path})
                if i == 0 and obj == "reg_a":
                    cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
                cells.append(Cell("page", "POST", f"POST {name} {path}", url, obj, kind="form", body=body, may=may,
                                  writes=True, expect=_reg_write(obj, may, staff)))
        elif what == "link":                    # back to the row's page with a message, whoever is refused
            url = _fill(route, {"target": "person", "target_id": ids["person_id"]})
            may = REG_WRITERS[obj] & READ["ev_a"]
            if obj == "reg_a":
                cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
            cells.append(Cell("page", "POST", f"POST {name}", url, obj, kind="form", may=may, writes=True,
                              body={"case_kind": "event", "case_id": str(w.ev["ev_a"].id), "note": ""},
                              expect={r: ({302} if r in REG_ANY_STAFF else {404}) for r in LOGGED_IN - may}))
        elif what == "claim":
            for i, path in enumerate(("verify", "reject")):
                url = _fill(route, {**ids, "path": path})
                if i == 0 and obj == "reg_a":
                    cells.append(Cell("page", "GET", f"GET {name}", url, obj, expect={"*": 405}))
                cells.append(Cell("page", "POST", f"POST {name} {path}", url, obj + "_claim", kind="form",
                                  body={"reason": "矩阵：地址不符"}, may=REG_VERIFIERS[obj], writes=True,
                                  expect={r: {404} for r in LOGGED_IN - REG_VERIFIERS[obj]}))
    return cells


def registry_extra_page_cells(w) -> list[Cell]:
    """The export with 事由: ID numbers in full where the viewer may unmask (those not sent); the
    others' workbook stays masked."""
    may = REG_ANY_WRITER | {"supervisor", "admin"}
    return [Cell("page", "POST", "POST web:registry_export", "/registry/export.xlsx", kind="form",
                 body={"reason": "矩阵核对"}, may=may, writes=True,
                 expect={**{r: {200, 302} for r in REG_ANY_STAFF - may}, "*": {404}})]


def _registry_models() -> list:
    from gongzhi.registry import models as rm
    return [rm.Person, rm.House, rm.Household, rm.Unit, rm.Claim, rm.PersonMark, rm.CaseLink, rm.ImportRun,
            rm.Change]


# ---- 消息通知 (notify): one's own inbox --------------------------------------------------------------
# A notification is its addressee's only: anyone else finds nothing under its id (404), and no list,
# bell or page shows them a word of it.  ntf_a is resident1's, ntf_b resident2's.
NTF_TEXT = {"ntf_a": "矩阵通知甲：您反映的井盖问题已派遣处理", "ntf_b": "矩阵通知乙：您的调解申请已受理"}
NTF_OWNER = {"ntf_a": {"resident1"}, "ntf_b": {"resident2"}}
READ.update(NTF_OWNER)
SECOND.update({"ntf_b": "ntf_a"})


def _build_notify(w) -> None:
    from django.utils import timezone

    from gongzhi.domain.notify import Topic
    from gongzhi.notify.models import Notification
    w.ntf = {}
    for obj, who in (("ntf_a", "resident1"), ("ntf_b", "resident2")):
        w.ntf[obj] = Notification.objects.create(
            user=w.d.users[who], topic=Topic.DISPATCH, text=NTF_TEXT[obj], link="/mine/", source="matrix",
            source_id=1 if obj == "ntf_a" else 2, created_at=timezone.now())
        w.secrets[obj] = {NTF_TEXT[obj]}


def notify_object_cells(w, surface: str, method: str, route: str, op: str) -> list[Cell]:
    """A notification's read / open, on one's own and another's: its owner's write is not sent."""
    cells = []
    for obj, n in w.ntf.items():
        url = (route.replace("{notification_id}", str(n.pk)) if surface == "api"
               else _fill(route, {"notification_id": n.pk}))
        owner = NTF_OWNER[obj]
        cells.append(Cell(surface, method, op, url, obj, may=set(owner), writes=True,
                          expect={r: {404} for r in LOGGED_IN - owner}))
    return cells


def _notify_models() -> list:
    from gongzhi.notify.models import Notification
    return [Notification]


# ---- the tests ---------------------------------------------------------------------------------------


def test_every_role_and_casework_holder_is_in_the_matrix(world, db):
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.domain.enums import Role
    from gongzhi.legalaid.models import Lawyer
    from gongzhi.mediation.models import Mediator
    users = {u: world.d.users[u] for u in LOGGED_IN}
    held = set(RoleAssignment.objects.filter(user__in=users.values()).values_list("role", flat=True))
    assert [u for u, user in users.items() if user.is_staff] == ["admin"]      # see ADMIN_FOR_ALL
    assert held == {r.value for r in Role}, "a Role without a demo user in ROLES"
    assert Mediator.objects.filter(user=users["med11"]).exists()
    assert world.station.staff.filter(pk=users["aid2"].pk).exists()
    assert Lawyer.objects.filter(user=users["lawyer1"]).exists()
    # every object's readers are real roles, and each family has its object in and out of scope
    for obj, readers in {**READ, **READ_DOC}.items():
        assert readers <= LOGGED_IN, obj
    for a, b in [*FAMILY_OBJECTS.values(), *PILLAR_OBJECTS.values()]:
        assert READ[a] ^ READ[b], (a, b)
    # the pillars' people are who ROLES says (demo.corrections, demo.court, demo.funds)
    from gongzhi.corrections import scope as corr_scope
    from gongzhi.court import scope as court_scope
    from gongzhi.funds import scope as fund_scope
    assert corr_scope.prosecutor_paths(users["jcg1"]) and not corr_scope.is_corrections_staff(users["jcg1"])
    assert corr_scope.township_ids(users["sfs1"]) and corr_scope.county_ids(users["sqjz"])
    assert court_scope.is_judge(users["judge1"]) and court_scope.is_court_staff(users["clerk1"]) \
        and not court_scope.is_judge(users["clerk1"])
    assert fund_scope.maker_funds(users["sanjin1"]) and fund_scope.checker_funds(users["sanjin2"]) \
        and not fund_scope.maker_funds(users["sanjin2"]) and not fund_scope.is_fund_staff(users["sjtj1"])


def test_the_words_watched_are_there_for_whoever_reads_them_in_full(matrix, world):
    """The leak check looks for these words: each must really appear, unescaped, where it is
    allowed — in the API detail and the page of the object's own reporter or applicant."""
    owner = {"_a": "resident1", "_b": "resident2"}
    pillar = {"subj": ("sfs1", "/api/corrections/{}", "/corrections/{}/"),
              "civ": ("clerk1", "/api/court/{}", "/court/{}/"),
              "dep": ("sanjin1", "/api/funds/deposits/{}", "/funds/deposits/{}/"),
              "grant": ("sanjin1", "/api/funds/grants/{}", "")}        # a grant has no page of its own
    for obj, words in world.secrets.items():
        if obj.startswith("ntf_"):              # one's own inbox
            text = body_text(matrix.clients[owner[obj[-2:]]].get("/api/notifications"))
            assert all(word in text for word in words), (obj, words)
            continue
        if obj.startswith("pts_"):              # one's own points: name and claims, on /api/points/me and /points/
            client = matrix.clients[owner[obj[-2:]]]
            for text in (body_text(client.get("/api/points/me")), body_text(client.get("/points/"))):
                assert all(word in text for word in words), (obj, words)
            continue
        if obj.startswith("reg_"):              # the person's own row in full; the unit, the claim: staff
            key = obj[:5]
            ids = _reg_ids(world, key)
            who, urls = {"": (owner[key[-2:]], ["/api/registry/people/{person_id}", "/registry/people/{person_id}/"]),
                         "_id": (owner[key[-2:]], ["/api/registry/people/{person_id}",
                                                   "/registry/people/{person_id}/"]),
                         "_unit": ("grid111" if key == "reg_a" else "county", ["/api/registry/units/{unit_id}",
                                                                              "/registry/units/{unit_id}/"]),
                         "_claim": ("comm11" if key == "reg_a" else "county", ["/api/registry/claims",
                                                                              "/registry/pending/"])}[obj[5:]]
            for url in urls:
                text = body_text(matrix.clients[who].get(url.format(**ids)))
                assert all(word in text for word in words), (obj, url, [x for x in words if x not in text])
            continue
        if obj.split("_")[0] in pillar:
            who, api_url, page_url = pillar[obj.split("_")[0]]
            oid = _pillar_ids(world)[obj]
            oid = oid.get("subject_id") or oid.get("deposit_id") or oid.get("grant_id") or oid["case_id"]
            client = Client()
            client.force_login(world.d.users[who] if obj.endswith("_a") else _pillar_owner(world, obj))
            api = body_text(client.get(api_url.format(oid)))
            page = body_text(client.get(page_url.format(oid))) if page_url else api
            for word in words:
                assert word in api, (obj, word, "api")
                assert word in page, (obj, word, "page")
            continue
        if obj == "ev_c":
            continue
        client = matrix.clients[owner[obj[-2:]]]
        kind = {"ev": "events", "ca": "mediation", "ap": "legalaid"}[obj[:2]]
        api = body_text(client.get(f"/api/{kind}/{_object_id(obj, world)}"))
        page = body_text(client.get(f"/e/{_object_id(obj, world)}/" if kind == "events"
                                    else f"/{kind}/{_object_id(obj, world)}/"))
        for word in words:
            assert word in api, (obj, word, "api")
            assert word in page, (obj, word, "page")


def _pillar_owner(w, obj: str):
    """Who works an object no role of the matrix reads (its own staff): for the words check."""
    from django.contrib.auth import get_user_model
    User = get_user_model()
    return {"subj": w.d.users["sqjz"], "civ": User.objects.get(username="mx_clerk"),
            "dep": User.objects.get(username="mx_fund1"), "grant": User.objects.get(username="mx_fund1")}[
        obj.split("_")[0]]


def _events(cells, wanted: bool) -> list[Cell]:
    """The cells about events, or all the others (the suite runs on two workers: halves balance)."""
    return [c for c in cells if (c.obj or "").startswith("ev_") == wanted]


def test_api_matrix_events(matrix, world):
    started = time.monotonic()
    matrix.run(_events(api_cells(world), True))
    _verdict(matrix, "api, events", started)


def test_api_matrix_casework_and_the_rest(matrix, world):
    started = time.monotonic()
    matrix.run(_events(api_cells(world), False))
    _verdict(matrix, "api, casework and the rest", started)


def test_page_matrix_events(matrix, world):
    started = time.monotonic()
    matrix.run(_events(page_cells(world), True))
    _verdict(matrix, "pages, events", started)


def test_page_matrix_casework_and_the_rest(matrix, world):
    started = time.monotonic()
    matrix.run(_events(page_cells(world), False))
    _verdict(matrix, "pages, casework and the rest", started)


def test_open311_and_admin_matrix(matrix, world):
    started = time.monotonic()
    matrix.run(open311_cells(world))
    matrix.run(admin_cells(world))
    _verdict(matrix, "open311+admin", started)


# Found by this matrix: the page reversed the posting BEFORE checking it belonged to the account in
# the URL, then answered 422 with the reversal kept.  The service now refuses first (points.services.reverse).
def test_points_reverse_under_another_account_writes_nothing(matrix, world):
    """A manager of both shops (the admin) reversing pts_b's posting under pts_a's account page."""
    a, b = world.pts["pts_a"], world.pts["pts_b"]
    url = f"/points/accounts/{a['account'].pk}/reverse/{b['posting'].pk}"
    sid = transaction.savepoint()
    try:
        before = fingerprint()
        r = matrix.clients["admin"].post(url, {"reason": "矩阵冲正"})
        after = fingerprint()
    finally:
        transaction.savepoint_rollback(sid)
        transaction.savepoint_commit(sid)        # and release it, as Matrix.one does
    assert r.status_code in (403, 404, 422), r.status_code
    assert before == after, "refused, yet the posting was reversed"
