from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "tidings.social"
    label = "social"
