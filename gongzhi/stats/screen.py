"""The big screen's charts as data for ECharts (stats/static/stats/screen.js): numbers and words
only, counts per grid and never an event's position, so the wall display in a public hall shows
where work is heavy, not whose door it is."""
from __future__ import annotations

import json

from django.utils.translation import gettext


def screen_charts(trend_rows: list[dict], cat_rows: list[dict], heat) -> str:
    """``trend_rows``: kpis by day; ``cat_rows``: kpis by category (top first); ``heat``: the
    maps.build() drawing whose grids carry ``n`` (reported in the period), or None.  JSON text,
    for the panel's data-json attribute (the template escapes it)."""
    grids = heat.grids if heat else []
    return json.dumps({
        "trend": {"days": [r["key"][5:] for r in trend_rows], "reported": [r["reported"] for r in trend_rows],
                  "closed": [r["closed"] for r in trend_rows]},
        "cats": {"labels": [r.get("label") or r["key"] for r in cat_rows],
                 "reported": [r["reported"] for r in cat_rows]},
        "heat": {"grids": [{"name": g["code"], "label": g["name"], "value": g.get("n", 0)} for g in grids],
                 "max": max((g.get("n", 0) for g in grids), default=0)},
        # The words the charts draw, in the reader's language.
        "text": {"reported": gettext("上报件数"), "closed": gettext("结案件数"), "events": gettext("件"),
                 "low": gettext("少"), "high": gettext("多"), "colon": gettext("：")},
    }, ensure_ascii=False)
