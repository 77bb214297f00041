from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tidings.core"
    label = "core"
