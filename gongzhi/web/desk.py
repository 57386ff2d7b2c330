"""The 分拨台's filters and its 台账 export (events.desk does the reading, the masking and the log)."""
from __future__ import annotations

from django.http import FileResponse

from gongzhi.events import desk

from .views import staff_only

FIELDS = ("status", "kind", "sla", "area", "q", "who", "date_from", "date_to", "supervised")


def desk_filters(request) -> tuple[dict, desk.Filters, bool]:
    """The query's filters as typed (for the form and the pager) and as parsed; a date that is not
    one is ignored and said so, never a 500."""
    f = {k: request.GET.get(k, "").strip()[:64] for k in FIELDS}
    f["supervised"] = "1" if f["supervised"] else ""
    start, end = desk.parse_date(f["date_from"]), desk.parse_date(f["date_to"])
    bad = bool(f["date_from"] and start is None or f["date_to"] and end is None)
    return f, desk.Filters(status=f["status"], kind=f["kind"], sla=f["sla"], area=f["area"], q=f["q"], who=f["who"],
                           date_from=start, date_to=end, supervised=bool(f["supervised"])), bad


@staff_only
def export(request):
    """GET with the desk's filters: the event list as a 台账 .xlsx, streamed from a temporary file."""
    _, filters, _ = desk_filters(request)
    out, _n = desk.export_file(request.user, filters)
    return FileResponse(out, as_attachment=True, filename="event-ledger.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
