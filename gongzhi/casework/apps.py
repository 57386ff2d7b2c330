from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "gongzhi.casework"
    verbose_name = "案件公共（时间线、通知、文书）"
