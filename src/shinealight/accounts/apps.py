from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shinealight.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from shinealight.accounts import two_factor

        # A password sign-in leaves the session waiting for its code (accounts.two_factor).
        two_factor.connect_signals()
