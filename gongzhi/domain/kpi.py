"""KPI definitions, once: what each event contributes (``contribution``), and the rates people
read, computed from summed counts (``rates``). docs/kpis.md explains each in words.

Every measure is a count (or a sum) over events *reported* in the period, so measures add up over
days, areas and categories, and a rollup can store them per day and sum at query time. The SQL
that builds the rollup (stats/rollup.py) mirrors ``contribution``; a test recomputes both ways.
"""
from __future__ import annotations

from dataclasses import dataclass

from .enums import SlaFlag, Status

# 结案: the handling was verified (核查通过) — the case is done whatever the reporter says later.
CLOSED_STATUSES = frozenset({Status.VERIFIED, Status.ANSWERED, Status.REVISITED, Status.CLOSED})
OPEN = frozenset({Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.RESOLVED})
SATISFIED_MIN = 4     # 满意 = 4 (满意) or 5 (非常满意); 3 is 基本满意 and does not count

MEASURES = (
    "reported", "rejected", "accepted", "dispatched", "signed", "signed_on_time", "handled", "resolved",
    "resolved_on_time", "closed", "closed_late", "open_overdue", "returned", "answered", "reopened",
    "revisited", "satisfied", "satisfaction_sum", "close_workdays_sum",
)


@dataclass(frozen=True)
class EventFacts:
    """The columns of an event that KPIs read."""
    status: str
    sla_flag: str
    dispatched: bool           # dispatched_at is set
    signed_on_time: bool | None
    handled: bool              # handle_started_at is set
    resolved_on_time: bool | None
    returns: int
    reopens: int
    answered: bool             # answered_at is set
    satisfaction: int | None
    closed_workdays: int | None


def contribution(e: EventFacts) -> dict[str, int]:
    """What one event adds to each measure."""
    status = Status(e.status)
    return {
        "reported": 1,
        "rejected": int(status == Status.REJECTED),
        "accepted": int(status not in (Status.REPORTED, Status.REJECTED)),
        "dispatched": int(e.dispatched),
        "signed": int(e.signed_on_time is not None),
        "signed_on_time": int(e.signed_on_time is True),
        "handled": int(e.handled),
        "resolved": int(e.resolved_on_time is not None),
        "resolved_on_time": int(e.resolved_on_time is True),
        "closed": int(status in CLOSED_STATUSES),
        "closed_late": int(e.resolved_on_time is False),
        "open_overdue": int(status in OPEN and e.sla_flag == SlaFlag.RED),
        "returned": int(e.returns > 0),
        "answered": int(e.answered),
        "reopened": int(e.reopens > 0),
        "revisited": int(e.satisfaction is not None),
        "satisfied": int(e.satisfaction is not None and e.satisfaction >= SATISFIED_MIN),
        "satisfaction_sum": e.satisfaction or 0,
        "close_workdays_sum": e.closed_workdays if status in CLOSED_STATUSES and e.closed_workdays is not None else 0,
    }


def add(into: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for k in MEASURES:
        into[k] = into.get(k, 0) + (more.get(k) or 0)
    return into


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


def rates(m: dict[str, int]) -> dict[str, float | None]:
    """The rates people read, in percent (two decimals), None where the base is empty."""
    handled_base = m["reported"] - m["rejected"]
    return {
        "结案率": _pct(m["closed"], handled_base),
        "按时签收率": _pct(m["signed_on_time"], m["dispatched"]),          # total basis
        "按时签收率_已签收": _pct(m["signed_on_time"], m["signed"]),       # on-time basis
        "按时办结率": _pct(m["resolved_on_time"], m["handled"]),           # total basis
        "按时办结率_已办结": _pct(m["resolved_on_time"], m["resolved"]),   # on-time basis
        "退回率": _pct(m["returned"], m["dispatched"]),
        "重办率": _pct(m["reopened"], m["answered"]),
        "回访率": _pct(m["revisited"], m["answered"]),
        "满意率": _pct(m["satisfied"], m["revisited"]),
        "平均满意度": round(m["satisfaction_sum"] / m["revisited"], 2) if m["revisited"] else None,
        "平均办结工作日": round(m["close_workdays_sum"] / m["closed"], 2) if m["closed"] else None,
        "超期数": m["open_overdue"] + m["closed_late"],
    }


def compare(current: int, previous: list[int], unit: str = "周") -> dict:
    """This period against the average of the previous ones: "较前四周平均减少143件，下降34.13%"."""
    if not previous:
        return {"average": None, "delta": None, "percent": None, "text": ""}
    avg = sum(previous) / len(previous)
    delta = current - avg
    percent = round(100.0 * delta / avg, 2) if avg else None
    n = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 12: "十二"}.get(len(previous),
                                                                                           str(len(previous)))
    if round(delta) == 0:
        text = f"与前{n}{unit}平均持平"
    else:
        word, pword = ("增加", "上升") if delta > 0 else ("减少", "下降")
        text = f"较前{n}{unit}平均{word}{abs(round(delta))}件"
        if percent is not None:
            text += f"，{pword}{abs(percent):.2f}%"
    return {"average": round(avg, 2), "delta": round(delta, 2), "percent": percent, "text": text}
