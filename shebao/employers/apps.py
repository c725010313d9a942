from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "shebao.employers"
    label = "employers"
