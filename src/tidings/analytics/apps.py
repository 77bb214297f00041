from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tidings.analytics"
    label = "analytics"

    def ready(self) -> None:
        from tidings.analytics import tasks  # noqa: F401 - registers the counting with the worker
