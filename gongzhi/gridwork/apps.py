from django.apps import AppConfig


class GridworkConfig(AppConfig):
    name = "gongzhi.gridwork"
    label = "gridwork"
    verbose_name = "网格清单化工作"
