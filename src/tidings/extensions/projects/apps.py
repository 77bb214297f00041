from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "tidings.extensions.projects"
    label = "projects"
