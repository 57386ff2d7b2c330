from django.urls import path

from . import participation, views

app_name = "stats"
urlpatterns = [
    path("", views.report, name="report"),
    path("screen/", views.screen, name="screen"),
    path("screen/panel", views.screen_panel, name="screen_panel"),
    path("omissions/", views.omissions, name="omissions"),
    path("export.xlsx", views.export, name="export"),
    path("participation/", participation.participation, name="participation"),
]
