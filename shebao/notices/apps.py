from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "shebao.notices"
    label = "notices"
