from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tidings.core"
    label = "core"

    def ready(self) -> None:
        # Every process (web, worker, CLI) registers the event subscribers in each app's tasks.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
