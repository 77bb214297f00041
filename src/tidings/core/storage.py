"""Media files on the local disk under MEDIA_ROOT, named by random ids so no name from a user
ever reaches the file system. Files are served by views that check the audience first."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

SAFE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _root() -> Path:
    return Path(settings.MEDIA_ROOT)


def save(folder: str, extension: str, data: bytes) -> str:
    """Write `data` under a fresh random name; returns the path relative to MEDIA_ROOT."""
    if extension not in SAFE_TYPES:
        raise ValueError(f"unexpected extension {extension!r}")
    relative = f"{folder}/{secrets.token_urlsafe(16)}.{extension}"
    path = _root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return relative


def path_of(relative: str) -> Path:
    path = (_root() / relative).resolve()
    if _root().resolve() not in path.parents:
        raise ValueError("path outside the media root")
    return path


def content_type(relative: str) -> str:
    return SAFE_TYPES.get(relative.rsplit(".", 1)[-1], "application/octet-stream")


def delete(relative: str) -> None:
    try:
        path_of(relative).unlink(missing_ok=True)
    except ValueError:
        pass
