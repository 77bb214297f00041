from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tidings.notifications"
    label = "notifications"
