"""The 分拨台's filters and its 台账 export (events.desk does the reading, the masking and the log;
events.exports decides at once or in the background and runs the jobs).

A short list comes back at once from GET /desk/export.xlsx (a link on the desk).  A longer one is
a job: the desk shows a form that POSTs the filters (a GET never starts one; a GET of a long list
answers the page with that form), then the job's page follows it — a progress bar polled by htmx
(no inline script, the CSP forbids it), the download once done, the error and a retry if it failed.
Jobs and files are their owner's only: anyone else's id is a 404.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.core import files
from gongzhi.core.errors import Conflict, NotFound
from gongzhi.events import desk, exports

from .views import staff_only

FIELDS = ("status", "kind", "sla", "area", "q", "who", "date_from", "date_to", "supervised")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def desk_filters(request, data=None) -> tuple[dict, desk.Filters, bool]:
    """The query's filters as typed (for the form and the pager) and as parsed; a date that is not
    one is ignored and said so, never a 500.  ``data``: a POST's form instead of the query."""
    data = request.GET if data is None else data
    f = {k: data.get(k, "").strip()[:64] for k in FIELDS}
    f["supervised"] = "1" if f["supervised"] else ""
    start, end = desk.parse_date(f["date_from"]), desk.parse_date(f["date_to"])
    bad = bool(f["date_from"] and start is None or f["date_to"] and end is None)
    return f, desk.Filters(status=f["status"], kind=f["kind"], sla=f["sla"], area=f["area"], q=f["q"], who=f["who"],
                           date_from=start, date_to=end, supervised=bool(f["supervised"])), bad


def export_context(f: dict) -> dict:
    """What the desk's page needs to offer the export: the length past which it is a job, and the
    typed filters as the job form's hidden fields."""
    return {"export_at_once": exports.at_once(), "export_fields": [(k, v) for k, v in f.items() if v]}


@staff_only
def export(request):
    """The event list as a 台账 .xlsx for the desk's filters, streamed from a temporary file when it
    is short; a long one: on GET the page that offers the background export, on POST the job."""
    f, filters, _ = desk_filters(request, request.POST if request.method == "POST" else None)
    answer = exports.export_ledger(request.user, filters, start=request.method == "POST")
    if isinstance(answer, exports.Streamed):
        return FileResponse(answer.file, as_attachment=True, filename="event-ledger.xlsx", content_type=XLSX)
    if isinstance(answer, exports.TooLong):
        return render(request, "web/desk_export_start.html", {"total": answer.total, "at_once": exports.at_once(),
                                                              **export_context(f)})
    messages.success(request, gettext("台账正在后台生成，完成后会在消息中通知您"))
    return redirect("web:desk_export_job", job_id=answer.job.pk)


@staff_only
def export_jobs(request):
    """One's latest background exports."""
    return render(request, "web/desk_exports.html", {"jobs": exports.my_jobs(request.user),
                                                     "hours": settings.GONGZHI_EXPORT_KEEP_HOURS})


def _own(request, job_id: int):
    try:
        return exports.job_for(request.user, job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@staff_only
def export_job(request, job_id: int):
    """One job's page; htmx's poll gets the progress fragment alone (it stops once the job has)."""
    job = exports.view(_own(request, job_id), timezone.now())
    if request.htmx:
        return render(request, "web/_ledger_export.html", {"j": job})
    return render(request, "web/desk_export_job.html", {"j": job})


@staff_only
def export_download(request, job_id: int):
    """The finished file, to its owner only, through the checked file sender (never /media/)."""
    try:
        job = exports.file_for(request.user, job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M")
    return files.serve(job.file, content_type=XLSX, filename=f"event-ledger-{stamp}.xlsx", as_attachment=True)


@staff_only
@require_POST
def export_retry(request, job_id: int):
    _own(request, job_id)
    try:
        exports.retry(request.user, job_id)
    except Conflict as exc:
        messages.error(request, gettext(exc.message))
    return redirect(reverse("web:desk_export_job", kwargs={"job_id": job_id}))
