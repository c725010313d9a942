from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "shebao.declarations"
    label = "declarations"
