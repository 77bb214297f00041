"""Helpers shared by the web tests: English clients, small pictures, posts, and comparing
error pages whose only difference is the id in the address."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tidings.accounts.models import Account
from tidings.posts import services as posts
from tidings.posts.models import Post

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOT_FOUND_MESSAGE = "This page does not exist, or you may not see it."


def english(client: Client) -> Client:
    """The same client, asking for English pages from now on."""
    client.defaults.update(EN)
    return client


def anonymous() -> Client:
    return Client(**EN)


def png_bytes(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def png_upload(name: str = "photo.png", **options: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**options), content_type="image/png")


def publish(author: Account, text: str, audience: str = "public") -> Post:
    return posts.publish(author, text=text, audience=audience)


def missing_post_id(like: int) -> int:
    """An id of the same length as `like` that no post has."""
    candidate = like + 1
    while Post.objects.filter(id=candidate).exists():
        candidate += 1
    return candidate


_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def comparable(body: bytes, *variable: object) -> str:
    """An error page with its per-response CSRF token and the requested id/path blanked out:
    what is left must not depend on whether the object exists."""
    text = _CSRF.sub(r"\1TOKEN\2", body.decode())
    for value in variable:
        text = text.replace(str(value), "VARIABLE")
    return text
