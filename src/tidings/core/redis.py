"""The shared Redis client, when TIDINGS_REDIS_URL is set."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


def enabled() -> bool:
    return bool(settings.REDIS_URL)


@cache
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)


def key(*parts: object) -> str:
    return settings.REDIS_PREFIX + ":".join(str(p) for p in parts)
