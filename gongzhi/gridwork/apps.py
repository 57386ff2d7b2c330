from django.apps import AppConfig


class GridworkConfig(AppConfig):
    name = "gongzhi.gridwork"
    label = "gridwork"
    verbose_name = "网格清单化工作"

    def ready(self):
        from .told import register
        register()        # who is told what (notify, issue 17)
