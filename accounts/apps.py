from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in and accounts"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401 - connects the sign-in audit receivers
