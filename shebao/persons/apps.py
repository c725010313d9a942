from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "shebao.persons"
    label = "persons"
