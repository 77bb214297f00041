from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tidings.search"
    label = "search"

    def ready(self) -> None:
        from tidings.search import signals  # noqa: F401 - connects the index to the posts
