"""The layers contract (issue 14, docs/architecture.md): which top-level package of gongzhi may import
which, and no import cycle between them.

A pure AST walk over every module of the package (no import-linter: nothing to install, and it runs
in milliseconds).  Every import counts, also one inside a function: a lazy import is still a
dependency, it only fails later.  Migrations are exempt (they are frozen history; Django loads them
by app).  Imports named in strings (MIDDLEWARE, FILE_UPLOAD_HANDLERS, url handlers) are not seen.

To add a package: give it a row in ALLOWED — the test fails on a package the table does not know.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "gongzhi"

# Bottom up.  Each row: what the package may import of gongzhi (besides itself).  Written out
# here, not derived from the code: changing a layer is a decision, made in this table.
_BASE = {"domain", "core", "accounts", "areas", "pgfast", "notify"}
_PILLARS = {"casework", "events", "hotline", "mediation", "legalaid", "corrections", "court", "funds",
            "registry", "points", "votes", "credit", "gridwork", "patrols"}
ALLOWED: dict[str, set[str]] = {
    "domain": set(),                                   # pure Python: no Django, nothing of gongzhi
    "pgfast": set(),                                   # Django only: one statement on psycopg directly
    "areas": {"domain"},                               # the area tree and departments (models)
    "accounts": {"domain", "areas", "pgfast"},                   # users, roles, tokens (models)
    "core": {"domain", "accounts", "areas"},           # the engine; of accounts/areas: models only
    "textclass": {"domain"},                           # the classifier: knows no pillar
    "casework": {"domain", "core", "accounts", "areas"},           # case logs, documents (acts)
    "events": _BASE | {"textclass"},                               # events (the hotline is not its business)
    "hotline": _BASE | {"events"},                                 # 12345 orders become events; 倒逼
    "mediation": _BASE | {"casework", "events"},                   # events: transfer from an event
    "legalaid": _BASE | {"casework"},                              # the calendar is core's (core.admindata)
    "corrections": _BASE | {"casework"},                           # 社区矫正: knows no other pillar
    "court": _BASE | {"casework", "mediation"},                    # 诉调对接: a failed mediation case comes over
    "funds": _BASE | {"casework", "mediation"},                    # a deposit secures a mediation case
    # notify: every pillar may tell people things; notify knows no pillar (they register with it).
    "notify": {"domain", "core", "accounts", "areas", "pgfast", "casework"},
    "registry": _BASE,                                             # 人房物事情组织: the one base registry
    "points": _BASE | {"casework", "registry", "events"},           # events: a valid report earns points
    "votes": _BASE | {"casework", "registry", "points"},            # points: taking part earns points
    "credit": _BASE | {"casework", "registry", "points"},
    "patrols": _BASE | {"casework", "registry", "events", "points"},         # tracks and coverage
    "gridwork": _BASE | {"casework", "registry", "events", "hotline", "points", "patrols"},   # 应报未报, coverage
    "stats": _BASE | _PILLARS | {"textclass"},                     # rollups and KPIs over every pillar
    "demo": _BASE | _PILLARS | {"textclass"},                      # builds a district through services
    "api": _BASE | _PILLARS | {"textclass", "stats"},
    "web": _BASE | _PILLARS | {"textclass", "stats", "api"},       # api: the pages reuse its input schemas
    "ops": _BASE | _PILLARS | {"textclass", "stats", "demo", "api", "web"},   # platform-wide commands
    "cli": set(),                                      # the console script: Django's command line only
}
# Where a lower package reaches a package it sits on top of only through that package's models.
ONLY_MODULES: dict[tuple[str, str], set[str]] = {
    ("core", "accounts"): {"gongzhi.accounts.models", "gongzhi.accounts.appendonly"},
    ("core", "areas"): {"gongzhi.areas.models"},
    # An order becomes an event through the intake, like any report; 倒逼 reads events.
    ("hotline", "events"): {"gongzhi.events.models", "gongzhi.events.intake"},
}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent)
        if "migrations" in rel.parts:
            continue
        parts = list(rel.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield path, rel, parts, is_package


def _targets(node, parts: list[str], is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = parts if is_package else parts[:-1]
        base = base[:len(base) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    if node.module and not (node.level == 0 and module == "gongzhi"):
        return [module]
    # ``from gongzhi import files`` / ``from . import x``: each name may be a module.
    return [f"{module}.{alias.name}" for alias in node.names]


def imports() -> list[tuple[str, str, str, str]]:
    """(importing package, imported package, imported module, "file:line") for every import of
    one top-level package of gongzhi by another."""
    found = []
    for path, rel, parts, is_package in _modules():
        source = parts[1] if len(parts) > 1 else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            for target in _targets(node, parts, is_package):
                tp = target.split(".")
                if tp[0] == "gongzhi" and len(tp) > 1 and tp[1] != source:
                    found.append((source, tp[1], target, f"{rel}:{node.lineno}"))
    return found


def test_every_package_has_a_row_in_the_table():
    packages = {parts[1] for _path, _rel, parts, _pkg in _modules() if len(parts) > 1}
    assert packages - set(ALLOWED) == set(), "add these packages to ALLOWED in tests/test_layers.py"


def test_imports_point_only_down_the_layers():
    offending = []
    for source, target, module, where in imports():
        if target not in ALLOWED.get(source, set()):
            offending.append(f"{where}: {source} → {target} ({module}); {source} may import: "
                             f"{', '.join(sorted(ALLOWED.get(source, set()))) or 'nothing of gongzhi'}")
        elif (source, target) in ONLY_MODULES and not any(
                module == m or module.startswith(m + ".") for m in ONLY_MODULES[source, target]):
            offending.append(f"{where}: {source} → {module}; {source} may import of {target} only "
                             f"{', '.join(sorted(ONLY_MODULES[source, target]))}")
    assert offending == [], "imports against the layers (tests/test_layers.py):\n  " + "\n  ".join(offending)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_packages():
    graph, where = defaultdict(set), defaultdict(list)
    for source, target, module, at in imports():
        graph[source].add(target)
        where[source, target].append(f"{at} {module}")
    cycles = _cycles(graph)
    detail = [f"{a} → {b}: {'; '.join(where[a, b][:3])}" for c in cycles for a in c for b in c if (a, b) in where]
    assert cycles == [], "import cycles between packages:\n  " + "\n  ".join(detail)


def test_the_table_itself_has_no_cycle():
    assert _cycles(ALLOWED) == []


def test_the_walk_sees_lazy_and_relative_imports():
    # A guard on the walk itself: events.services imports the classifier inside a function, and
    # events.operations imports its services relatively; both must be seen.
    seen = {(s, m, w.split(":")[0]) for s, _t, m, w in imports()}
    assert ("events", "gongzhi.events.classify", "gongzhi/events/services.py") not in seen   # same package
    assert ("events", "gongzhi.core.operations", "gongzhi/events/operations.py") in seen
    tree = ast.parse("def f():\n    from gongzhi.stats import rollup\n")
    lazy = _targets(tree.body[0].body[0], ["gongzhi", "x", "y"], False)
    assert lazy == ["gongzhi.stats"]
    relative = _targets(ast.parse("from ..core import http").body[0], ["gongzhi", "web", "views"], False)
    assert relative == ["gongzhi.core"]
