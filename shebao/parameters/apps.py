from django.apps import AppConfig


class ParametersConfig(AppConfig):
    name = "shebao.parameters"
    label = "parameters"
