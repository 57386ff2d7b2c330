"""The URL table of the lean token path (config/wsgi.py): the JSON API only, errors as JSON."""
from django.urls import path

from gongzhi.api.api import api

urlpatterns = [path("api/", api.urls)]

handler400 = "gongzhi.api.lean.bad_request"
handler403 = "gongzhi.api.lean.permission_denied"
handler404 = "gongzhi.api.lean.not_found"
handler500 = "gongzhi.api.lean.server_error"
