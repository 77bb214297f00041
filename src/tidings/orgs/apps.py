from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tidings.orgs"
    label = "orgs"
