"""The ASGI entry point of `tidings stream`: Mastodon's WebSocket streaming API."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
django.setup()

from django.urls import get_resolver  # noqa: E402

from tidings.api.mastodon.websocket import application  # noqa: E402  (after Django is set up)

# The URL map is loaded now, not by the first event: a status's links need it, and loading it
# (most of the API's modules) took the first streamed update 0.6 s.
get_resolver().url_patterns  # noqa: B018

__all__ = ["application"]
