from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "gongzhi.areas"
    verbose_name = "区域与网格"
