from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "shebao.office"
    label = "office"
