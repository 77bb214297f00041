from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tidings.activities"
    label = "activities"

    def ready(self) -> None:
        from tidings.activities import tasks  # noqa: F401 - registers the draws with the worker
