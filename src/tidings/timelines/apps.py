from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "tidings.timelines"
    label = "timelines"
