from django.contrib import admin
from django.urls import include, path

from gongzhi.api.api import api

admin.site.site_header = "共治 · 网格化服务管理后台"
admin.site.site_title = "共治后台"
admin.site.index_title = "基础数据与配置"

urlpatterns = [
    path("", include("gongzhi.web.urls")),
    path("stats/", include("gongzhi.stats.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include("gongzhi.api.open311")),
    # No route to MEDIA_ROOT, in any configuration: files leave only through views that check
    # scope (gongzhi.core.files).
]
# Static files are served by WhiteNoise (MIDDLEWARE), with DEBUG on or off; no URL pattern here.

# Failures answer in the caller's shape: JSON for /api/, GeoReport for /open311/, Chinese pages
# (no URL list, no traceback, no settings) for the rest; a database that is away is a 503.
handler400 = "gongzhi.core.http.bad_request"
handler403 = "gongzhi.core.http.permission_denied"
handler404 = "gongzhi.core.http.page_not_found"
handler500 = "gongzhi.core.http.server_error"
