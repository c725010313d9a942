from django.apps import AppConfig


class IndividualAccountsConfig(AppConfig):
    name = "shebao.individual_accounts"
    label = "individual_accounts"
