from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tidings.accounts"
    label = "accounts"

    def ready(self) -> None:
        from tidings.accounts import signals  # noqa: F401  (connects the receivers)
