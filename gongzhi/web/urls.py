from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from . import board, cases, corrections, views

app_name = "web"
KIND = r"(?P<kind>mediation|legalaid)"
urlpatterns = [
    path("", views.index, name="index"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("report/", views.report, name="report"),
    path("report/fields", views.report_fields, name="report_fields"),
    path("report/suggest", views.report_suggest, name="report_suggest"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("desk/", views.desk, name="desk"),
    path("desk/dispatch", views.desk_dispatch, name="desk_dispatch"),
    path("supervise/", board.board, name="supervise"),
    path("map/", views.grid_map, name="map"),
    path("e/<int:event_id>/", views.event, name="event"),
    path("e/<int:event_id>/do/<path:path>", views.event_do, name="event_do"),
    path("e/<int:event_id>/unmask", views.event_unmask, name="event_unmask"),
    path("e/<int:event_id>/files/<int:attachment_id>", views.attachment, name="attachment"),
    path("e/<int:event_id>/mediate", cases.event_mediate, name="event_mediate"),
    path("mediation/apply/", cases.mediation_apply, name="mediation_apply"),
    path("legalaid/apply/", cases.legalaid_apply, name="legalaid_apply"),
    path("legalaid/consultations", cases.consultation, name="legalaid_consultation"),
    re_path(rf"^{KIND}/$", cases.case_list, name="cases"),
    path("mediation/", cases.case_list, {"kind": "mediation"}, name="mediation_list"),
    path("legalaid/", cases.case_list, {"kind": "legalaid"}, name="legalaid_list"),
    re_path(rf"^{KIND}/(?P<case_id>[0-9]+)/$", cases.case_page, name="case"),
    re_path(rf"^{KIND}/(?P<case_id>[0-9]+)/do/(?P<path>[a-z-]+)$", cases.case_do, name="case_do"),
    re_path(rf"^{KIND}/(?P<case_id>[0-9]+)/documents/(?P<doc_id>[0-9]+)$", cases.case_document,
            name="case_document"),
    path("corrections/", corrections.corr_list, name="corr_list"),
    path("corrections/new/", corrections.corr_new, name="corr_new"),
    path("corrections/oversight/", corrections.corr_oversight, name="corr_oversight"),
    path("corrections/tasks/<int:task_id>/done", corrections.task_done, name="corr_task_done"),
    path("corrections/<int:subject_id>/", corrections.corr_file, name="corr_file"),
    path("corrections/<int:subject_id>/do/<path:path>", corrections.corr_do, name="corr_do"),
    path("corrections/<int:subject_id>/new/<str:kind>", corrections.corr_create, name="corr_create"),
    path("corrections/<int:subject_id>/documents/<int:doc_id>", corrections.corr_document, name="corr_document"),
    re_path(r"^corrections/(?P<kind>sanction|leave|monitor|oversight)/(?P<row_id>[0-9]+)/do/(?P<path>[a-z-]+)$",
            corrections.corr_child_do, name="corr_child_do"),
]
