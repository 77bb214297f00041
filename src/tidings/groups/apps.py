from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "tidings.groups"
    label = "groups"
