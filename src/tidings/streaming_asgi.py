"""The ASGI entry point of `tidings stream`: Mastodon's WebSocket streaming API."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
django.setup()

from tidings.api.mastodon.websocket import application  # noqa: E402  (after Django is set up)

__all__ = ["application"]
