from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shinealight.accounts"
    label = "accounts"
    verbose_name = "Accounts"
