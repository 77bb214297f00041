from django.apps import AppConfig


class TaskboardConfig(AppConfig):
    name = "tidings.extensions.taskboard"
    label = "taskboard"
