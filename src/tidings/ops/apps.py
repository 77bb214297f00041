from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tidings.ops"
    label = "ops"

    def ready(self) -> None:
        from tidings.ops import tasks  # noqa: F401 - registers the scheduled publishing with the worker
