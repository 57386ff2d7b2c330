from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "gongzhi.points"
    label = "points"
    verbose_name = "积分超市"
