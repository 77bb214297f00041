from django.apps import AppConfig


class ExtensionsConfig(AppConfig):
    name = "tidings.extensions"
    label = "extensions"
