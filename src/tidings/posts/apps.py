from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "tidings.posts"
    label = "posts"
