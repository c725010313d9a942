from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "shebao.benefits"
    label = "benefits"
