from django.conf import settings
from django.conf.urls.static import static
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
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
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += staticfiles_urlpatterns()  # only when DEBUG; production serves static from the proxy
