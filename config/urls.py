from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

from gongzhi.api.api import api

admin.site.site_header = "共治 · 网格化服务管理后台"
admin.site.site_title = "共治后台"
admin.site.index_title = "基础数据与配置"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
