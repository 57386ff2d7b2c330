from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "gongzhi.court"
    label = "court"
    verbose_name = "民事速裁"
