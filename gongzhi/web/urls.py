from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.index, name="index"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("report/", views.report, name="report"),
    path("report/fields", views.report_fields, name="report_fields"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("desk/", views.desk, name="desk"),
    path("desk/dispatch", views.desk_dispatch, name="desk_dispatch"),
    path("map/", views.grid_map, name="map"),
    path("e/<int:event_id>/", views.event, name="event"),
    path("e/<int:event_id>/do/<path:path>", views.event_do, name="event_do"),
    path("e/<int:event_id>/unmask", views.event_unmask, name="event_unmask"),
    path("e/<int:event_id>/files/<int:attachment_id>", views.attachment, name="attachment"),
]
