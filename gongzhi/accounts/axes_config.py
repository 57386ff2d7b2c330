"""django-axes (login lockout) under a Chinese heading in admin.  Its models and columns are
translated in gongzhi/locale/zh_Hans; the label stays "axes", so its migrations are untouched."""
from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "登录安全"
